"""Pemeriksaan: one report waiting for validation, its evidence, and the decision.

Before and after photos are shown side by side, each with its time and its distance
from the report's location and the photo module's flags (`evidence_check`: too far,
taken before the report, no location, imprecise). The officer's notes come from the
timeline. The validator approves (selesai) or sends the work back for rework with a
required note; then the next report of the queue opens (fast review).

Keyboard (desktop): A approve, R send back (asks for the note first when it is empty),
J next, K previous, Esc leaves the note field. Shortcuts are ignored while the
validator is typing in the note field (`typing`), so a note can contain those letters.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import flet as ft

from domain import Action, PhotoKind
from domain.protocol import TimelineEntry
from local_db import ActionRefusedLocally, LocalDbError, LocalPhoto, ReportDetail

from ..photos import EvidenceCheck, PhotoError, evidence_check
from ..state.thumbs import make_thumb

if TYPE_CHECKING:
    from .state import ValidatorState

log = logging.getLogger(__name__)

PREVIEW_EDGE = 960
EVIDENCE_KINDS = (PhotoKind.BEFORE, PhotoKind.DURING, PhotoKind.AFTER)


@dataclass(frozen=True, slots=True)
class EvidencePhoto:
    sha256: str
    kind: PhotoKind
    captured_at: datetime | None  # server-corrected when known
    taken_by: str
    check: EvidenceCheck
    local_path: str | None


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
        out.append(EvidencePhoto(p.sha256, p.kind, when, p.taken_by, check, p.local_path))
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

    def __post_init__(self, owner: ValidatorState) -> None:
        self._owner = owner
        self._generation = 0
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

    async def approve(self) -> bool:
        return await self._decide(
            Action.APPROVE, {"note": self.note.strip()} if self.note.strip() else {}
        )

    async def send_back(self) -> bool:
        if not self.note.strip():
            self.error = self._owner.t("validator.review.note_required")
            self.want_note = True
            self.field_seq += 1  # rebuilt with autofocus: the validator types at once
            return False
        return await self._decide(Action.SEND_BACK, {"note": self.note.strip()})

    async def _decide(self, action: Action, payload: dict[str, str]) -> bool:
        rid = self.report_id
        if rid is None or self.busy:
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
        following = _following(ids_before, rid, self.ids)
        if following is None:
            self.report_id, self.detail, self.photos = None, None, []
            self._owner.session.navigate("/")
        else:
            self._owner.session.navigate(f"/validasi/{following}")
            await self.open(following)
        return True

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
        if ctrl or alt or meta:
            return None
        k = key.strip().lower()
        if k == "escape":
            self.typing = False
            self.want_note = False
            self.field_seq += 1  # a rebuilt field without autofocus: the focus leaves it
            return "escape"
        if self.typing or self.busy or self.report_id is None:
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


def photo_of(detail: ReportDetail, sha256: str) -> LocalPhoto | None:
    return next((p for p in detail.photos if p.sha256 == sha256), None)
