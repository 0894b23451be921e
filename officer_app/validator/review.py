"""Pemeriksaan: one report waiting for validation, its evidence, and the decision.

Before and after photos are shown side by side, each with its time and its distance
from the report's location and the photo module's flags (`evidence_check`: too far,
taken before the report, no location, imprecise). The officer's notes come from the
timeline. The validator approves (selesai) or sends the work back for rework with a
required note; then the next report of the queue opens (fast review).

Decisions are safe: approving a report with a red integrity note asks for confirmation
first (`confirming`); a decision is then held for `undo_seconds` (5 s) with a
"Batalkan" before it is recorded and queued (`staged`), and once recorded the screen
says so (`flash`) and the queue's counter moves.

Keyboard (desktop): A approve, R send back (asks for the note first when it is empty),
J next, K previous, U (or Ctrl+Z) undo the held decision, Enter confirms and Esc
cancels the confirmation, Esc leaves the note field. The keys go through the same
steps as the buttons. Shortcuts are ignored while the validator is typing in the note
field (`typing`), so a note can contain those letters.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import InitVar, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft

from domain import Action, PhotoKind
from domain.protocol import TimelineEntry
from local_db import ActionRefusedLocally, LocalDbError, ReportDetail

from ..i18n import Translator
from ..photos import EvidenceCheck, PhotoError, evidence_check
from ..state.thumbs import make_thumb
from .integrity import IntegrityNote, integrity_notes, picture_age

if TYPE_CHECKING:
    from .state import ValidatorState

log = logging.getLogger(__name__)

PREVIEW_EDGE = 960
FULL_EDGE = 2400  # the full-size view: the evidence stamp must be readable
UNDO_SECONDS = 5.0
EVIDENCE_KINDS = (PhotoKind.BEFORE, PhotoKind.DURING, PhotoKind.AFTER)


@dataclass(frozen=True, slots=True)
class EvidencePhoto:
    sha256: str
    kind: PhotoKind
    captured_at: datetime | None  # server-corrected when known
    taken_by: str
    check: EvidenceCheck
    local_path: str | None
    source: str = ""
    added_at: datetime | None = None
    flags: tuple[str, ...] = ()

    @property
    def age(self) -> timedelta | None:
        """How old the picture was when it was attached to the report."""
        return picture_age(self.captured_at, self.added_at)

    def notes(self, tr: Translator) -> list[IntegrityNote]:
        return integrity_notes(self.check, self.flags, self.source, self.age, tr)


@dataclass(frozen=True, slots=True)
class Staged:
    """A decision held for its undo window."""

    action: Action
    payload: dict[str, str]
    report_id: str
    tracking_id: str


def evidence_of(detail: ReportDetail, now: datetime | None = None) -> list[EvidencePhoto]:
    r = detail.report
    out = []
    for p in detail.photos:
        if p.kind not in EVIDENCE_KINDS:
            continue
        when = p.captured_at_server or p.captured_at
        check = evidence_check(
            p.latitude,
            p.longitude,
            when,
            r.latitude,
            r.longitude,
            r.received_at,
            photo_accuracy_m=p.accuracy_m,
            photo_kind=p.kind,
            now=now,
            flags=p.flags,
        )
        out.append(
            EvidencePhoto(
                p.sha256,
                p.kind,
                when,
                p.taken_by,
                check,
                p.local_path,
                p.source,
                p.added_at,
                p.flags,
            )
        )
    order = {k: i for i, k in enumerate(EVIDENCE_KINDS)}
    return sorted(out, key=lambda e: (order[e.kind], e.captured_at or r.received_at))


def officer_notes(detail: ReportDetail) -> list[TimelineEntry]:
    """What people wrote on the report (progress, completion, send-backs), oldest first."""
    return [t.entry for t in detail.timeline if t.entry.note and t.entry.event != "received"]


@ft.observable
@dataclass
class ReviewModel:
    owner: InitVar[ValidatorState]
    report_id: str | None = None
    detail: ReportDetail | None = None
    photos: list[EvidencePhoto] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)  # sha256 -> preview JPEG
    missing: list[str] = field(default_factory=list)  # photos not available offline
    notes: list[TimelineEntry] = field(default_factory=list)
    typing: bool = False
    want_note: bool = False  # R was pressed with no note: the view focuses the field
    field_seq: int = 0  # bumped to rebuild the note field (take or drop its focus)
    error: str | None = None
    busy: bool = False
    decided: str | None = None  # what was done last ("approve" / "send_back")
    loaded_at: datetime | None = None
    staged: Staged | None = None  # a decision in its undo window
    confirming: bool = False  # approving with red notes: asked to confirm
    flash: str | None = None  # what just happened, in words
    zoomed: str | None = None  # the photo shown full size (sha256)
    full_image: bytes | None = None
    undo_seconds: float = UNDO_SECONDS

    def __post_init__(self, owner: ValidatorState) -> None:
        self._owner = owner
        self._generation = 0
        self._timer: asyncio.Task[Any] | None = None
        # The note being typed. Private (not observed): echoing every keystroke back to
        # the field while the validator types would race with the typing itself.
        self._note = ""

    @property
    def note(self) -> str:
        return self._note

    # --- position in the queue ----------------------------------------------------

    @property
    def ids(self) -> list[str]:
        return self._owner.queue.ids

    @property
    def position(self) -> int:
        ids = self.ids
        return ids.index(self.report_id) if self.report_id in ids else -1

    # --- loading --------------------------------------------------------------------

    async def open(self, report_id: str) -> None:
        if report_id != self.report_id:
            self._note, self.error, self.want_note, self.typing = "", None, False, False
            self.field_seq += 1  # a fresh, empty note field for the new report
        self.report_id = report_id
        await self.refresh()

    async def refresh(self) -> None:
        rid = self.report_id
        if rid is None:
            return
        self._generation += 1
        generation = self._generation
        data, cache = self._owner.data, self._owner.photos

        def read() -> tuple[datetime, ReportDetail | None]:
            return data.now(), data.report(rid)

        now, detail = await asyncio.to_thread(read)
        if generation != self._generation:
            return
        self.detail = detail
        self.photos = evidence_of(detail, now) if detail is not None else []
        self.notes = officer_notes(detail) if detail is not None else []
        self.loaded_at = now
        photos = list(self.photos)

        def load_images() -> tuple[dict[str, bytes], list[str]]:
            images, missing = {}, []
            for p in photos:
                raw = cache.get(p.sha256, p.local_path)
                if raw is None:
                    missing.append(p.sha256)
                    continue
                try:
                    images[p.sha256] = make_thumb(raw, PREVIEW_EDGE)
                except PhotoError as exc:
                    log.warning("cannot show photo %s: %s", p.sha256[:12], exc)
                    missing.append(p.sha256)
            return images, missing

        images, missing = await asyncio.to_thread(load_images)
        if generation == self._generation:
            self.images, self.missing = images, missing

    # --- typing ---------------------------------------------------------------------

    def set_note(self, text: str) -> None:
        self._note = text
        if text.strip():
            self.want_note = False

    def set_typing(self, typing: bool) -> None:
        self.typing = typing
        if typing:
            self.want_note = False

    # --- decisions ------------------------------------------------------------------

    def red_notes(self) -> list[IntegrityNote]:
        tr = self._owner.session.app.tr
        return [n for p in self.photos for n in p.notes(tr) if n.red]

    async def approve(self, *, confirmed: bool = False) -> bool:
        """Approve (after confirmation when a photo has a red note); held for undo."""
        if self.staged is not None or self.report_id is None:
            return False
        if not confirmed and self.red_notes():
            self.confirming = True
            return False
        self.confirming = False
        return await self._stage(
            Action.APPROVE, {"note": self.note.strip()} if self.note.strip() else {}
        )

    async def confirm(self) -> bool:
        return await self.approve(confirmed=True) if self.confirming else False

    def cancel_confirm(self) -> None:
        self.confirming = False

    async def send_back(self) -> bool:
        if self.staged is not None or self.report_id is None:
            return False
        if not self.note.strip():
            self.error = self._owner.t("validator.review.note_required")
            self.want_note = True
            self.field_seq += 1  # rebuilt with autofocus: the validator types at once
            return False
        return await self._stage(Action.SEND_BACK, {"note": self.note.strip()})

    async def _stage(self, action: Action, payload: dict[str, str]) -> bool:
        rid = self.report_id
        if rid is None or self.busy:
            return False
        tid = self.detail.report.tracking_id if self.detail is not None else rid
        staged = Staged(action, payload, rid, tid)
        self.error = None
        if self.undo_seconds <= 0:
            return await self._decide(staged)
        self.staged = staged
        self.flash = None
        self._timer = asyncio.create_task(self._hold(staged))
        return True

    async def _hold(self, staged: Staged) -> None:
        await asyncio.sleep(self.undo_seconds)
        if self.staged is staged:
            await self.commit()

    async def commit(self) -> bool:
        """Record the held decision now (its undo window is over)."""
        staged = self.staged
        if staged is None:
            return False
        self.staged = None
        timer, self._timer = self._timer, None
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()
        return await self._decide(staged)

    def undo(self) -> bool:
        """Batalkan: drop the held decision; nothing was recorded."""
        staged = self.staged
        if staged is None:
            return False
        self.staged = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.flash = self._owner.t("validator.review.undone", id=staged.tracking_id)
        return True

    async def _decide(self, staged: Staged) -> bool:
        rid, action, payload = staged.report_id, staged.action, staged.payload
        if self.busy:
            return False
        data, lang = self._owner.data, self._owner.lang
        ids_before = self.ids
        self.busy = True

        def write() -> str | None:
            try:
                data.record(rid, action, payload)
            except ActionRefusedLocally as exc:
                return exc.refusal.message(lang)
            except LocalDbError as exc:
                return str(exc)
            return None

        try:
            error = await asyncio.to_thread(write)
        finally:
            self.busy = False
        self.error = error
        if error is not None:
            return False
        self.decided = action.value
        await self._owner.queue.refresh()
        done = "approved" if action is Action.APPROVE else "sent_back"
        self.flash = self._owner.t(
            f"validator.review.{done}", id=staged.tracking_id
        ) + self._owner.t("validator.review.left", n=len(self.ids))
        if rid != self.report_id:
            return True  # the validator moved on meanwhile: stay where they are
        following = _following(ids_before, rid, self.ids)
        if following is None:
            self.report_id, self.detail, self.photos = None, None, []
            self._owner.session.navigate("/")
        else:
            self._owner.session.navigate(f"/validasi/{following}")
            await self.open(following)
        return True

    # --- full size ------------------------------------------------------------------

    async def open_photo(self, sha256: str) -> None:
        """Show one photo full size (zoom and pan in the view)."""
        photo = next((p for p in self.photos if p.sha256 == sha256), None)
        if photo is None:
            return
        cache = self._owner.photos

        def load() -> bytes | None:
            raw = cache.get(photo.sha256, photo.local_path)
            if raw is None:
                return None
            try:
                return make_thumb(raw, FULL_EDGE)
            except PhotoError:
                return None

        self.zoomed = sha256
        self.full_image = self.images.get(sha256)
        full = await asyncio.to_thread(load)
        if self.zoomed == sha256 and full is not None:
            self.full_image = full

    def close_photo(self) -> None:
        self.zoomed, self.full_image = None, None

    # --- moving ---------------------------------------------------------------------

    async def step(self, delta: int) -> None:
        ids = self.ids
        if not ids:
            return
        pos = self.position
        target = 0 if pos < 0 else max(0, min(len(ids) - 1, pos + delta))
        if ids[target] != self.report_id:
            self._owner.session.navigate(f"/validasi/{ids[target]}")
            await self.open(ids[target])

    async def on_key(
        self, key: str, *, ctrl: bool = False, alt: bool = False, meta: bool = False
    ) -> str | None:
        """A desktop shortcut; returns what it did (None when the key is not one)."""
        k = key.strip().lower()
        if ctrl and k == "z" and not self.typing:
            return "undo" if self.undo() else None
        if ctrl or alt or meta:
            return None
        if self.confirming:
            if k == "enter":
                await self.confirm()
                return "confirm"
            if k == "escape":
                self.cancel_confirm()
                return "cancel"
            return None
        if self.zoomed is not None and k == "escape":
            self.close_photo()
            return "close"
        if k == "escape":
            self.typing = False
            self.want_note = False
            self.field_seq += 1  # a rebuilt field without autofocus: the focus leaves it
            return "escape"
        if self.typing or self.busy or self.report_id is None:
            return None
        if self.staged is not None:
            if k == "u":
                self.undo()
                return "undo"
            return None
        if k == "a":
            await self.approve()
            return "approve"
        if k == "r":
            await self.send_back()
            return "send_back"
        if k == "j":
            await self.step(1)
            return "next"
        if k == "k":
            await self.step(-1)
            return "previous"
        return None


def _following(before: list[str], decided: str, now: list[str]) -> str | None:
    """The report to open after deciding `decided`: the next one of the queue as it was."""
    if not now:
        return None
    if decided in before:
        for rid in before[before.index(decided) + 1 :]:
            if rid in now:
                return rid
    return now[0]
