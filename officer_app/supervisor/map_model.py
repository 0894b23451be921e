"""Peta: the unit's open reports by urgency, with a fallback that never leaves a blank.

The map's base tiles come from the network. Two signals switch the screen to the
fallback (the open reports per kelurahan with their overdue counts, and the most urgent
points as coordinates): the tile server cannot even be reached from the device (a
short TCP probe on refresh), or the map reports a tile that failed to load. The markers
themselves are drawn locally and need no network.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from local_db.figures import KelurahanLoad, MapPoint

if TYPE_CHECKING:
    from .state import SupervisorState

JAKARTA_CENTRE = (-6.2, 106.82)
TILE_HOST = ("tile.openstreetmap.org", 443)
PROBE_TIMEOUT_S = 2.0


async def reachable(host: str, port: int, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """Whether a TCP connection to (host, port) opens within the time limit."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


@ft.observable
@dataclass
class MapModel:
    owner: InitVar[SupervisorState]
    points: list[MapPoint] = field(default_factory=list)
    kelurahan: list[KelurahanLoad] = field(default_factory=list)
    tiles_failed: bool = False
    show_list: bool | None = None  # the supervisor's choice (None: follow the tiles)
    loaded_at: datetime | None = None

    def __post_init__(self, owner: SupervisorState) -> None:
        self._owner = owner
        self.tile_host = TILE_HOST

    @property
    def fallback(self) -> bool:
        return self.tiles_failed if self.show_list is None else self.show_list

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

        (now, points, loads), online = await asyncio.gather(
            asyncio.to_thread(read), reachable(*self.tile_host)
        )
        self.points, self.kelurahan = points, loads
        self.loaded_at = now
        if not online:
            self.tile_error()

    def tile_error(self) -> None:
        """The base map could not load (offline, blocked): show the fallback."""
        self.tiles_failed = True

    def toggle_list(self) -> None:
        """List <-> map (the map without tiles still shows its markers)."""
        self.show_list = not self.fallback
