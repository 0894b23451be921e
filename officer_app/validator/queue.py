"""Antrian validasi: reports waiting for validation, longest waiting first.

After each refresh the evidence photos of the first reports are fetched into the
device's cache in the background, so the validator can keep reviewing offline.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from domain import PhotoKind
from local_db.figures import WaitingItem

if TYPE_CHECKING:
    from .state import ValidatorState

log = logging.getLogger(__name__)

PREFETCH = 20  # reports whose photos are fetched ahead


@ft.observable
@dataclass
class ValidationQueueModel:
    owner: InitVar[ValidatorState]
    rows: list[WaitingItem] = field(default_factory=list)
    loaded_at: datetime | None = None

    def __post_init__(self, owner: ValidatorState) -> None:
        self._owner = owner

    @property
    def ids(self) -> list[str]:
        return [w.item.report.id for w in self.rows]

    async def refresh(self) -> None:
        data = self._owner.data

        def read() -> tuple[datetime, list[WaitingItem]]:
            now = data.now()
            return now, data.validation_queue(now)

        now, rows = await asyncio.to_thread(read)
        self.rows = rows
        self.loaded_at = now

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
