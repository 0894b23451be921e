"""Typed values the device database returns (frozen dataclasses and enums).

Dicts exist only at the SQL and JSON edges; every public query returns these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain import Action, PhotoKind, Report, Role, Status, Urgency
from domain.protocol import TimelineEntry, UserInfo


class Stage(StrEnum):
    """The officer's tabs: where a report stands from the device user's point of view."""

    NEW = "new"  # baru: at the unit, not yet dispatched
    TO_ACT = "to_act"  # didisposisikan / diterima
    IN_PROGRESS = "in_progress"  # dalam_proses, never sent back
    REWORK = "rework"  # dalam_proses after a validator sent it back
    WAITING_VALIDATION = "waiting_validation"  # menunggu_validasi
    DONE = "done"  # selesai / ditutup / koordinasi (out of the officer's hands)
    OUT_OF_SCOPE = "out_of_scope"  # left the user's scope with unsent work on it


class Bucket:
    """The `reports.bucket` column: the first key of the queue index."""

    OPEN = 0
    CLOSED = 1
    OUT_OF_SCOPE = 2


def stage_of(report: Report, in_scope: bool = True) -> Stage:
    if not in_scope:
        return Stage.OUT_OF_SCOPE
    s = report.status
    if s is Status.BARU:
        return Stage.NEW
    if s in (Status.DIDISPOSISIKAN, Status.DITERIMA):
        return Stage.TO_ACT
    if s is Status.DALAM_PROSES:
        return Stage.REWORK if report.rework_count > 0 else Stage.IN_PROGRESS
    if s is Status.MENUNGGU_VALIDASI:
        return Stage.WAITING_VALIDATION
    return Stage.DONE


def bucket_of(report: Report, in_scope: bool = True) -> int:
    if not in_scope:
        return Bucket.OUT_OF_SCOPE
    return Bucket.CLOSED if report.status.is_terminal else Bucket.OPEN


class OutboxState(StrEnum):
    PENDING = "pending"  # waiting to be pushed
    SENT = "sent"  # in a push whose answer has not arrived (resent as is)
    APPLIED = "applied"  # the server applied it
    REJECTED = "rejected"  # the server refused it: see needs-attention
    HELD = "held"  # not sendable now: see hold_reason


class HoldReason(StrEnum):
    PHOTO = "photo"  # a referenced photo is not uploaded yet
    BLOCKED = "blocked"  # an earlier entry on the same report is waiting
    DEPENDS_ON_REJECTED = "depends_on_rejected"  # an earlier entry on it was refused


UNSENT_STATES: frozenset[OutboxState] = frozenset(
    {OutboxState.PENDING, OutboxState.SENT, OutboxState.HELD}
)


class UploadState(StrEnum):
    PENDING = "pending"  # waiting (or retrying after a transient error)
    UPLOADING = "uploading"  # some bytes are confirmed by the server
    DONE = "done"  # the server holds the whole file
    FAILED = "failed"  # the server refused the file for good (see last_error)


class LocationSource(StrEnum):
    GPS = "gps"
    EXIF = "exif"
    NONE = "none"


class AttentionKind(StrEnum):
    REJECTED = "rejected"  # the server refused the mutation
    DEPENDS_ON_REJECTED = "depends_on_rejected"  # held behind a refused one
    OUT_OF_SCOPE = "out_of_scope"  # the report left the user's scope with unsent work
    PHOTO_REFUSED = "photo_refused"  # the server refused a photo file


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: str
    device_seq: int
    action: Action
    report_id: str
    payload: Mapping[str, Any]
    created_at: datetime
    state: OutboxState
    hold_reason: HoldReason | None = None
    attempts: int = 0
    depends_on: tuple[str, ...] = ()
    report_version: int | None = None
    last_error: str = ""

    @property
    def unsent(self) -> bool:
        return self.state in UNSENT_STATES


@dataclass(frozen=True, slots=True)
class NewPhoto:
    """A processed photo handed over by the photo pipeline."""

    path: str
    sha256: str
    kind: PhotoKind
    size_bytes: int
    width: int
    height: int
    captured_at: datetime  # the device clock at capture
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    location_source: LocationSource = LocationSource.NONE
    source: str = ""  # "camera" | "gallery": sent with the photo for the validator
    # The photo's own time was not plausible (`domain.capture_time.TimeFlag` value) and
    # the pick's time is used; the refused time goes to the server with the flag.
    time_flag: str = ""
    claimed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LocalPhoto:
    report_id: str
    sha256: str
    kind: PhotoKind
    local_path: str | None
    latitude: float | None
    longitude: float | None
    accuracy_m: float | None
    location_source: LocationSource
    captured_at: datetime | None  # device clock
    captured_at_server: datetime | None  # corrected with the estimated server offset
    width: int
    height: int
    size_bytes: int
    taken_by: str
    from_device: bool
    on_server: bool
    upload_state: UploadState
    bytes_confirmed: int
    attempts: int
    last_error: str
    # A device photo whose action the server refused (or that is held behind a refused
    # one): it is not on the report and will not be unless the officer resends; it
    # stays, listed in needs-attention, until the officer decides.
    refused: bool = False
    source: str = ""  # "camera" | "gallery" | "" (not said)
    added_at: datetime | None = None  # when the server linked it to the report
    flags: tuple[str, ...] = ()  # the server's evidence flags ("same_as_before", ...)


@dataclass(frozen=True, slots=True)
class TimelineItem:
    entry: TimelineEntry
    sent: bool  # False for a local action not yet confirmed by the server
    mutation_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReportView:
    """A report as the device shows it: server state with local actions applied."""

    report: Report
    unit_name: str = ""
    assignee_name: str = ""
    kelurahan: str = ""
    kecamatan: str = ""
    kota: str = ""
    rating: int | None = None
    updated_at: datetime | None = None
    stage: Stage = Stage.TO_ACT
    pending: int = 0  # unsent local actions on it ("belum terkirim")
    in_scope: bool = True


@dataclass(frozen=True, slots=True)
class QueueItem:
    view: ReportView
    urgency: Urgency

    @property
    def report(self) -> Report:
        return self.view.report

    @property
    def pending(self) -> bool:
        return self.view.pending > 0


@dataclass(frozen=True, slots=True)
class ReportDetail:
    view: ReportView
    urgency: Urgency
    timeline: tuple[TimelineItem, ...]
    photos: tuple[LocalPhoto, ...]
    outbox: tuple[OutboxEntry, ...]  # this report's entries not yet settled
    attention: tuple[AttentionItem, ...]

    @property
    def report(self) -> Report:
        return self.view.report


@dataclass(frozen=True, slots=True)
class PhotoKeep:
    """A photo an attention item keeps (so the officer's evidence is never lost)."""

    sha256: str
    kind: str
    local_path: str | None


@dataclass(frozen=True, slots=True)
class AttentionItem:
    id: int
    kind: AttentionKind
    report_id: str
    tracking_id: str
    report_title: str
    mutation_id: str | None
    action: Action | None
    payload: Mapping[str, Any]
    photos: tuple[PhotoKeep, ...]
    code: str
    message_id: str
    message_en: str
    created_at: datetime

    def message(self, lang: str) -> str:
        return self.message_id if lang == "id" else self.message_en


@dataclass(frozen=True, slots=True)
class QueueCounts:
    by_status: Mapping[Status, int]
    by_stage: Mapping[Stage, int]
    open_total: int
    overdue: int
    needs_attention: int
    overdue_by_stage: Mapping[Stage, int]  # open stages only; a missing stage has none


@dataclass(frozen=True, slots=True)
class PendingCounts:
    mutations: int  # unsent outbox entries (pending, sent, held)
    held: int
    photos: int  # device photos not yet on the server (pending or uploading)
    photo_bytes: int  # bytes still to upload
    failed_photos: int
    attention: int


@dataclass(frozen=True, slots=True)
class UnsentWork:
    """What wiping the device would lose: shown to the officer before a wipe."""

    mutations: tuple[OutboxEntry, ...]
    photos: tuple[LocalPhoto, ...]
    attention: tuple[AttentionItem, ...]

    @property
    def empty(self) -> bool:
        return not (self.mutations or self.photos or self.attention)


@dataclass(frozen=True, slots=True)
class Account:
    """The signed-in user (tokens are never stored in the database)."""

    user: UserInfo
    server_url: str
    signed_in_at: datetime
    signed_in: bool = True  # False after a logout: the data on the device is still theirs

    @property
    def role(self) -> Role:
        return self.user.role


@dataclass(frozen=True, slots=True)
class SyncState:
    device_id: str
    cursor: str | None
    clock_offset_ms: float
    clock_rtt_ms: float | None
    clock_measured_at: datetime | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error_code: str | None
    last_error_id: str | None
    last_error_en: str | None


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """The filters a queue screen offers (all optional, combined with AND)."""

    stage: Stage | None = None
    status: Status | None = None
    category: str | None = None
    kelurahan_code: str | None = None


@dataclass(frozen=True, slots=True)
class PhotoWait:
    """A photo not on the server yet and the unsent actions waiting for it."""

    sha256: str
    report_ref: str  # the report's tracking id (its id when it has none)
    actions: tuple[str, ...]  # `domain.Action` values, in device order
