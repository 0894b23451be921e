"""Peta: the unit's open reports by urgency, with a fallback that never leaves a blank.

The map's base tiles come from the network; offline (or with tiles blocked) the map
reports a tile error and the screen switches to the fallback: the open reports per
kelurahan with their overdue counts, and the most urgent points as coordinates. The
markers themselves are drawn locally and need no network.
"""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from local_db.figures import KelurahanLoad, MapPoint

if TYPE_CHECKING:
    from .state import SupervisorState

JAKARTA_CENTRE = (-6.2, 106.82)


@ft.observable
@dataclass
class MapModel:
    owner: InitVar[SupervisorState]
    points: list[MapPoint] = field(default_factory=list)
    kelurahan: list[KelurahanLoad] = field(default_factory=list)
    tiles_failed: bool = False
    show_list: bool = False  # the supervisor chose the list
    loaded_at: datetime | None = None

    def __post_init__(self, owner: SupervisorState) -> None:
        self._owner = owner

    @property
    def fallback(self) -> bool:
        return self.tiles_failed or self.show_list

    @property
    def centre(self) -> tuple[float, float]:
        if not self.points:
            return JAKARTA_CENTRE
        lat = sum(p.latitude for p in self.points) / len(self.points)
        lon = sum(p.longitude for p in self.points) / len(self.points)
        return lat, lon

    async def refresh(self) -> None:
        data = self._owner.data

        def read() -> tuple[datetime, list[MapPoint], list[KelurahanLoad]]:
            now = data.now()
            return now, data.map_points(now), data.kelurahan_loads(now)

        now, points, loads = await asyncio.to_thread(read)
        self.points, self.kelurahan = points, loads
        self.loaded_at = now

    def tile_error(self) -> None:
        """The base map could not load (offline, blocked): show the fallback."""
        self.tiles_failed = True

    def toggle_list(self) -> None:
        self.show_list = not self.show_list
