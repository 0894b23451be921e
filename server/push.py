"""Push: apply a device's queued mutations, each once, in order, each on its own.

A batch is one write transaction (one lock wait and one commit per request instead of
one per mutation); each mutation runs inside its own SAVEPOINT, so a refused or failed
mutation undoes only its own writes. For every mutation:
1. claim its id in `mutations` (INSERT ... ON CONFLICT DO NOTHING). If the id is already
   there the stored first answer is returned and nothing is applied: a retry after a
   lost response is answered, never applied twice. A concurrent duplicate blocks on the
   claim (PostgreSQL) or the write lock (SQLite) and then sees the stored answer;
2. decide, reading only: lock the report (`SELECT ... FOR UPDATE` on PostgreSQL, one
   statement with its unit's open-queue flag and last send-back) and rebuild the
   `domain.Report` (photo kinds from `report_photos`); a report the caller may not act
   on is `unknown_report` (its existence is not revealed); `domain.check` with the
   caller's `Actor`, then the server's own checks (an assignee is an active officer of
   the report's unit, a reroute's unit exists, a referenced photo is fully uploaded by
   the caller and its metadata is sane);
3. write: `domain.apply`'s report, a timeline entry, the photo link, the workflow
   timestamps; and store the result. Every refusal is decided in step 2, before the
   first write, so one savepoint per mutation is enough.
The feed is published once per changed report at the end of the batch, with its
audience from before the batch's first change to it (the states in between were never
committed, so nobody could have seen them) and after its last: the feed's advisory lock
on PostgreSQL is then held only for the batch's tail, not across its mutations. Within
a batch only reports change, so each distinct audience (a unit's supervisors, say) is
read once (`scope.Audiences`).

Round trips matter more than they look: on PostgreSQL each statement waits for the
interpreter again when its answer comes back, behind every other request of the process,
so a mutation is eight statements (nine for a dispatch), built once at import.
A rejection is stored too (a retry gets the same answer), except `photo_not_uploaded`:
that one depends on an upload still in flight, so it is not remembered and the same
mutation applies once the photo's bytes are in.

The perceptual hashes of the batch's photos (`evidence`) are computed before the
transaction opens, so no picture is decoded while other writers wait for the lock.

An unexpected error in mutation k rolls back its savepoint; mutations 1..k-1 still
commit (as when each had its own transaction) and the request fails, so the device
sends the batch again and gets their stored answers. On PostgreSQL the batch locks its
reports up front in id order: two batches taking report locks in batch order could
otherwise each wait for the other (and the feed lock, taken last, never waits for one).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import BindParameter

from domain import Action, Actor, PhotoKind, Refusal, Report, Role, apply, check, explain
from domain.capture_time import TimeFlag, capture_time_flag, plausible_capture_time
from domain.protocol import MutationResult, Outcome, PushResponse
from domain.workflow import MAX_TEXT, parse_deadline, parse_photo

from .auth import Principal
from .config import Settings
from .db import is_sqlite, write_tx
from .evidence import flags_text, hashes_outside, link_flags, store_hashes
from .feed import publish_audiences
from .photostore import open_store
from .reports import LAST_SENT_BACK, add_timeline, photo_facts, report_from_row, workflow_values
from .schema import mutations, photos, report_photos, reports, units, users
from .scope import Audiences, may_act
from .snapshots import REPORT_COLUMNS

PENDING = "pending"
PHOTO_SOURCES = frozenset({"camera", "gallery"})


@dataclass(frozen=True, slots=True)
class PushItem:
    """A mutation as received (the action is still a string: unknown ones are refused
    per mutation instead of failing the whole batch)."""

    id: str
    device_seq: int
    action: str
    report_id: str
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PhotoMeta:
    sha256: str
    kind: PhotoKind
    latitude: float | None
    longitude: float | None
    accuracy_m: float | None
    captured_at: datetime | None
    source: str = ""  # "camera" | "gallery" | "" (an app that does not say)
    # The photo's own time the device refused (`domain.capture_time`), with its flag.
    claimed_at: datetime | None = None


class _Refused(Exception):
    def __init__(self, code: Refusal, *, remember: bool = True, **params: str) -> None:
        super().__init__(code.value)
        self.code, self.remember, self.params = code, remember, params


def _number(value: object, low: float, high: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refused(Refusal.INVALID_PHOTO)
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise _Refused(Refusal.INVALID_PHOTO)
    return number


def parse_photo_meta(value: object) -> PhotoMeta | None:
    """The payload's photo with its geotag; raises `_Refused(INVALID_PHOTO)` if malformed."""
    ref = parse_photo(value)
    if ref is None:
        return None
    assert isinstance(value, Mapping)
    lat = _number(value.get("latitude"), -90, 90)
    lon = _number(value.get("longitude"), -180, 180)
    if (lat is None) != (lon is None):
        raise _Refused(Refusal.INVALID_PHOTO)
    captured_raw = value.get("captured_at")
    captured = parse_deadline(captured_raw)
    if captured_raw is not None and captured is None:
        raise _Refused(Refusal.INVALID_PHOTO)
    source = value.get("source", "")
    claimed_raw = value.get("claimed_at")
    claimed = parse_deadline(claimed_raw)
    if claimed_raw is not None and claimed is None:
        raise _Refused(Refusal.INVALID_PHOTO)
    return PhotoMeta(
        ref[0],
        ref[1],
        lat,
        lon,
        _number(value.get("accuracy_m"), 0, 1_000_000),
        captured,
        source if source in PHOTO_SOURCES else "",
        claimed_at=claimed,
    )


# The statements of a mutation, built once: each runs with its parameters only, so a
# push neither rebuilds nor re-keys them (the statement building was about a third of a
# push's CPU, and a push's round trips wait for the interpreter behind every other
# request of the process).
_ID: BindParameter[str] = bindparam("b_id")
_REPORT = (
    select(
        *REPORT_COLUMNS,
        units.c.officers_see_open_queue.label("unit_open_queue"),
        LAST_SENT_BACK,
    )
    .select_from(reports.outerjoin(units, units.c.id == reports.c.unit_id))
    .where(reports.c.id == _ID)
    .with_for_update(of=reports)
)
_LOCK_REPORTS = (
    select(reports.c.id)
    .where(reports.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(reports.c.id)
    .with_for_update()
)
_CLAIM = {
    name: insert(mutations)
    .on_conflict_do_nothing(index_elements=[mutations.c.id])
    .returning(mutations.c.id)  # rowcount is not reliable here across drivers
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_STORED = select(mutations).where(mutations.c.id == _ID)
_ANSWER = update(mutations).where(mutations.c.id == _ID)
_FORGET = delete(mutations).where(mutations.c.id == _ID)
_UPDATE_REPORT = update(reports).where(reports.c.id == _ID)
_ASSIGNEE = select(users.c.id).where(
    users.c.id == bindparam("assignee_id"),
    users.c.role == Role.OFFICER.value,
    users.c.active.is_(True),
    users.c.unit_id == bindparam("unit_id"),
)
_UNIT = select(units.c.id).where(units.c.id == _ID)
_PHOTO = select(photos.c.complete, photos.c.uploaded_by).where(photos.c.sha256 == _ID)
_LINKED = select(report_photos.c.sha256).where(
    report_photos.c.report_id == _ID, report_photos.c.sha256 == bindparam("sha256")
)


@dataclass(slots=True)
class _Batch:
    """What a batch learns as it goes: the audiences it asked for, and per changed report
    its audience before the batch and its state after the last change."""

    audiences: Audiences
    before: dict[str, set[str]] = field(default_factory=dict)
    after: dict[str, Report] = field(default_factory=dict)

    def published(self) -> dict[str, tuple[set[str], set[str]]]:
        return {
            rid: (before, self.audiences.of(_audience_keys(self.after[rid])))
            for rid, before in self.before.items()
        }


def _audience_keys(report: Report) -> dict[str, str | None]:
    return {
        "status": report.status.value,
        "unit_id": report.unit_id,
        "assignee_id": report.assignee_id,
    }


def push(
    engine: Engine, settings: Settings, caller: Principal, items: list[PushItem]
) -> PushResponse:
    results: list[MutationResult] = []
    failure: Exception | None = None
    hashes = hashes_outside(engine, open_store(settings), _photos_of(items))
    with write_tx(engine) as conn:
        _lock_reports(conn, items)
        store_hashes(conn, hashes)
        batch = _Batch(Audiences(conn))
        for item in items:
            try:
                results.append(_push_one(conn, settings, caller, item, batch))
            except Exception as exc:  # re-raised once the mutations before it commit
                failure = exc
                break
        publish_audiences(conn, batch.published(), now=settings.now())
    if failure is not None:
        raise failure
    return PushResponse(tuple(results), settings.now())


def _photos_of(items: list[PushItem]) -> list[str]:
    refs = (parse_photo(item.payload.get("photo")) for item in items)
    return [ref[0] for ref in refs if ref is not None]


def _lock_reports(conn: Connection, items: list[PushItem]) -> None:
    """PostgreSQL: lock the batch's reports in id order before anything else (no
    deadlock between batches); SQLite's `BEGIN IMMEDIATE` already admits one writer."""
    if is_sqlite(conn) or not items:
        return
    conn.execute(_LOCK_REPORTS, {"ids": sorted({item.report_id for item in items})})


def _rejected(item_id: str, code: Refusal, **params: str) -> MutationResult:
    text = explain(code, **params)
    return MutationResult(item_id, Outcome.REJECTED, code, text.message_id, text.message_en)


def _stored(row: Any) -> MutationResult:
    return MutationResult(
        row.id,
        Outcome(row.outcome),
        Refusal(row.code) if row.code else None,
        row.message_id,
        row.message_en,
        row.report_version,
    )


def _claim(conn: Connection, caller: Principal, item: PushItem, now: datetime) -> bool:
    claimed = conn.execute(
        _CLAIM[conn.dialect.name],
        {
            "id": item.id,
            "user_id": caller.user_id,
            "device_id": caller.device_id,
            "device_seq": item.device_seq,
            "action": item.action[:32],
            "report_id": item.report_id,
            "outcome": PENDING,
            "received_at": now,
        },
    ).first()
    return claimed is not None


@dataclass(frozen=True, slots=True)
class _Change:
    """An allowed mutation, decided and not yet written."""

    before: Report
    after: Report
    action: Action
    photo: PhotoMeta | None
    audience_before: set[str] | None  # None when the batch already changed this report


def _push_one(
    conn: Connection, settings: Settings, caller: Principal, item: PushItem, batch: _Batch
) -> MutationResult:
    """One mutation in its savepoint: claimed, decided, then written. Every refusal is
    decided before the first write (`_decide` only reads), so a refusal keeps the claim
    and stores itself, and a failure while writing rolls the whole mutation back."""
    now = settings.now()
    with conn.begin_nested():
        if not _claim(conn, caller, item, now):
            row = conn.execute(_STORED, {"b_id": item.id}).one()
            if row.user_id != caller.user_id:
                return _rejected(item.id, Refusal.INVALID_PAYLOAD, detail="mutation id reused")
            return _stored(row)
        try:
            decided = _decide(conn, caller, item, now, batch)
        except _Refused as refusal:
            if not refusal.remember:
                conn.execute(_FORGET, {"b_id": item.id})
                return _rejected(item.id, refusal.code, **refusal.params)
            decided = _rejected(item.id, refusal.code, **refusal.params)
        if isinstance(decided, _Change):
            _write(conn, settings, caller, decided, item.payload, now)
            result = MutationResult(item.id, Outcome.APPLIED, report_version=decided.after.version)
        else:
            result = decided
        conn.execute(
            _ANSWER,
            {
                "b_id": item.id,
                "outcome": result.outcome.value,
                "code": result.code.value if result.code else None,
                "message_id": result.message_id,
                "message_en": result.message_en,
                "report_version": result.report_version,
            },
        )
    if isinstance(decided, _Change):  # applied, and its savepoint released
        if decided.audience_before is not None:
            batch.before[item.report_id] = decided.audience_before
        batch.after[item.report_id] = decided.after
    return result


def _decide(
    conn: Connection, caller: Principal, item: PushItem, now: datetime, batch: _Batch
) -> _Change | MutationResult:
    """The change a mutation makes, or the domain's refusal; raises `_Refused` for the
    server's own refusals. Reads only."""
    try:
        action = Action(item.action)
    except ValueError as exc:
        detail = f"unknown action {item.action[:32]!r}"
        raise _Refused(Refusal.INVALID_PAYLOAD, detail=detail) from exc
    actor = Actor(caller.user_id, caller.role, caller.unit_id)
    row = conn.execute(_REPORT, {"b_id": item.report_id}).first()
    if row is None:
        raise _Refused(Refusal.UNKNOWN_REPORT)
    report = row._mapping
    open_queue = bool(report["unit_open_queue"])
    batch.audiences.know_open_queue(report["unit_id"], open_queue)
    if not may_act(actor, report, open_queue=open_queue):
        raise _Refused(Refusal.UNKNOWN_REPORT)
    before = report_from_row(report, photo_facts(conn, item.report_id, report["sent_back_at"]))
    payload = item.payload
    decision = check(actor, before, action, payload)
    if not decision.allowed:
        assert decision.refusal is not None
        text = decision.refusal
        return MutationResult(
            item.id, Outcome.REJECTED, text.code, text.message_id, text.message_en
        )
    photo = _server_checks(conn, caller, before, action, payload)
    first_change = item.report_id not in batch.before
    return _Change(
        before,
        apply(before, actor, action, payload, at=now),
        action,
        photo,
        batch.audiences.of(report) if first_change else None,
    )


def _server_checks(
    conn: Connection,
    caller: Principal,
    report: Report,
    action: Action,
    payload: Mapping[str, Any],
) -> PhotoMeta | None:
    for key in ("note", "reason"):
        value = payload.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
            raise _Refused(Refusal.INVALID_PAYLOAD, detail=key)
    if action in (Action.DISPATCH, Action.REASSIGN):
        assignee = conn.execute(
            _ASSIGNEE,
            {"assignee_id": str(payload.get("assignee_id", "")).strip(), "unit_id": report.unit_id},
        ).first()
        if assignee is None:
            raise _Refused(Refusal.UNKNOWN_USER)
    if action is Action.REROUTE:
        unit_id = str(payload.get("unit_id", "")).strip()
        if conn.execute(_UNIT, {"b_id": unit_id}).first() is None:
            raise _Refused(Refusal.INVALID_PAYLOAD, detail="unit_id")
    photo = parse_photo_meta(payload.get("photo")) if "photo" in payload else None
    if "photo" in payload and payload["photo"] is not None and photo is None:
        raise _Refused(Refusal.INVALID_PHOTO)
    if photo is not None:
        held = conn.execute(_PHOTO, {"b_id": photo.sha256}).first()
        if held is None or not held.complete:
            raise _Refused(Refusal.PHOTO_NOT_UPLOADED, remember=False)
        # Knowing a hash is no capability: only the bytes' uploader may attach them
        # (no photo kind may be re-attached from another report today).
        if held.uploaded_by != caller.user_id:
            raise _Refused(Refusal.PHOTO_NOT_OWNED)
    return photo


def checked_capture_time(
    photo: PhotoMeta, report: Report, now: datetime
) -> tuple[datetime | None, TimeFlag | None]:
    """The capture time to record and its flag, by the device's own rule.

    A capture time that is not plausible (`domain.capture_time`: in the future, before
    the report for a during/after photo, absurdly old) is replaced by the time the
    server links the photo, and flagged; a time the device already refused (sent as
    `claimed_at`) is checked again by the same rule, so both sides raise the same flag.
    """
    if photo.captured_at is not None:
        checked = plausible_capture_time(
            photo.captured_at, kind=photo.kind, report_received_at=report.received_at, now=now
        )
        if checked.flag is not None:
            return checked.at, checked.flag
    if photo.claimed_at is not None:
        # Judged at the moment the device judged it: the pick, which is the recorded time.
        flag = capture_time_flag(
            photo.claimed_at,
            kind=photo.kind,
            report_received_at=report.received_at,
            now=photo.captured_at or now,
        )
        return photo.captured_at, flag
    return photo.captured_at, None


def _write(
    conn: Connection,
    settings: Settings,
    caller: Principal,
    change: _Change,
    payload: Mapping[str, Any],
    now: datetime,
) -> None:
    before, after, action, photo = change.before, change.after, change.action, change.photo
    values = workflow_values(after)
    values["updated_at"] = now
    if action in (Action.DISPATCH, Action.REASSIGN):
        values["dispatched_at"] = now
    elif action is Action.COMPLETE:
        values["completed_at"] = now
    elif action is Action.APPROVE:
        values["validated_at"] = now
    conn.execute(_UPDATE_REPORT, {"b_id": before.id, **values})
    note = payload.get("note") or payload.get("reason") or ""
    percent: int | None = None
    if action is Action.PROGRESS:
        percent = after.progress_pct
    elif action is Action.COMPLETE:
        percent = 100
    add_timeline(
        conn,
        report_id=before.id,
        at=now,
        event=action.value,
        actor_id=caller.user_id,
        actor_name=caller.name,
        actor_role=caller.role.value,
        status_from=before.status.value,
        status_to=after.status.value,
        note=note.strip() if isinstance(note, str) else "",
        percent=percent,
    )
    if photo is None:
        return
    held = conn.execute(_LINKED, {"b_id": before.id, "sha256": photo.sha256}).first()
    if held is not None:
        return
    captured_at, time_flag = checked_capture_time(photo, before, now)
    flags = link_flags(conn, open_store(settings), before.id, photo.sha256, photo.kind)
    if time_flag is not None:
        flags.append(time_flag.value)
    conn.execute(
        report_photos.insert(),
        {
            "report_id": before.id,
            "sha256": photo.sha256,
            "kind": photo.kind.value,
            "latitude": photo.latitude,
            "longitude": photo.longitude,
            "accuracy_m": photo.accuracy_m,
            "captured_at": captured_at,
            "taken_by": caller.user_id,
            "added_at": now,
            "source": photo.source,
            "flags": flags_text(flags),
        },
    )
