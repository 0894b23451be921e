"""Status sinkron: what the sync engine is doing, for the bar every screen shows.

The engine reports `SyncProgress` from its own thread; the session posts each report
onto the UI loop (`Session.attach`), where `on_progress` copies it into this model.
When a sync finishes, the screens reload from the database (`Session.refresh_all`), and
an engine that says the device was revoked or the session expired switches the gate.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import flet as ft

from sync import Phase, SessionStatus, SyncProgress

from ..format import ago, size_text
from .app_model import Gate

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger(__name__)

MAX_WAIT_LINES = 3


@ft.observable
@dataclass
class SyncStatusModel:
    session: InitVar[Session]
    online: bool | None = None  # None: not known yet (no attempt so far)
    syncing: bool = False
    phase: str = ""
    fraction: float | None = None  # None: indeterminate
    last_success: datetime | None = None
    last_sync_text: str = ""
    pending_items: int = 0
    pending_photos: int = 0
    attention: int = 0
    error: str | None = None
    needs_login: bool = False
    # While photos upload: "foto 3 dari 12 · 1,2 MB tersisa".
    upload_text: str = ""
    # Which actions wait for which photo, in upload order (a few lines at most).
    photo_waits: list[str] = field(default_factory=list)

    def __post_init__(self, session: Session) -> None:
        self._session = session
        self._last: SyncProgress | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # The pending photo count and language the wait lines were made for.
        self._waits_for: tuple[int, str] | None = None

    @property
    def unsent(self) -> int:
        return self.pending_items + self.pending_photos

    def on_progress(self, progress: SyncProgress) -> None:
        was_syncing = self.syncing
        self._last = progress
        self.relabel()
        finished = was_syncing and not self.syncing
        app = self._session.app
        revoked = progress.session is SessionStatus.REVOKED
        if revoked and app.gate is not Gate.REVOKED:
            self._spawn(self._on_revoked())
        elif progress.session is SessionStatus.EXPIRED and not app.session_expired:
            app.session_expired = True
        elif progress.session is SessionStatus.ACTIVE and app.session_expired:
            app.session_expired = False
        if finished:
            self._spawn(self._session.refresh_all())

    def relabel(self) -> None:
        p = self._last
        if p is None:
            return
        app = self._session.app
        tr = app.tr
        self.online = p.online
        self.syncing = p.running
        self.phase = tr.t(f"sync.phase.{p.phase.value}") if p.running else ""
        if p.bytes_total:
            self.fraction = min(1.0, p.bytes_sent / p.bytes_total)
        elif p.total:
            self.fraction = min(1.0, p.done / p.total)
        else:
            self.fraction = None
        self.last_success = p.last_success_at
        self.last_sync_text = (
            ago(p.last_success_at, self._session.device_now(), tr) if p.last_success_at else ""
        )
        self.pending_items = p.pending_mutations
        self.pending_photos = p.pending_photos
        self.attention = p.attention
        self.error = p.last_error.message(app.lang) if p.last_error else None
        self.needs_login = p.session is SessionStatus.EXPIRED
        uploading = p.running and p.phase is Phase.UPLOADING_PHOTOS and p.total > 0
        self.upload_text = (
            tr.t(
                "sync.photo_progress",
                n=min(p.done + 1, p.total),
                total=p.total,
                left=size_text(max(0, p.bytes_total - p.bytes_sent), app.lang),
            )
            if uploading
            else ""
        )
        if (p.pending_photos, app.lang) != self._waits_for:
            self._waits_for = (p.pending_photos, app.lang)
            self.photo_waits = self._wait_lines() if p.pending_photos else []

    def _wait_lines(self) -> list[str]:
        """ "Foto 1 (CRM-…) ditunggu: Tambah foto, Selesaikan" for the first photos."""
        tr = self._session.app.tr
        try:
            waits = self._session.device.photo_waits()
        except Exception:  # a read must never break the status strip
            log.exception("could not read the photo waits")
            return []
        lines = [
            tr.t(
                "sync.waits_for_photo",
                n=i + 1,
                report=w.report_ref,
                actions=", ".join(tr.t(f"action.{a}") for a in w.actions),
            )
            for i, w in enumerate(waits[:MAX_WAIT_LINES])
        ]
        if len(waits) > MAX_WAIT_LINES:
            lines.append(tr.t("sync.more_waits", n=len(waits) - MAX_WAIT_LINES))
        return lines

    def sync_now(self) -> None:
        self._session.device.request_sync()

    async def _on_revoked(self) -> None:
        work = await asyncio.to_thread(self._session.device.unsent_work)
        self._session.app.revoked(work)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            task = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:  # no loop (a synchronous test): run nothing in background
            coro.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
