"""The supervisor's and validator's seam to the device: figures and actions.

`RoleData` wraps the app's `Device` and adds the reads of `local_db.figures` for the
signed-in user's unit, so the role view-models reach the device database through one
object, as the officer's screens reach it through `Device`.

Invariants:
- every method may block (SQLite): view-models call them through `asyncio.to_thread`;
- `now()` is the server-corrected clock (or the clock a test injects), the same one
  for every figure of one refresh (callers take it once and pass it on);
- actions go through `Device.record` (the local change and its outbox entry in one
  transaction, then a sync request): supervisors and validators queue their work
  offline exactly like officers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from domain import Action, Actor
from local_db import OutboxEntry, QueueItem, ReportDetail, figures

from ..device import Device


class RoleData:
    def __init__(self, device: Device, *, clock: Callable[[], datetime] | None = None) -> None:
        self.device = device
        self._clock = clock

    # --- who and when -----------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock() if self._clock is not None else self.device.now()

    def actor(self) -> Actor:
        return self.device.actor()

    def unit_id(self) -> str | None:
        account = self.device.account()
        return account.user.unit_id if account is not None else None

    # --- supervisor reads -------------------------------------------------------------

    def dashboard(self, now: datetime, days: int | None) -> figures.DashboardFigures:
        return figures.dashboard(self.device.db, now=now, unit_id=self.unit_id(), days=days)

    def team(self, now: datetime, days: int | None) -> list[figures.TeamRow]:
        return figures.team(self.device.db, now=now, unit_id=self.unit_id(), days=days)

    def officer_loads(self, now: datetime) -> list[figures.OfficerLoad]:
        return figures.officer_loads(self.device.db, now=now, unit_id=self.unit_id())

    def dispatch_queue(self, now: datetime, limit: int) -> list[QueueItem]:
        return figures.dispatch_queue(self.device.db, now=now, unit_id=self.unit_id(), limit=limit)

    def working_queue(self, now: datetime, limit: int) -> list[QueueItem]:
        return figures.working_queue(self.device.db, now=now, unit_id=self.unit_id(), limit=limit)

    def extension_requests(self, now: datetime) -> list[QueueItem]:
        return figures.extension_requests(self.device.db, now=now, unit_id=self.unit_id())

    def sla_watch(self, now: datetime) -> figures.SlaWatch:
        return figures.sla_watch(self.device.db, now=now, unit_id=self.unit_id())

    def map_points(self, now: datetime) -> list[figures.MapPoint]:
        return figures.map_points(self.device.db, now=now, unit_id=self.unit_id())

    def kelurahan_loads(self, now: datetime) -> list[figures.KelurahanLoad]:
        return figures.kelurahan_loads(self.device.db, now=now, unit_id=self.unit_id())

    def export_rows(self, now: datetime) -> list[figures.ExportRow]:
        return figures.export_rows(self.device.db, now=now, unit_id=self.unit_id())

    # --- validator reads --------------------------------------------------------------

    def validation_queue(self, now: datetime) -> list[figures.WaitingItem]:
        return figures.validation_queue(self.device.db, now=now)

    def report(self, report_id: str) -> ReportDetail | None:
        return self.device.report(report_id)

    # --- actions ----------------------------------------------------------------------

    def record(self, report_id: str, action: Action, payload: Mapping[str, Any]) -> OutboxEntry:
        """Raises `local_db.ActionRefusedLocally` with the domain's reason."""
        return self.device.record(report_id, action, payload)
