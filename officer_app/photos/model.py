"""The pipeline's values: a location fix, where things came from, warnings, the result.

Invariants:
- a `GeoFix` is a usable WGS84 position (finite, latitude -90..90, longitude -180..180,
  accuracy and age never negative); "no fix" is `None`, never (0, 0);
- every datetime is timezone-aware (UTC inside, Asia/Jakarta only for display and EXIF);
- a `ProcessedPhoto`'s `sha256`, `size_bytes`, `width` and `height` describe exactly its
  `data` (the JPEG that is stored and uploaded), so the content address never lies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain import PhotoKind
from domain.capture_time import TimeFlag
from domain.protocol import PhotoRef

from .errors import InvalidPhotoRequest


def require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidPhotoRequest(f"{name} must be timezone-aware, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class GeoFix:
    """A position: from the geolocator at capture time, or read from a photo's EXIF."""

    latitude: float
    longitude: float
    altitude_m: float | None = None
    accuracy_m: float | None = None  # horizontal, metres (68 % radius as Android gives it)
    timestamp: datetime | None = None  # when the fix was taken, if known

    def __post_init__(self) -> None:
        for name in ("latitude", "longitude", "altitude_m", "accuracy_m"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not math.isfinite(value)):
                raise InvalidPhotoRequest(f"{name} must be a finite number, got {value!r}")
        if not -90.0 <= self.latitude <= 90.0:
            raise InvalidPhotoRequest(f"latitude must be -90..90, got {self.latitude}")
        if not -180.0 <= self.longitude <= 180.0:
            raise InvalidPhotoRequest(f"longitude must be -180..180, got {self.longitude}")
        if self.latitude == 0 and self.longitude == 0:
            # What cameras and geolocators write when they have no fix: never a position.
            raise InvalidPhotoRequest("(0, 0) is the 'no fix' placeholder, not a position")
        if self.accuracy_m is not None and self.accuracy_m < 0:
            raise InvalidPhotoRequest(f"accuracy_m must be >= 0, got {self.accuracy_m}")
        if self.timestamp is not None:
            require_aware(self.timestamp, "fix timestamp")

    @classmethod
    def maybe(
        cls,
        latitude: float | None,
        longitude: float | None,
        altitude_m: float | None = None,
        accuracy_m: float | None = None,
        timestamp: datetime | None = None,
    ) -> GeoFix | None:
        """A fix from a geolocator's raw values, or None when they are missing or unusable.

        A geolocator that has no position yet answers nothing, NaN or (0, 0) depending
        on the platform: all of them mean "tanpa lokasi" here, never a crash.
        """
        if latitude is None or longitude is None:
            return None
        try:
            return cls(
                float(latitude),
                float(longitude),
                _optional_finite(altitude_m),
                _optional_finite(accuracy_m),
                timestamp if timestamp is not None and timestamp.tzinfo is not None else None,
            )
        except (InvalidPhotoRequest, TypeError, ValueError):
            return None


def _optional_finite(value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class PhotoSource(StrEnum):
    CAMERA = "camera"  # taken now with the app's camera
    GALLERY = "gallery"  # picked from the gallery / file system


class LocationSource(StrEnum):
    GPS = "gps"  # the device's geolocator at capture (or import) time
    EXIF = "exif"  # the picked photo's own EXIF GPS
    NONE = "none"  # no usable position: the photo is kept, "tanpa lokasi"


class TimeSource(StrEnum):
    CAPTURE = "capture"  # the device clock when the camera took the photo
    EXIF = "exif"  # a picked photo's own DateTimeOriginal
    IMPORT = "import"  # a picked photo with no usable time: the moment it was picked


class WarningCode(StrEnum):
    NO_LOCATION = "no_location"
    LOCATION_FROM_CURRENT_FIX = "location_from_current_fix"
    POOR_ACCURACY = "poor_accuracy"
    STALE_FIX = "stale_fix"
    EXIF_UNREADABLE = "exif_unreadable"
    TIME_FROM_IMPORT = "time_from_import"
    TIME_IMPLAUSIBLE = "time_implausible"  # its own time was refused (`domain.capture_time`)


@dataclass(frozen=True, slots=True)
class PhotoWarning:
    """Something the officer (and later the validator) should know; the photo is kept."""

    code: WarningCode
    message_id: str
    message_en: str

    def message(self, lang: str = "id") -> str:
        return self.message_id if lang == "id" else self.message_en


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    """A photo ready to be stored and attached: the final JPEG and what it carries."""

    data: bytes = field(repr=False)
    sha256: str
    width: int
    height: int
    kind: PhotoKind
    report_id: str
    tracking_id: str
    source: PhotoSource
    location: GeoFix | None
    location_source: LocationSource
    device_time: datetime  # the device's clock (UTC)
    captured_at: datetime  # device_time + the sync engine's clock offset (UTC)
    time_source: TimeSource
    original_format: str  # "JPEG", "PNG", "WEBP"... as decoded
    stamped: bool
    warnings: tuple[PhotoWarning, ...] = ()
    # Set when the photo's own time was not plausible and the pick's time is used.
    time_flag: TimeFlag | None = None
    claimed_at: datetime | None = None  # that refused time (UTC), for the validator

    @property
    def size_bytes(self) -> int:
        return len(self.data)

    @property
    def has_location(self) -> bool:
        return self.location is not None

    @property
    def latitude(self) -> float | None:
        return None if self.location is None else self.location.latitude

    @property
    def longitude(self) -> float | None:
        return None if self.location is None else self.location.longitude

    @property
    def accuracy_m(self) -> float | None:
        return None if self.location is None else self.location.accuracy_m

    @property
    def filename(self) -> str:
        """The content-addressed file name in the app's photo folder."""
        return f"{self.sha256}.jpg"

    def payload_ref(self) -> dict[str, Any]:
        """The `photo` value of an ADD_PHOTO / COMPLETE mutation payload."""
        return {"sha256": self.sha256, "kind": self.kind.value}

    def to_photo_ref(self, taken_by: str = "") -> PhotoRef:
        """The photo as the sync protocol describes it."""
        return PhotoRef(
            sha256=self.sha256,
            kind=self.kind,
            size_bytes=self.size_bytes,
            width=self.width,
            height=self.height,
            latitude=self.latitude,
            longitude=self.longitude,
            accuracy_m=self.accuracy_m,
            captured_at=self.captured_at,
            taken_by=taken_by,
        )
