"""Disposisi: give the unit's new reports to officers, reassign, or return them.

The new reports (`baru`) come most urgent first; each officer is shown with the load
they carry now (reports in hand, of which overdue), least loaded first. A supervisor
selects one or many reports, picks an officer and dispatches: one local action per
report (each with its outbox entry), queued offline like any other. A refusal by the
domain rules (e.g. the report was dispatched meanwhile) is reported per report and
the others still go.
"""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from domain import Action
from local_db import ActionRefusedLocally, LocalDbError, QueueItem
from local_db.figures import OfficerLoad

if TYPE_CHECKING:
    from .state import SupervisorState

LIMIT = 200


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of the last intent: how many went, and why the others did not."""

    done: int
    refused: tuple[tuple[str, str], ...] = ()  # (tracking id, reason in the UI language)


@ft.observable
@dataclass
class DispatchModel:
    owner: InitVar[SupervisorState]
    new: list[QueueItem] = field(default_factory=list)
    working: list[QueueItem] = field(default_factory=list)
    officers: list[OfficerLoad] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    officer_id: str | None = None
    outcome: Outcome | None = None
    busy: bool = False
    loaded_at: datetime | None = None

    def __post_init__(self, owner: SupervisorState) -> None:
        self._owner = owner

    # --- reads ------------------------------------------------------------------------

    async def refresh(self) -> None:
        data = self._owner.data

        def read() -> tuple[datetime, list[QueueItem], list[QueueItem], list[OfficerLoad]]:
            now = data.now()
            return (
                now,
                data.dispatch_queue(now, LIMIT),
                data.working_queue(now, LIMIT),
                data.officer_loads(now),
            )

        now, new, working, officers = await asyncio.to_thread(read)
        self.new, self.working, self.officers = new, working, officers
        ids = {i.report.id for i in new}
        self.selected = [rid for rid in self.selected if rid in ids]
        if self.officer_id not in {o.officer_id for o in officers}:
            self.officer_id = None
        self.loaded_at = now

    def officer_name(self, officer_id: str | None) -> str:
        for o in self.officers:
            if o.officer_id == officer_id:
                return o.name
        return ""

    # --- selection --------------------------------------------------------------------

    def toggle(self, report_id: str) -> None:
        if report_id in self.selected:
            self.selected = [r for r in self.selected if r != report_id]
        else:
            self.selected = [*self.selected, report_id]

    def select_all(self) -> None:
        self.selected = [i.report.id for i in self.new]

    def clear_selection(self) -> None:
        self.selected = []

    def choose_officer(self, officer_id: str | None) -> None:
        self.officer_id = officer_id or None

    # --- actions ----------------------------------------------------------------------

    async def dispatch_selected(self) -> Outcome:
        """Dispatch every selected report to the chosen officer."""
        if self.officer_id is None:
            outcome = Outcome(0, (("", self._owner.t("supervisor.dispatch.choose_officer")),))
        elif not self.selected:
            outcome = Outcome(0, (("", self._owner.t("supervisor.dispatch.choose_reports")),))
        else:
            payload = {"assignee_id": self.officer_id}
            outcome = await self._run([(rid, Action.DISPATCH, payload) for rid in self.selected])
            self.selected = []
        self.outcome = outcome
        return outcome

    async def reassign(self, report_id: str, officer_id: str) -> Outcome:
        outcome = await self._run([(report_id, Action.REASSIGN, {"assignee_id": officer_id})])
        self.outcome = outcome
        return outcome

    async def return_not_our_duty(self, report_id: str, reason: str) -> Outcome:
        outcome = await self._run(
            [(report_id, Action.RETURN_NOT_OUR_DUTY, {"reason": reason.strip()})]
        )
        self.outcome = outcome
        return outcome

    async def _run(self, actions: list[tuple[str, Action, dict[str, str]]]) -> Outcome:
        data, lang = self._owner.data, self._owner.lang
        tracking = {i.report.id: i.report.tracking_id for i in (*self.new, *self.working)}
        self.busy = True

        def write() -> Outcome:
            done, refused = 0, []
            for rid, action, payload in actions:
                try:
                    data.record(rid, action, payload)
                    done += 1
                except ActionRefusedLocally as exc:
                    refused.append((tracking.get(rid, rid), exc.refusal.message(lang)))
                except LocalDbError as exc:
                    refused.append((tracking.get(rid, rid), str(exc)))
            return Outcome(done, tuple(refused))

        try:
            outcome = await asyncio.to_thread(write)
        finally:
            self.busy = False
        await self.refresh()
        return outcome
