"""Peta (officer): the officer's own open reports on a map, coloured by SLA urgency,
numbered in a suggested visiting order ("urutan kunjungan", `domain.visit_order`),
with the officer's position; tapping a marker (or a row of the list) opens the report.

Offline first (`map_data`): markers and kelurahan outlines are always drawn; tiles are
added when their host answers. The list is a choice the officer makes (`show_list`),
not what the screen falls back to.
"""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from domain.boundaries import LatLon
from domain.visit_order import Stop, visit_order
from local_db import QueueItem, Stage

from ..format import time_left_text
from .map_data import MapArea, MapMarker, areas_around, frame_of, marker, tiles_reachable

if TYPE_CHECKING:
    from .session import Session

# The stages an officer still has to go to (waiting validation and done need no visit).
VISIT_STAGES = frozenset({Stage.TO_ACT, Stage.IN_PROGRESS, Stage.REWORK})
MAX_POINTS = 300


@dataclass(frozen=True, slots=True)
class MapListRow:
    report_id: str
    tracking_id: str
    order: str  # "1", "2"... or ""
    title: str
    time_left: str
    colour: str


@ft.observable
@dataclass
class FieldMapModel:
    session: InitVar[Session]
    markers: list[MapMarker] = field(default_factory=list)
    rows: list[MapListRow] = field(default_factory=list)
    areas: list[MapArea] = field(default_factory=list)
    here: LatLon | None = None
    frame: tuple[LatLon, LatLon] | None = None
    tiles_online: bool = False
    tiles_failed: bool = False
    show_list: bool = False
    loaded_at: datetime | None = None

    def __post_init__(self, session: Session) -> None:
        self._session = session
        self._items: list[QueueItem] = []

    # --- what the screen shows ---------------------------------------------------------

    @property
    def tiles_url(self) -> str:
        return self._session.device.profile.map.tiles

    @property
    def attribution(self) -> str:
        return self._session.device.profile.map.attribution

    @property
    def tiles_shown(self) -> bool:
        return bool(self.tiles_url) and self.tiles_online and not self.tiles_failed

    @property
    def toggle_key(self) -> str:
        """The toggle names what a tap will show (the other view)."""
        return "map.show_map" if self.show_list else "map.show_list"

    # --- intents -----------------------------------------------------------------------

    async def refresh(self) -> None:
        device = self._session.device

        def read() -> list[QueueItem]:
            items = device.queue(
                stage=None, category=None, kelurahan_code=None, limit=MAX_POINTS, offset=0
            )
            return [
                i
                for i in items
                if i.view.stage in VISIT_STAGES
                and i.report.latitude is not None
                and i.report.longitude is not None
            ]

        items, online = await asyncio.gather(
            asyncio.to_thread(read), tiles_reachable(self.tiles_url)
        )
        self._items = items
        self.tiles_online = online
        if online:
            self.tiles_failed = False
        self.loaded_at = self._session.device_now()
        self.relabel()
        await self._locate()

    async def _locate(self) -> None:
        platform = self._session.platform
        if platform is None:
            return
        fix = await platform.position()
        if fix is not None:
            self._session.location.update(fix.latitude, fix.longitude, fix.accuracy_m)
            self.relabel()

    def relabel(self) -> None:
        """Recompute markers, order and texts (data, language or position changed)."""
        tr = self._session.app.tr
        here = self._session.location.here
        stops = [
            Stop(i.report.id, i.report.latitude, i.report.longitude, i.urgency.level)  # type: ignore[arg-type]
            for i in self._items
        ]
        order = {rid: n for n, rid in enumerate(visit_order(stops, here), start=1)}
        markers = [
            marker(
                i.report.id,
                i.report.tracking_id,
                i.report.title,
                i.report.latitude,  # type: ignore[arg-type]
                i.report.longitude,  # type: ignore[arg-type]
                i.urgency.level,
                order.get(i.report.id),
            )
            for i in self._items
        ]
        # Numbered stops in their order first, then the rest in urgency order.
        markers.sort(key=lambda m: (m.order is None, m.order or 0))
        by_id = {i.report.id: i for i in self._items}
        self.markers = markers
        self.rows = [
            MapListRow(
                m.report_id,
                m.tracking_id,
                m.label,
                m.title,
                time_left_text(m.level, by_id[m.report_id].urgency.time_left, tr),
                m.colour,
            )
            for m in markers
        ]
        points = [(m.latitude, m.longitude) for m in markers]
        self.here = here
        framed = points + ([here] if here is not None else [])
        self.frame = frame_of(framed)
        self.areas = areas_around(framed)

    def tile_error(self) -> None:
        """A tile did not load (offline, blocked): drop the tiles, keep the map."""
        self.tiles_failed = True

    def toggle_list(self) -> None:
        self.show_list = not self.show_list

    def open(self, report_id: str) -> None:
        """A marker or a row was tapped: open that report."""
        self._session.navigate(f"/peta/laporan/{report_id}")
