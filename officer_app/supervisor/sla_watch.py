"""Pantauan SLA: the breach list and the at-risk list, with who holds each report."""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from local_db.figures import SlaWatch, WatchItem

if TYPE_CHECKING:
    from .state import SupervisorState


@ft.observable
@dataclass
class SlaWatchModel:
    owner: InitVar[SupervisorState]
    breaches: list[WatchItem] = field(default_factory=list)
    at_risk: list[WatchItem] = field(default_factory=list)
    loaded_at: datetime | None = None

    def __post_init__(self, owner: SupervisorState) -> None:
        self._owner = owner

    async def refresh(self) -> None:
        data = self._owner.data

        def read() -> tuple[datetime, SlaWatch]:
            now = data.now()
            return now, data.sla_watch(now)

        now, watch = await asyncio.to_thread(read)
        self.breaches, self.at_risk = list(watch.breaches), list(watch.at_risk)
        self.loaded_at = now
