"""Is a photo's capture time plausible evidence? One rule for the device and the server.

A gallery photo brings its own time (EXIF `DateTimeOriginal`), and a phone's clock can
be anything: a picture dated 2099, next month or 1970 must not pass as the moment the
work was done. A capture time is plausible when it is
- not in the future beyond `CLOCK_SKEW` (clocks differ; the device's is corrected by
  the sync engine's offset, the server's is its own);
- for a during or after photo, not before the report was received (less the skew):
  work cannot be photographed before anyone asked for it;
- for a before photo, not older than `MAX_BEFORE_AGE` before the report was received
  (a picture of the site from earlier is fine; years earlier is not evidence).
Otherwise the device uses the moment of the pick instead and both sides raise the same
`TimeFlag`, which travels with the photo to the validator. Pure: the caller gives `now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .report import require_aware
from .statuses import PhotoKind

CLOCK_SKEW = timedelta(minutes=10)
MAX_BEFORE_AGE = timedelta(days=365)


class TimeFlag(StrEnum):
    """Why a capture time was not used; the value is the flag the validator sees."""

    FUTURE = "time_future"
    BEFORE_REPORT = "time_before_report"
    TOO_OLD = "time_too_old"


TIME_FLAG_TEXT: dict[TimeFlag, tuple[str, str]] = {
    TimeFlag.FUTURE: (
        "Waktu foto di masa depan; dipakai waktu foto dilampirkan.",
        "The photo's time is in the future; the time it was attached is used.",
    ),
    TimeFlag.BEFORE_REPORT: (
        "Waktu foto sebelum laporan diterima; dipakai waktu foto dilampirkan.",
        "The photo's time is before the report was received; the time it was attached is used.",
    ),
    TimeFlag.TOO_OLD: (
        "Waktu foto terlalu lama sebelum laporan; dipakai waktu foto dilampirkan.",
        "The photo's time is far older than the report; the time it was attached is used.",
    ),
}


def capture_time_flag(
    captured_at: datetime, *, kind: PhotoKind, report_received_at: datetime, now: datetime
) -> TimeFlag | None:
    """None when `captured_at` is plausible evidence for a `kind` photo, else why not."""
    captured = require_aware(captured_at, "captured_at")
    received = require_aware(report_received_at, "report_received_at")
    if captured > require_aware(now, "now") + CLOCK_SKEW:
        return TimeFlag.FUTURE
    if kind in (PhotoKind.DURING, PhotoKind.AFTER) and captured < received - CLOCK_SKEW:
        return TimeFlag.BEFORE_REPORT
    if captured < received - MAX_BEFORE_AGE:
        return TimeFlag.TOO_OLD
    return None


@dataclass(frozen=True, slots=True)
class CaptureTime:
    """The time a photo is recorded with, and the flag when its own time was refused."""

    at: datetime
    flag: TimeFlag | None = None
    claimed: datetime | None = None  # the refused time, kept for the validator


def plausible_capture_time(
    claimed: datetime, *, kind: PhotoKind, report_received_at: datetime, now: datetime
) -> CaptureTime:
    """`claimed` when plausible, else `now` with the flag saying why (and `claimed`)."""
    flag = capture_time_flag(claimed, kind=kind, report_received_at=report_received_at, now=now)
    return CaptureTime(claimed) if flag is None else CaptureTime(now, flag, claimed)
