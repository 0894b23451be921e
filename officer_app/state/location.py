"""Where the officer is now, as the geolocator last said (for distances and photos).

The fix is only as good as the device says: its accuracy is kept with it, and a fix
older than `STALE_AFTER` is not offered to a new photo (the photo would claim a place
the officer has left).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import flet as ft

from ..photos import GeoFix

STALE_AFTER = timedelta(minutes=2)


@ft.observable
@dataclass
class LocationModel:
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    altitude_m: float | None = None
    at: datetime | None = None
    denied: bool = False

    @property
    def here(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    def update(
        self,
        latitude: float | None,
        longitude: float | None,
        accuracy_m: float | None = None,
        altitude_m: float | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Take a new reading; returns whether it was a usable position."""
        fix = GeoFix.maybe(latitude, longitude, altitude_m, accuracy_m, at)
        if fix is None:
            return False
        self.latitude, self.longitude = fix.latitude, fix.longitude
        self.accuracy_m, self.altitude_m = fix.accuracy_m, fix.altitude_m
        self.at = at or datetime.now(UTC)
        self.denied = False
        return True

    def fix(self, now: datetime | None = None) -> GeoFix | None:
        """The current position for a photo, or None when unknown or stale."""
        if self.latitude is None or self.longitude is None or self.at is None:
            return None
        if (now or datetime.now(UTC)) - self.at > STALE_AFTER:
            return None
        return GeoFix(self.latitude, self.longitude, self.altitude_m, self.accuracy_m, self.at)
