"""The integrity notes beside each evidence photo, and which of them are red.

From the photo module's check (`evidence_check`: too far, taken before the report, no
location, imprecise) and the server's flags (`same_as_before`, `reused:<tracking id>`),
plus what the photo says about itself: from the gallery rather than the camera, and how
old the picture was when it was attached (`added_at - captured_at`; for a gallery
picture `captured_at` is its own date). A red note makes approving ask for
confirmation; none of them ever stops the officer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.capture_time import TimeFlag

from ..i18n import Translator
from ..photos import EvidenceCheck
from ..supervisor.texts import duration_text

OLD_PICTURE = timedelta(hours=24)  # attached more than a day after it was taken: red
_RED_CHECKS = frozenset(
    {"too_far", "taken_before_report", "imprecise", *(f.value for f in TimeFlag)}
)


@dataclass(frozen=True, slots=True)
class IntegrityNote:
    code: str  # too_far, taken_before_report, no_location, imprecise, same_as_before,
    # reused, gallery, old_picture
    text: str
    red: bool


def picture_age(captured_at: datetime | None, added_at: datetime | None) -> timedelta | None:
    if captured_at is None or added_at is None:
        return None
    return max(timedelta(0), added_at - captured_at)


def integrity_notes(
    check: EvidenceCheck,
    flags: tuple[str, ...],
    source: str,
    age: timedelta | None,
    tr: Translator,
) -> list[IntegrityNote]:
    notes = [
        IntegrityNote(n.code, n.message(tr.lang), n.code in _RED_CHECKS) for n in check.notes()
    ]
    for flag in flags:
        code, _, param = flag.partition(":")
        if code == "same_as_before":
            notes.append(IntegrityNote(code, tr.t("validator.flag.same_as_before"), True))
        elif code == "reused":
            notes.append(IntegrityNote(code, tr.t("validator.flag.reused", id=param), True))
    if source == "gallery":
        notes.append(IntegrityNote("gallery", tr.t("validator.flag.gallery"), False))
    if age is not None and age > OLD_PICTURE:
        text = tr.t("validator.flag.old_picture", age=duration_text(age, tr))
        notes.append(IntegrityNote("old_picture", text, True))
    return notes
