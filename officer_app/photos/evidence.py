"""The validator's check of a photo as evidence: taken where and when the report says?

Biro Pemerintahan approves or sends back completed work looking at the before/after
photos "and where they were taken". This puts numbers on that look: the distance from
the report's location, whether that is beyond a radius (200 m by default: a kelurahan
street block; GPS in dense Jakarta streets is often off by tens of metres), and whether
the photo predates the report (an old picture offered as evidence).

Pure: no I/O, no clock. A flag is only raised on evidence; missing data raises
`no_location` / leaves `taken_before_report` false, it never guesses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain import PhotoKind
from domain.capture_time import TIME_FLAG_TEXT, TimeFlag, capture_time_flag
from domain.geo import distance_m

from .errors import InvalidPhotoRequest
from .model import require_aware

DEFAULT_RADIUS_M = 200.0


@dataclass(frozen=True, slots=True)
class EvidenceNote:
    # "too_far" | "taken_before_report" | "no_location" | "imprecise" | a `TimeFlag` value
    code: str
    message_id: str
    message_en: str

    def message(self, lang: str = "id") -> str:
        return self.message_id if lang == "id" else self.message_en


@dataclass(frozen=True, slots=True)
class EvidenceCheck:
    distance_m: float | None  # None when the photo or the report has no location
    too_far: bool
    taken_before_report: bool
    no_location: bool
    radius_m: float = DEFAULT_RADIUS_M
    # The photo's own accuracy exceeds the radius: "too far" or "near" cannot be told.
    imprecise: bool = False
    # The capture time is not plausible (`domain.capture_time`), or the photo's own time
    # was refused when it was attached and the attach time is shown instead.
    implausible_time: TimeFlag | None = None

    @property
    def ok(self) -> bool:
        """Nothing to point out to the validator."""
        return not (
            self.too_far
            or self.taken_before_report
            or self.no_location
            or self.imprecise
            or self.implausible_time
        )

    def notes(self) -> tuple[EvidenceNote, ...]:
        """The flags as sentences for the validator's screen (Indonesian, English)."""
        notes: list[EvidenceNote] = []
        if self.no_location:
            notes.append(
                EvidenceNote(
                    "no_location",
                    "Foto atau laporan tidak memiliki lokasi; jarak tidak dapat diperiksa.",
                    "The photo or the report has no location; the distance cannot be checked.",
                )
            )
        if self.too_far and self.distance_m is not None:
            d = _metres(self.distance_m)
            notes.append(
                EvidenceNote(
                    "too_far",
                    f"Foto diambil {d} dari lokasi laporan (batas {self.radius_m:.0f} m).",
                    f"Photo taken {d} from the report's location (limit {self.radius_m:.0f} m).",
                )
            )
        if self.imprecise:
            notes.append(
                EvidenceNote(
                    "imprecise",
                    "Akurasi lokasi foto lebih kasar dari batas jarak; periksa secara visual.",
                    "The photo's location is coarser than the distance limit; check visually.",
                )
            )
        if self.implausible_time is not None:
            text_id, text_en = TIME_FLAG_TEXT[self.implausible_time]
            notes.append(EvidenceNote(self.implausible_time.value, text_id, text_en))
        if self.taken_before_report:
            notes.append(
                EvidenceNote(
                    "taken_before_report",
                    "Foto diambil sebelum laporan diterima.",
                    "The photo was taken before the report was received.",
                )
            )
        return tuple(notes)


def _metres(value: float) -> str:
    return f"{value / 1000:.1f} km" if value >= 1000 else f"{value:.0f} m"


def evidence_check(
    photo_lat: float | None,
    photo_lon: float | None,
    photo_time: datetime | None,
    report_lat: float | None,
    report_lon: float | None,
    report_received_at: datetime,
    radius_m: float = DEFAULT_RADIUS_M,
    *,
    photo_accuracy_m: float | None = None,
    photo_kind: PhotoKind | None = None,
    now: datetime | None = None,
    flags: Iterable[str] = (),
) -> EvidenceCheck:
    """Compare a photo's geotag and time with its report's location and receipt time.

    Pass the photo's server-corrected capture time (`captured_at`), not the device
    clock: a phone whose clock is a day behind must not make fresh work look old. With
    `photo_kind` and `now` the time is checked by the rule the device and the server
    apply (`domain.capture_time`); `flags` are the photo's flags as the server sent them
    (a time refused when the photo was attached is one of them).
    """
    if radius_m <= 0:
        raise InvalidPhotoRequest(f"radius_m must be > 0, got {radius_m}")
    require_aware(report_received_at, "report_received_at")
    before = False
    implausible = next((TimeFlag(f) for f in flags if f in _TIME_FLAGS), None)
    if photo_time is not None:
        before = require_aware(photo_time, "photo_time") < report_received_at
        if implausible is None and photo_kind is not None and now is not None:
            implausible = capture_time_flag(
                photo_time, kind=photo_kind, report_received_at=report_received_at, now=now
            )
            if implausible is TimeFlag.BEFORE_REPORT:
                implausible = None  # `taken_before_report` says it already
    if photo_lat is None or photo_lon is None or report_lat is None or report_lon is None:
        return EvidenceCheck(None, False, before, True, radius_m, False, implausible)
    distance = distance_m(photo_lat, photo_lon, report_lat, report_lon)
    imprecise = photo_accuracy_m is not None and photo_accuracy_m > radius_m
    return EvidenceCheck(
        distance, distance > radius_m, before, False, radius_m, imprecise, implausible
    )


_TIME_FLAGS = frozenset(f.value for f in TimeFlag)
