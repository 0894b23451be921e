"""Antrian: the officer's queue in SLA urgency order, by stage, filtered and searched.

Rows are read a page at a time (`PAGE` rows; "show more" reads the next page), so the
screen stays quick with 10,000 reports on the device. Every text a row shows is
computed here (`QueueRow`), against the server-corrected clock, so the view only lays
things out and tests can read the state.

Invariant: `rows` always belong to the current (stage, filters, search); a refresh
started for older filters is dropped when it lands after a newer one (`_generation`).
"""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from domain import Status, UrgencyLevel
from local_db import QueueCounts, QueueItem, Stage

from ..format import (
    URGENCY_COLOURS,
    category_icon,
    category_name,
    distance_between,
    distance_text,
    place_text,
    time_left_text,
)
from ..i18n import Translator

if TYPE_CHECKING:
    from .session import Session

PAGE = 50
TYPING_PAUSE_S = 0.3

# The tabs, in the order an officer works through them.
STAGES: tuple[Stage, ...] = (
    Stage.TO_ACT,
    Stage.IN_PROGRESS,
    Stage.REWORK,
    Stage.WAITING_VALIDATION,
    Stage.DONE,
)


@dataclass(frozen=True, slots=True)
class QueueRow:
    report_id: str
    tracking_id: str
    title: str
    category: str
    category_name: str
    icon: str
    place: str  # kelurahan and address
    status: Status
    level: UrgencyLevel
    colour: str
    time_left: str
    distance: str
    pending: bool
    progress_pct: int


def make_row(item: QueueItem, tr: Translator, here: tuple[float, float] | None) -> QueueRow:
    r = item.report
    view = item.view
    place = place_text(r.address, view.kelurahan)
    return QueueRow(
        report_id=r.id,
        tracking_id=r.tracking_id,
        title=r.title or category_name(r.category, tr.lang),
        category=r.category,
        category_name=category_name(r.category, tr.lang),
        icon=category_icon(r.category),
        place=place,
        status=r.status,
        level=item.urgency.level,
        colour=URGENCY_COLOURS[item.urgency.level],
        time_left=time_left_text(item.urgency.level, item.urgency.time_left, tr),
        distance=distance_text(distance_between(here, r.latitude, r.longitude), tr),
        pending=item.pending,
        progress_pct=r.progress_pct,
    )


@ft.observable
@dataclass
class QueueModel:
    session: InitVar[Session]
    stage: Stage = Stage.TO_ACT
    search: str = ""
    category: str | None = None
    kelurahan: str | None = None
    rows: list[QueueRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    overdue: int = 0  # of the stage shown (of every open stage while searching)
    has_more: bool = False
    loading: bool = False
    loaded_at: datetime | None = None
    kelurahan_choices: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self, session: Session) -> None:
        self._session = session
        self._generation = 0
        self._items: list[QueueItem] = []
        # The search box's text as last typed (kept without notifying: see LoginModel).
        self._typed = ""
        self._typing: asyncio.Task[None] | None = None

    @property
    def typed(self) -> str:
        return self._typed

    # --- intents --------------------------------------------------------------------

    async def refresh(self) -> None:
        """Reload the first page (and the tab counts) for the current filters."""
        await self._load(offset=0)

    async def select_stage(self, stage: Stage) -> None:
        if stage is not self.stage:
            self.stage = stage
            await self.refresh()

    async def set_search(self, text: str) -> None:
        self._typed = text
        text = text.strip()
        if text != self.search:
            self.search = text
            await self.refresh()

    def type_search(self, text: str) -> None:
        """A key in the search box: search once typing pauses for `TYPING_PAUSE_S`."""
        self._typed = text
        if self._typing is not None:
            self._typing.cancel()

        async def later() -> None:
            await asyncio.sleep(TYPING_PAUSE_S)
            await self.set_search(text)

        self._typing = asyncio.get_running_loop().create_task(later())

    async def set_category(self, code: str | None) -> None:
        if code != self.category:
            self.category = code or None
            await self.refresh()

    async def set_kelurahan(self, code: str | None) -> None:
        if code != self.kelurahan:
            self.kelurahan = code or None
            await self.refresh()

    async def clear_filters(self) -> None:
        self._typed = ""
        self.search, self.category, self.kelurahan = "", None, None
        await self.refresh()

    async def load_more(self) -> None:
        if self.has_more and not self.loading:
            await self._load(offset=len(self._items))

    def relabel(self) -> None:
        """Recompute the row texts (language changed, a location fix arrived)."""
        tr, here = self._session.app.tr, self._session.location.here
        self.rows = [make_row(item, tr, here) for item in self._items]

    # --- loading --------------------------------------------------------------------

    async def _load(self, offset: int) -> None:
        self._generation += 1
        generation = self._generation
        self.loading = True
        device = self._session.device
        stage, search, cat, kel = self.stage, self.search, self.category, self.kelurahan

        def read() -> tuple[list[QueueItem], QueueCounts]:
            if search:
                items = device.search(
                    search, category=cat, kelurahan_code=kel, limit=PAGE + 1, offset=offset
                )
            else:
                items = device.queue(
                    stage=stage, category=cat, kelurahan_code=kel, limit=PAGE + 1, offset=offset
                )
            return items, device.counts()

        try:
            items, counts = await asyncio.to_thread(read)
        finally:
            if generation == self._generation:
                self.loading = False
        if generation != self._generation:
            return  # a newer refresh owns the screen
        more = len(items) > PAGE
        items = items[:PAGE]
        self._items = items if offset == 0 else [*self._items, *items]
        self.has_more = more
        self.counts = {s.value: counts.by_stage.get(s, 0) for s in Stage}
        self.overdue = counts.overdue if search else counts.overdue_by_stage.get(stage, 0)
        self._remember_kelurahan(self._items)
        self.loaded_at = self._session.device_now()
        self.relabel()

    def _remember_kelurahan(self, items: list[QueueItem]) -> None:
        known = dict(self.kelurahan_choices)
        for item in items:
            code = item.report.kelurahan_code
            if code and code not in known:
                known[code] = item.view.kelurahan or code
        if len(known) != len(self.kelurahan_choices):
            self.kelurahan_choices = sorted(known.items(), key=lambda kv: kv[1])
