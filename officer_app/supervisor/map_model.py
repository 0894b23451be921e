"""Peta (supervisor): today's open reports of the unit on the offline map, by urgency.

Same rules as the officer's Peta (`state.map_data`): the markers and the kelurahan
outlines are drawn by the app and need no network; tiles are added when their host
answers a short TCP probe, and dropped when the map reports a tile that failed to load.
The list (open reports per kelurahan, the most urgent points) is the supervisor's
choice (`show_list`), never what the screen falls back to. A marker or a row opens
the report over the map (`/peta/laporan/<id>`).
"""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from domain.boundaries import LatLon
from local_db.figures import KelurahanLoad, MapPoint

from ..state.map_data import (
    JAKARTA_CENTRE,
    MapArea,
    MapMarker,
    areas_around,
    frame_of,
    marker,
    tile_host,
    tiles_reachable,
)
from .open_report import open_report

if TYPE_CHECKING:
    from .state import SupervisorState

MAP_ROUTE = "/peta"


@ft.observable
@dataclass
class MapModel:
    owner: InitVar[SupervisorState]
    points: list[MapPoint] = field(default_factory=list)
    kelurahan: list[KelurahanLoad] = field(default_factory=list)
    markers: list[MapMarker] = field(default_factory=list)
    areas: list[MapArea] = field(default_factory=list)
    frame: tuple[LatLon, LatLon] | None = None
    tiles_online: bool = False
    tiles_failed: bool = False
    show_list: bool = False  # the supervisor's choice: the list instead of the map
    loaded_at: datetime | None = None

    def __post_init__(self, owner: SupervisorState) -> None:
        self._owner = owner

    @property
    def tiles_url(self) -> str:
        return self._owner.session.device.profile.map.tiles

    @property
    def attribution(self) -> str:
        return self._owner.session.device.profile.map.attribution

    @property
    def tile_host(self) -> tuple[str, int] | None:
        return tile_host(self.tiles_url)

    @property
    def tiles_shown(self) -> bool:
        return bool(self.tiles_url) and self.tiles_online and not self.tiles_failed

    @property
    def toggle_key(self) -> str:
        """The toggle names what a tap will show: the other view."""
        return "supervisor.map.show_map" if self.show_list else "supervisor.map.show_list"

    @property
    def centre(self) -> LatLon:
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
            asyncio.to_thread(read), tiles_reachable(self.tiles_url)
        )
        self.points, self.kelurahan = points, loads
        self.markers = [
            marker(p.report_id, p.tracking_id, p.title, p.latitude, p.longitude, p.level)
            for p in points
        ]
        where = [(p.latitude, p.longitude) for p in points]
        self.frame = frame_of(where)
        self.areas = areas_around(where)
        self.tiles_online = online
        if online:
            self.tiles_failed = False
        self.loaded_at = now

    def tile_error(self) -> None:
        """A tile could not load (offline, blocked): drop the tiles, keep the map."""
        self.tiles_failed = True

    def toggle_list(self) -> None:
        self.show_list = not self.show_list

    def open(self, report_id: str) -> None:
        open_report(self._owner.session, MAP_ROUTE, report_id)
