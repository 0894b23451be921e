"""What the UI can observe of the engine: the live progress and each run's report.

`SyncProgress` is an immutable value; the engine replaces it and calls each listener
with the new one from the sync thread (a Flet view-model should hand it to its own
loop, e.g. `page.run_task`). Listeners must be quick and must not call back into the
engine's blocking methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .errors import SyncError


class Phase(StrEnum):
    IDLE = "idle"
    UPLOADING_PHOTOS = "uploading_photos"
    PUSHING = "pushing"
    PULLING = "pulling"


class SessionStatus(StrEnum):
    SIGNED_OUT = "signed_out"  # nobody logged in on this device
    ACTIVE = "active"
    EXPIRED = "expired"  # log in again (the data is kept)
    REVOKED = "revoked"  # show the unsent work, then wipe


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    code: str
    message_id: str
    message_en: str
    at: datetime

    @classmethod
    def of(cls, exc: SyncError, at: datetime) -> ErrorInfo:
        return cls(exc.code, exc.message_id, exc.message_en, at)

    def message(self, lang: str) -> str:
        return self.message_id if lang == "id" else self.message_en


@dataclass(frozen=True, slots=True)
class SyncProgress:
    running: bool = False
    phase: Phase = Phase.IDLE
    done: int = 0  # items of the current phase
    total: int = 0
    bytes_sent: int = 0  # photo bytes of this run
    bytes_total: int = 0
    online: bool | None = None  # None: not known yet
    session: SessionStatus = SessionStatus.SIGNED_OUT
    last_error: ErrorInfo | None = None
    last_success_at: datetime | None = None
    pending_mutations: int = 0
    pending_photos: int = 0
    attention: int = 0


@dataclass(frozen=True, slots=True)
class SyncReport:
    """The outcome of one `sync_once` pass."""

    started_at: datetime
    finished_at: datetime
    photos_uploaded: int = 0
    photo_bytes: int = 0
    pushed: int = 0
    applied: int = 0
    rejected: int = 0
    pulled_upserts: int = 0
    pulled_removals: int = 0
    kept_out_of_scope: int = 0
    pages: int = 0
    requests: int = 0
    error: SyncError | None = None
    skipped_phases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.error is None

    def raise_for_error(self) -> None:
        if self.error is not None:
            raise self.error
