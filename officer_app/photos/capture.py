"""The capture glue the app calls: process -> store -> record, one call per photo.

    result = capture_photo(recorder, report, PhotoKind.AFTER, raw, PhotoSource.CAMERA,
                           fix, engine_offset, settings, photo_dir)

Invariants:
- nothing is recorded unless the file is complete on disk under its content address
  (the row and its outbox mutation may then reference it safely);
- a failure before recording leaves no row and at most an unreferenced, complete file
  (harmless: content-addressed, never uploaded on its own);
- only `PhotoError` subclasses leave `capture_photo`: a recorder's own error (the local
  rules refuse the action, a locked database...) arrives as `PhotoNotRecorded`, with
  its bilingual reason when the recorder gave one and the stored path to retry with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from domain import PhotoKind

from .errors import PhotoError, PhotoNotRecorded
from .model import GeoFix, PhotoSource, PhotoWarning, ProcessedPhoto
from .process import process_photo
from .settings import PhotoSettings
from .store import store_processed

R_co = TypeVar("R_co", covariant=True)
R = TypeVar("R")


class ReportIdentity(Protocol):
    """What the pipeline needs of a report (`domain.Report` has both)."""

    @property
    def id(self) -> str: ...
    @property
    def tracking_id(self) -> str: ...


class PhotoRecorder(Protocol[R_co]):
    """Records a stored photo: its row and ADD_PHOTO outbox entry in one transaction."""

    def __call__(self, photo: ProcessedPhoto, path: Path) -> R_co: ...


@dataclass(frozen=True, slots=True)
class CaptureResult(Generic[R]):
    photo: ProcessedPhoto
    path: Path
    record: R  # what the recorder returned (local_db: the outbox entry)

    @property
    def warnings(self) -> tuple[PhotoWarning, ...]:
        return self.photo.warnings


def capture_photo(
    recorder: PhotoRecorder[R],
    report: ReportIdentity,
    kind: PhotoKind,
    raw_bytes: bytes,
    source: PhotoSource,
    fix: GeoFix | None,
    clock_offset: timedelta,
    settings: PhotoSettings,
    photo_dir: Path,
    *,
    device_time: datetime | None = None,
) -> CaptureResult[R]:
    """Process, store and record one photo; raises only `PhotoError`.

    `device_time` defaults to now (device clock): pass the shutter's moment when the
    camera control reports it. Blocking (~0.1-0.3 s on a desktop, more on a phone):
    call it from a worker thread, never from the UI event loop.
    """
    shot_at = device_time if device_time is not None else datetime.now(UTC)
    # A `domain.Report` has its receipt time: the capture time is then checked against it.
    received_at = getattr(report, "received_at", None)
    photo = process_photo(
        raw_bytes,
        kind=kind,
        report_id=report.id,
        tracking_id=report.tracking_id,
        source=source,
        fix=fix,
        device_time=shot_at,
        clock_offset=clock_offset,
        settings=settings,
        report_received_at=received_at if isinstance(received_at, datetime) else None,
    )
    path = store_processed(photo, photo_dir)
    try:
        record = recorder(photo, path)
    except PhotoError:
        raise
    except Exception as exc:
        message_id, message_en = _reason(exc)
        raise PhotoNotRecorded(
            f"recording failed: {exc!r}",
            path=str(path),
            sha256=photo.sha256,
            message_id=message_id,
            message_en=message_en,
        ) from exc
    return CaptureResult(photo, path, record)


def _reason(exc: Exception) -> tuple[str | None, str | None]:
    """The recorder's own bilingual reason, if it carries one (local_db's refusals do)."""
    refusal = getattr(exc, "refusal", None)
    for holder in (refusal, exc):
        message_id = getattr(holder, "message_id", None)
        message_en = getattr(holder, "message_en", None)
        if isinstance(message_id, str) and isinstance(message_en, str) and message_id:
            return message_id, message_en
    return None, None
