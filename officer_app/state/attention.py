"""Perlu perhatian: actions the server refused, and what the officer can do about each.

Each item keeps the officer's original data (notes, photos) until the officer decides:
- resend as it was (`retry`: re-queued under a new id, e.g. after a photo finished
  uploading or the supervisor fixed the assignment);
- edit and resend (`edit` opens a form prefilled with the original values; submitting
  records a fresh action on the report, then the item is cleared);
- discard, only after confirming (`ask_discard` then `confirm_discard`).
A report that left the officer's scope can only be discarded (after reading why).
"""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from domain import JAKARTA, RULES, Need, Refusal
from local_db import (
    ActionRefusedLocally,
    AttentionItem,
    AttentionKind,
    LocalDbError,
    ReportNotFound,
)

from ..format import wib
from ..i18n import Translator
from .detail import ActionForm, FormValues, form_payload

if TYPE_CHECKING:
    from .session import Session

_EDITABLE = frozenset({Need.NOTE, Need.REASON, Need.PERCENT, Need.PROPOSED_DEADLINE})
# Refusals that mean "not yours (any more)": sending it again cannot help.
_NOT_YOURS = frozenset(
    {Refusal.UNKNOWN_REPORT, Refusal.NOT_ASSIGNEE, Refusal.OTHER_UNIT, Refusal.ROLE_NOT_ALLOWED}
)


@dataclass(frozen=True, slots=True)
class AttentionRow:
    id: int
    report_id: str
    tracking_id: str
    title: str
    action: str  # what the officer did, in words
    reason: str  # the server's (or the device's) reason, in the current language
    hint: str  # what the officer can do now
    at: str
    photos: int
    can_resend: bool
    can_edit: bool


def make_row(item: AttentionItem, tr: Translator) -> AttentionRow:
    action = tr.t(f"action.{item.action.value}") if item.action else tr.t("attention.no_action")
    not_yours = item.code in {r.value for r in _NOT_YOURS}
    resend = (
        item.kind in (AttentionKind.REJECTED, AttentionKind.DEPENDS_ON_REJECTED)
        and item.action is not None
        and not not_yours
    )
    editable = (
        resend and item.action is not None and bool(set(RULES[item.action].needs) & _EDITABLE)
    )
    return AttentionRow(
        id=item.id,
        report_id=item.report_id,
        tracking_id=item.tracking_id,
        title=item.report_title,
        action=action,
        reason=item.message(tr.lang),
        hint=tr.t(
            "attention.hint.out_of_scope" if not_yours else f"attention.hint.{item.kind.value}"
        ),
        at=wib(item.created_at, tr),
        photos=len(item.photos),
        can_resend=resend,
        can_edit=editable,
    )


@ft.observable
@dataclass
class AttentionModel:
    session: InitVar[Session]
    rows: list[AttentionRow] = field(default_factory=list)
    confirm_discard_id: int | None = None
    form: ActionForm | None = None
    editing_id: int | None = None

    def __post_init__(self, session: Session) -> None:
        self._session = session
        self._items: dict[int, AttentionItem] = {}

    @property
    def count(self) -> int:
        return len(self.rows)

    async def refresh(self) -> None:
        items = await asyncio.to_thread(self._session.device.attention)
        self._items = {i.id: i for i in items}
        self.relabel()

    def relabel(self) -> None:
        tr = self._session.app.tr
        self.rows = [make_row(i, tr) for i in self._items.values()]

    async def retry(self, item_id: int) -> None:
        app = self._session.app
        try:
            await asyncio.to_thread(self._session.device.retry_attention, item_id)
        except ActionRefusedLocally as exc:
            app.say(exc.refusal.message(app.lang))
        except LocalDbError as exc:
            app.say(app.t("error.save_failed", detail=str(exc)))
        else:
            app.say(app.t("attention.resent"))
        await self._session.refresh_all()

    def ask_discard(self, item_id: int) -> None:
        self.confirm_discard_id = item_id

    def cancel_discard(self) -> None:
        self.confirm_discard_id = None

    async def confirm_discard(self) -> None:
        item_id, self.confirm_discard_id = self.confirm_discard_id, None
        if item_id is None:
            return
        await asyncio.to_thread(self._session.device.dismiss_attention, item_id)
        self._session.app.say(self._session.app.t("attention.discarded"))
        await self._session.refresh_all()

    def edit(self, item_id: int) -> None:
        item = self._items.get(item_id)
        if item is None or item.action is None:
            return
        needs = tuple(n for n in RULES[item.action].needs if n in _EDITABLE)
        p = item.payload
        date = ""
        if isinstance(p.get("proposed_deadline"), str):
            try:
                date = (
                    datetime.fromisoformat(p["proposed_deadline"]).astimezone(JAKARTA).date()
                ).isoformat()
            except ValueError:
                date = ""
        values = FormValues(
            note=str(p.get("note", "")),
            reason=str(p.get("reason", "")),
            percent=str(p.get("percent", "")),
            date=date,
        )
        self.form = ActionForm(action=item.action, needs=needs, values=values)
        self.editing_id = item_id

    def cancel_edit(self) -> None:
        self.form, self.editing_id = None, None

    async def submit_edit(self) -> None:
        form, item_id = self.form, self.editing_id
        item = self._items.get(item_id) if item_id is not None else None
        if form is None or item is None or item.action is None:
            return
        app = self._session.app
        payload, error = form_payload(form, app.tr)
        if error:
            form.error = error
            return
        # Keep a photo reference of the original (a refused completion keeps its photo).
        if "photo" in item.payload:
            payload["photo"] = item.payload["photo"]
        form.busy = True
        try:
            await asyncio.to_thread(
                self._session.device.record, item.report_id, item.action, payload
            )
            await asyncio.to_thread(self._session.device.dismiss_attention, item.id)
        except ActionRefusedLocally as exc:
            form.error = exc.refusal.message(app.lang)
            return
        except ReportNotFound:
            form.error = app.t("detail.missing")
            return
        except LocalDbError as exc:  # pragma: no cover - a disk fault
            form.error = app.t("error.save_failed", detail=str(exc))
            return
        finally:
            form.busy = False
        self.form, self.editing_id = None, None
        app.say(app.t("attention.resent"))
        await self._session.refresh_all()
