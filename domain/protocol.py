"""The sync protocol's wire types, shared by the device and the reference server.

JSON shapes (all datetimes ISO-8601 with offset, UTC):

    POST /v1/auth/login    {username, password, device_id, device_name}
                        -> {access_token, refresh_token, expires_in, user: UserInfo}
    POST /v1/auth/refresh  {refresh_token} -> same as login (the refresh token rotates)
    POST /v1/auth/logout   -> 204
    GET  /v1/sync/pull?cursor=C&limit=N
                        -> {changes: [Change], cursor, has_more, server_time}
    POST /v1/sync/push     {mutations: [Mutation]} -> {results: [MutationResult], server_time}
    GET  /v1/photos/{sha256}            -> {sha256, size, received, complete}
    PUT  /v1/photos/{sha256}?offset=O&size=S   (body: the chunk's bytes)
                        -> {sha256, size, received, complete}
    GET  /v1/photos/{sha256}/content    -> the bytes (only within the caller's scope)

Errors (any 4xx/5xx): {"error": {"code", "message_id", "message_en"}}. The 401 codes,
whichever call (refresh included) they answer:
- `token_expired`: refresh (once) and retry the call;
- `session_revoked` / `token_invalid`: the session ended (logout, a new login on the
  device, a reused refresh token, a deactivated user, an expired or unknown token): log
  in again; the device keeps every piece of its data;
- `device_revoked`: an admin revoked this device: stop, report the unsent work, then
  wipe the device's data. Only this code ever leads to a wipe.
A refresh token just rotated away may be presented once more within a short grace
(the reference server's
`Settings.refresh_grace`, 60 s by default) and gets a fresh pair, so a lost refresh answer is
survivable; after the grace, or a second time, it ends the session (`session_revoked`).

A cursor is opaque to the device: the server encodes its own monotonic sequence in it,
never a device clock. A change is a full snapshot of the entity as the caller may see it
("upsert") or the news that it left the caller's scope ("remove").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import InvalidValue
from .refusals import Refusal
from .report import Extension, Report
from .statuses import ExtensionState, PhotoKind, Role, Status
from .workflow import Action

API_PREFIX = "/v1"
PROTOCOL_VERSION = 1
MAX_PUSH_BATCH = 200
MAX_PULL_LIMIT = 1000
PHOTO_CHUNK = 256 * 1024


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is UTC:  # what the databases hand back: no conversion to make
        return value.isoformat()
    if value.tzinfo is None:
        raise InvalidValue(f"naive datetime on the wire: {value!r}")
    return value.astimezone(UTC).isoformat()


def parse_iso(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue(f"expected an ISO datetime string, got {value!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise InvalidValue(f"naive datetime on the wire: {value!r}")
    return parsed


_SHA256 = re.compile(r"[0-9a-f]{64}")


def checked_sha256(value: object) -> str:
    """A photo's content address as the wire must carry it: 64 lowercase hex digits.
    Checked once where a hash enters from the network, so that no file path is ever
    built from anything else (`../`, a separator, a NUL)."""
    if not isinstance(value, str) or _SHA256.fullmatch(value) is None:
        raise InvalidValue(f"not a sha256: {str(value)[:80]!r}")
    return value


def device_photo_path(photo_dir: Path, sha256: str) -> Path:
    """The one place a device builds a photo's file path from its hash."""
    return Path(photo_dir) / f"{checked_sha256(sha256)}.jpg"


# --- reports -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhotoRef:
    sha256: str
    kind: PhotoKind
    size_bytes: int = 0
    width: int = 0
    height: int = 0
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    captured_at: datetime | None = None
    taken_by: str = ""  # an officer's display name; never a reporter's
    # Where the officer's app got it ("camera" / "gallery" / "" unknown), when the
    # server linked it to the report, and the server's evidence flags for it
    # ("same_as_before", "reused:<tracking id>").
    source: str = ""
    added_at: datetime | None = None
    flags: tuple[str, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "kind": self.kind.value,
            "size_bytes": self.size_bytes,
            "width": self.width,
            "height": self.height,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "accuracy_m": self.accuracy_m,
            "captured_at": iso(self.captured_at),
            "taken_by": self.taken_by,
            "source": self.source,
            "added_at": iso(self.added_at),
            "flags": list(self.flags),
        }

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> PhotoRef:
        return cls(
            sha256=checked_sha256(d["sha256"]),
            kind=PhotoKind(d["kind"]),
            size_bytes=d.get("size_bytes", 0),
            width=d.get("width", 0),
            height=d.get("height", 0),
            latitude=d.get("latitude"),
            longitude=d.get("longitude"),
            accuracy_m=d.get("accuracy_m"),
            captured_at=parse_iso(d.get("captured_at")),
            taken_by=d.get("taken_by", ""),
            source=d.get("source", ""),
            added_at=parse_iso(d.get("added_at")),
            flags=tuple(str(f) for f in d.get("flags") or ()),
        )


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    event: str  # an Action value, or "received" / "routed"
    actor_name: str = ""
    actor_role: str = ""
    status_from: str | None = None
    status_to: str | None = None
    note: str = ""
    percent: int | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "at": iso(self.at),
            "event": self.event,
            "actor_name": self.actor_name,
            "actor_role": self.actor_role,
            "status_from": self.status_from,
            "status_to": self.status_to,
            "note": self.note,
            "percent": self.percent,
        }

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> TimelineEntry:
        at = parse_iso(d["at"])
        assert at is not None
        return cls(
            at=at,
            event=d["event"],
            actor_name=d.get("actor_name", ""),
            actor_role=d.get("actor_role", ""),
            status_from=d.get("status_from"),
            status_to=d.get("status_to"),
            note=d.get("note", ""),
            percent=d.get("percent"),
        )


@dataclass(frozen=True, slots=True)
class ReportSnapshot:
    """A report with everything a device shows about it, as the caller may see it."""

    report: Report
    unit_name: str = ""
    assignee_name: str = ""
    kelurahan: str = ""
    kecamatan: str = ""
    kota: str = ""
    timeline: tuple[TimelineEntry, ...] = ()
    photos: tuple[PhotoRef, ...] = ()
    rating: int | None = None  # the citizen's rating once done (1..5)
    updated_at: datetime | None = None

    def to_wire(self) -> dict[str, Any]:
        r = self.report
        return {
            "id": r.id,
            "tracking_id": r.tracking_id,
            "status": r.status.value,
            "category": r.category,
            "channel": r.channel,
            "unit_id": r.unit_id,
            "received_at": iso(r.received_at),
            "sla_days": r.sla_days,
            "deadline": iso(r.deadline),
            "assignee_id": r.assignee_id,
            "progress_pct": r.progress_pct,
            "extension": {
                "state": r.extension.state.value,
                "proposed_deadline": iso(r.extension.proposed_deadline),
                "reason": r.extension.reason,
                "decision_note": r.extension.decision_note,
            },
            "extended_deadline": iso(r.extended_deadline),
            "rework_count": r.rework_count,
            "sent_back_at": iso(r.sent_back_at),
            "awaiting_new_after_photo": r.awaiting_new_after_photo,
            "version": r.version,
            "title": r.title,
            "description": r.description,
            "address": r.address,
            "latitude": r.latitude,
            "longitude": r.longitude,
            "kelurahan_code": r.kelurahan_code,
            "is_public": r.is_public,
            "unit_name": self.unit_name,
            "assignee_name": self.assignee_name,
            "kelurahan": self.kelurahan,
            "kecamatan": self.kecamatan,
            "kota": self.kota,
            "timeline": [t.to_wire() for t in self.timeline],
            "photos": [p.to_wire() for p in self.photos],
            "rating": self.rating,
            "updated_at": iso(self.updated_at),
        }

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> ReportSnapshot:
        photos = tuple(PhotoRef.from_wire(p) for p in d.get("photos", ()))
        ext = d.get("extension") or {}
        received_at = parse_iso(d["received_at"])
        assert received_at is not None
        report = Report(
            id=d["id"],
            tracking_id=d["tracking_id"],
            status=Status(d["status"]),
            category=d["category"],
            channel=d["channel"],
            unit_id=d["unit_id"],
            received_at=received_at,
            sla_days=d.get("sla_days", 7),
            assignee_id=d.get("assignee_id"),
            progress_pct=d.get("progress_pct", 0),
            extension=Extension(
                ExtensionState(ext.get("state", "none")),
                parse_iso(ext.get("proposed_deadline")),
                ext.get("reason", ""),
                ext.get("decision_note", ""),
            ),
            extended_deadline=parse_iso(d.get("extended_deadline")),
            photo_kinds=frozenset(p.kind for p in photos),
            photo_shas=frozenset(p.sha256 for p in photos),
            rework_count=d.get("rework_count", 0),
            sent_back_at=parse_iso(d.get("sent_back_at")),
            awaiting_new_after_photo=bool(d.get("awaiting_new_after_photo", False)),
            version=d.get("version", 0),
            title=d.get("title", ""),
            description=d.get("description", ""),
            address=d.get("address", ""),
            latitude=d.get("latitude"),
            longitude=d.get("longitude"),
            kelurahan_code=d.get("kelurahan_code"),
            is_public=d.get("is_public", False),
        )
        return cls(
            report=report,
            unit_name=d.get("unit_name", ""),
            assignee_name=d.get("assignee_name", ""),
            kelurahan=d.get("kelurahan", ""),
            kecamatan=d.get("kecamatan", ""),
            kota=d.get("kota", ""),
            timeline=tuple(TimelineEntry.from_wire(t) for t in d.get("timeline", ())),
            photos=photos,
            rating=d.get("rating"),
            updated_at=parse_iso(d.get("updated_at")),
        )


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: str
    username: str
    name: str
    role: Role
    unit_id: str | None
    unit_name: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "name": self.name,
            "role": self.role.value,
            "unit_id": self.unit_id,
            "unit_name": self.unit_name,
        }

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> UserInfo:
        return cls(
            d["id"],
            d["username"],
            d["name"],
            Role(d["role"]),
            d.get("unit_id"),
            d.get("unit_name", ""),
        )


# --- pull ----------------------------------------------------------------------------


class ChangeOp(StrEnum):
    UPSERT = "upsert"
    REMOVE = "remove"


class Entity(StrEnum):
    REPORT = "report"
    USER = "user"  # colleagues in scope (a supervisor dispatches to them)


@dataclass(frozen=True, slots=True)
class Change:
    op: ChangeOp
    entity: Entity
    id: str
    data: Mapping[str, Any] | None = None  # the snapshot's wire form for an upsert

    def to_wire(self) -> dict[str, Any]:
        return {"op": self.op.value, "entity": self.entity.value, "id": self.id, "data": self.data}

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> Change:
        change = cls(ChangeOp(d["op"]), Entity(d["entity"]), d["id"], d.get("data"))
        if change.entity is Entity.REPORT and change.data is not None:
            # The snapshot is parsed later, but its photo hashes become file paths on the
            # device: a page carrying a malformed one is refused here, whole.
            for photo in change.data.get("photos", ()):
                checked_sha256(photo["sha256"])
        return change


@dataclass(frozen=True, slots=True)
class PullPage:
    changes: tuple[Change, ...]
    cursor: str
    has_more: bool
    server_time: datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "changes": [c.to_wire() for c in self.changes],
            "cursor": self.cursor,
            "has_more": self.has_more,
            "server_time": iso(self.server_time),
        }

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> PullPage:
        server_time = parse_iso(d["server_time"])
        assert server_time is not None
        return cls(
            tuple(Change.from_wire(c) for c in d["changes"]),
            d["cursor"],
            bool(d["has_more"]),
            server_time,
        )


# --- push ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mutation:
    """One officer action, as queued on the device and pushed to the server."""

    id: str  # client-generated UUID: the idempotency key
    device_seq: int  # per-device order
    action: Action
    report_id: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None  # device clock: informational only

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "device_seq": self.device_seq,
            "action": self.action.value,
            "report_id": self.report_id,
            "payload": dict(self.payload),
            "created_at": iso(self.created_at),
        }

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> Mutation:
        return cls(
            d["id"],
            d["device_seq"],
            Action(d["action"]),
            d["report_id"],
            d.get("payload") or {},
            parse_iso(d.get("created_at")),
        )


class Outcome(StrEnum):
    APPLIED = "applied"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class MutationResult:
    id: str
    outcome: Outcome
    code: Refusal | None = None
    message_id: str = ""
    message_en: str = ""
    report_version: int | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outcome": self.outcome.value,
            "code": self.code.value if self.code else None,
            "message_id": self.message_id,
            "message_en": self.message_en,
            "report_version": self.report_version,
        }

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> MutationResult:
        code = d.get("code")
        return cls(
            d["id"],
            Outcome(d["outcome"]),
            Refusal(code) if code else None,
            d.get("message_id", ""),
            d.get("message_en", ""),
            d.get("report_version"),
        )


@dataclass(frozen=True, slots=True)
class PushResponse:
    results: tuple[MutationResult, ...]
    server_time: datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "results": [r.to_wire() for r in self.results],
            "server_time": iso(self.server_time),
        }

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> PushResponse:
        server_time = parse_iso(d["server_time"])
        assert server_time is not None
        return cls(tuple(MutationResult.from_wire(r) for r in d["results"]), server_time)


@dataclass(frozen=True, slots=True)
class PhotoStatus:
    sha256: str
    size: int
    received: int
    complete: bool

    def to_wire(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "received": self.received,
            "complete": self.complete,
        }

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> PhotoStatus:
        return cls(checked_sha256(d["sha256"]), d["size"], d["received"], d["complete"])
