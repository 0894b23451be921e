"""Dasbor: the unit's figures (counts, SLA, charts, times) for the chosen period.

The figures come from `local_db.figures.dashboard` against the server-corrected clock;
the model keeps them typed and `dashboard_texts` turns them into what the screen shows
(so a test reads the same words a supervisor reads).
"""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from local_db.figures import DashboardFigures

if TYPE_CHECKING:
    from .state import SupervisorState

PERIODS: tuple[int, ...] = (7, 30, 90)


@ft.observable
@dataclass
class DashboardModel:
    owner: InitVar[SupervisorState]
    days: int = 30
    figures: DashboardFigures | None = None
    loading: bool = False
    loaded_at: datetime | None = None

    def __post_init__(self, owner: SupervisorState) -> None:
        self._owner = owner
        self._generation = 0

    async def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        data, days = self._owner.data, self.days
        self.loading = True

        def read() -> tuple[datetime, DashboardFigures]:
            now = data.now()
            return now, data.dashboard(now, days)

        try:
            now, figures = await asyncio.to_thread(read)
        finally:
            if generation == self._generation:
                self.loading = False
        if generation == self._generation:
            self.figures = figures
            self.loaded_at = now

    async def set_days(self, days: int) -> None:
        if days not in PERIODS:
            raise ValueError(f"period must be one of {PERIODS}")
        if days != self.days:
            self.days = days
            await self.refresh()
