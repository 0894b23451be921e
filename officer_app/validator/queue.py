"""Antrian validasi: reports waiting for validation, most urgent by SLA first.

The order is the officers' queue order (`domain.sla`: overdue first, then least time
left): an overdue report never sits last. Search by tracking id, and filters: red
integrity notes only, waiting over 24 h, one officer. Each row counts its photos' red
notes (`validator.integrity`).

After each refresh the evidence photos of the first reports are fetched into the
device's cache in the background, so the validator can keep reviewing offline.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import InitVar, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import flet as ft

from domain import PhotoKind
from local_db.figures import WaitingItem

from .review import evidence_of

if TYPE_CHECKING:
    from .state import ValidatorState

log = logging.getLogger(__name__)

PREFETCH = 20  # reports whose photos are fetched ahead
LONG_WAIT = timedelta(hours=24)
FLAGGED_AT_MOST = 500  # rows whose photos are weighed for the red-flag count


@ft.observable
@dataclass
class ValidationQueueModel:
    owner: InitVar[ValidatorState]
    rows: list[WaitingItem] = field(default_factory=list)  # shown: filtered, by urgency
    loaded_at: datetime | None = None
    total: int = 0
    red: dict[str, int] = field(default_factory=dict)  # report id -> red notes
    search: str = ""
    only_flagged: bool = False
    waiting_long: bool = False
    officer: str = ""  # an assignee's name; "" for everyone
    officers: list[str] = field(default_factory=list)

    def __post_init__(self, owner: ValidatorState) -> None:
        self._owner = owner
        self._all: list[WaitingItem] = []

    @property
    def ids(self) -> list[str]:
        return [w.item.report.id for w in self.rows]

    async def refresh(self) -> None:
        data, tr = self._owner.data, self._owner.session.app.tr

        def read() -> tuple[datetime, list[WaitingItem], dict[str, int]]:
            now = data.now()
            rows = data.validation_queue(now)
            rows.sort(key=lambda w: (w.item.report.deadline, w.item.report.received_at))
            red: dict[str, int] = {}
            for w in rows[:FLAGGED_AT_MOST]:
                detail = data.report(w.item.report.id)
                if detail is not None:
                    notes = (n for p in evidence_of(detail) for n in p.notes(tr))
                    red[w.item.report.id] = sum(1 for n in notes if n.red)
            return now, rows, red

        now, rows, red = await asyncio.to_thread(read)
        self._all, self.red, self.total = rows, red, len(rows)
        self.officers = sorted(
            {w.item.view.assignee_name for w in rows if w.item.view.assignee_name}
        )
        self.loaded_at = now
        self._filter()

    def _filter(self) -> None:
        text = "".join(self.search.split()).upper()
        shown = []
        for w in self._all:
            r = w.item.report
            if text and text not in r.tracking_id.upper():
                continue
            if self.only_flagged and not self.red.get(r.id):
                continue
            if self.waiting_long and w.waited <= LONG_WAIT:
                continue
            if self.officer and w.item.view.assignee_name != self.officer:
                continue
            shown.append(w)
        self.rows = shown

    def set_search(self, text: str) -> None:
        self.search = text
        self._filter()

    def toggle_flagged(self) -> None:
        self.only_flagged = not self.only_flagged
        self._filter()

    def toggle_waiting_long(self) -> None:
        self.waiting_long = not self.waiting_long
        self._filter()

    def set_officer(self, name: str) -> None:
        self.officer = name
        self._filter()

    async def prefetch(self) -> int:
        """Fetch the evidence of the first reports into the cache; returns how many."""
        data, cache = self._owner.data, self._owner.photos
        ids = self.ids[:PREFETCH]

        def fetch() -> int:
            n = 0
            for rid in ids:
                detail = data.report(rid)
                if detail is None:
                    continue
                for p in detail.photos:
                    if p.kind is not PhotoKind.REPORTER and cache.get(p.sha256, p.local_path):
                        n += 1
            return n

        return await asyncio.to_thread(fetch)
