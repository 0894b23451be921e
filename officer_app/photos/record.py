"""Recording a stored photo in the device database (`local_db.add_photo`).

    recorder = LocalDbRecorder(db, actor, now=engine.now_server)
    capture_photo(recorder, report, kind, raw, source, fix, offset, settings, photo_dir)

`local_db.add_photo` writes the photo row and its ADD_PHOTO outbox entry in one
transaction and computes the server-corrected time itself from the stored clock offset;
it receives the device clock (`ProcessedPhoto.device_time`) as `NewPhoto.captured_at`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from domain import Actor
from local_db import LocalDb, NewPhoto, OutboxEntry, add_photo
from local_db import LocationSource as DbLocationSource

from .model import ProcessedPhoto


def _utcnow() -> datetime:
    return datetime.now(UTC)


def to_new_photo(photo: ProcessedPhoto, path: Path) -> NewPhoto:
    """The database's view of a stored photo."""
    return NewPhoto(
        path=str(path),
        sha256=photo.sha256,
        kind=photo.kind,
        size_bytes=photo.size_bytes,
        width=photo.width,
        height=photo.height,
        captured_at=photo.device_time,
        latitude=photo.latitude,
        longitude=photo.longitude,
        accuracy_m=photo.accuracy_m,
        location_source=DbLocationSource(photo.location_source.value),
        source=photo.source.value,
        time_flag=photo.time_flag.value if photo.time_flag is not None else "",
        claimed_at=photo.claimed_at,
    )


@dataclass(frozen=True, slots=True)
class LocalDbRecorder:
    """A `PhotoRecorder` that adds the photo to its report through `local_db.add_photo`.

    `now` gives the time the action is recorded at: pass the sync engine's
    server-corrected clock (`SyncEngine.now_server`). Raises what `add_photo` raises
    (`ActionRefusedLocally`, `ReportNotFound`); `capture_photo` maps it.
    """

    db: LocalDb
    actor: Actor
    now: Callable[[], datetime] = field(default=_utcnow)
    note: str = ""

    def __call__(self, photo: ProcessedPhoto, path: Path) -> OutboxEntry:
        return add_photo(
            self.db, self.actor, photo.report_id, to_new_photo(photo, path), self.now(), self.note
        )
