"""Perpanjangan: officers' requests for more time; approve (the deadline moves) or refuse.

A refusal needs a note (the domain rule says so and the screen asks for it); an
approval may carry one. Each decision is one local action with its outbox entry. Why a
decision was not recorded belongs to its request: `errors` is keyed by report, so the
card that was acted on says it, next to its own note and buttons.
"""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from domain import Action
from local_db import ActionRefusedLocally, LocalDbError, QueueItem

if TYPE_CHECKING:
    from .state import SupervisorState


@ft.observable
@dataclass
class ExtensionsModel:
    owner: InitVar[SupervisorState]
    rows: list[QueueItem] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # report id -> why not recorded
    busy: bool = False
    loaded_at: datetime | None = None

    def __post_init__(self, owner: SupervisorState) -> None:
        self._owner = owner

    async def refresh(self) -> None:
        data = self._owner.data

        def read() -> tuple[datetime, list[QueueItem]]:
            now = data.now()
            return now, data.extension_requests(now)

        now, rows = await asyncio.to_thread(read)
        self.rows = rows
        self.loaded_at = now

    async def approve(self, report_id: str, note: str = "") -> bool:
        payload = {"note": note.strip()} if note.strip() else {}
        return await self._decide(report_id, Action.APPROVE_EXTENSION, payload)

    async def refuse(self, report_id: str, note: str) -> bool:
        return await self._decide(report_id, Action.REFUSE_EXTENSION, {"note": note.strip()})

    async def _decide(self, report_id: str, action: Action, payload: dict[str, str]) -> bool:
        data, lang = self._owner.data, self._owner.lang
        self.busy = True

        def write() -> str | None:
            try:
                data.record(report_id, action, payload)
            except ActionRefusedLocally as exc:
                return exc.refusal.message(lang)
            except LocalDbError as exc:
                return str(exc)
            return None

        try:
            error = await asyncio.to_thread(write)
        finally:
            self.busy = False
        errors = {k: v for k, v in self.errors.items() if k != report_id}
        if error is not None:
            errors[report_id] = error
        self.errors = errors  # a new dict: the screen re-renders
        await self.refresh()
        return error is None
