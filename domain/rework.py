"""Rework: what completing again needs after a validator sent the work back.

The rule (both sides call it through `workflow.check`): after a send-back, completing
needs at least one *new* after-photo, one captured after the send-back. Re-adding a
photo the report already holds does not count, nor does a picture taken before the
send-back (the rejected evidence, or an old one from the gallery).

The report carries what the rule needs (`Report.sent_back_at`,
`Report.awaiting_new_after_photo`, `Report.photo_shas`); the server derives them from
its timeline and photo links, the device receives them in each snapshot, and
`workflow.apply` keeps them as actions happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .report import Report
from .statuses import PhotoKind


@dataclass(frozen=True, slots=True)
class PhotoClaim:
    """A photo being attached: its content address, kind and (server-time) capture."""

    sha256: str
    kind: PhotoKind
    captured_at: datetime | None


def counts_as_new_after_photo(report: Report, photo: PhotoClaim) -> bool:
    """Does attaching `photo` give the rework the new after-photo it needs?"""
    if photo.kind is not PhotoKind.AFTER or photo.sha256 in report.photo_shas:
        return False
    if report.sent_back_at is None:
        return True
    return photo.captured_at is not None and photo.captured_at >= report.sent_back_at


def needs_new_after_photo(report: Report) -> bool:
    """Is the report waiting for a new after-photo before it may be completed again?"""
    return report.awaiting_new_after_photo


def after_attaching(report: Report, photo: PhotoClaim) -> Report:
    """The report once `photo` is attached (kinds, content addresses, rework state)."""
    fresh = counts_as_new_after_photo(report, photo)
    return report.evolve(
        photo_kinds=report.photo_kinds | {photo.kind},
        photo_shas=report.photo_shas | {photo.sha256},
        awaiting_new_after_photo=report.awaiting_new_after_photo and not fresh,
    )
