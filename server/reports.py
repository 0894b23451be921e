"""Reports on the server: creation (intake), and the row <-> `domain.Report` mapping.

Invariants:
- a report is created with its `received` timeline entry and its feed rows in the
  caller's transaction: nobody can see a report without its history;
- the reporter's identity goes to `reporters` only; `reports.reporter_id` links it and
  nothing that builds a device response follows that link;
- `deadline` is stored as the domain computes it (`Report.deadline`), so what the
  indexes sort by is what the devices show;
- tracking ids (`CRM-<year>-<n:06d>`, the year of receipt in Jakarta) come from a
  per-year counter incremented in the same transaction, so they are unique and dense.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from domain import (
    CHANNELS,
    JAKARTA,
    Action,
    Extension,
    ExtensionState,
    PhotoKind,
    Report,
    Status,
    UnknownCode,
)
from domain import category as find_category
from domain.report import require_aware

from .errors import InvalidRequest
from .feed import publish_report_change
from .schema import counters, photos, report_photos, reporters, reports, timeline, units

Reporter = tuple[str, str, str]  # (name, email, phone)

RECEIVED_EVENT = "received"
SEND_BACK_EVENT = Action.SEND_BACK.value


def next_counter(conn: Connection, name: str) -> int:
    """Atomically increment and return a named counter (first value: 1)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(counters)
        .values(name=name, value=1)
        .on_conflict_do_update(
            index_elements=[counters.c.name], set_={"value": counters.c.value + 1}
        )
        .returning(counters.c.value)
    )
    return int(conn.execute(stmt).scalar_one())


def new_tracking_id(conn: Connection, received_at: datetime) -> str:
    year = received_at.astimezone(JAKARTA).year
    return f"CRM-{year}-{next_counter(conn, f'tracking-{year}'):06d}"


def _check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidRequest("latitude and longitude go together")
    if latitude is None or longitude is None:
        return
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise InvalidRequest("coordinates must be finite numbers")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidRequest("coordinates out of range")


def create_report(
    conn: Connection,
    *,
    report_id: str | None,
    tracking_id: str | None,
    category: str,
    channel: str,
    unit_id: str,
    received_at: datetime,
    title: str,
    description: str,
    address: str,
    latitude: float | None,
    longitude: float | None,
    kelurahan_code: str | None,
    is_public: bool,
    reporter: Reporter | None,
    reporter_photo: str | None,
    now: datetime,
) -> str:
    """Insert a new `baru` report routed to `unit_id`; returns its id.

    Raises `InvalidRequest` for an unknown category, channel or unit, bad coordinates,
    or a reporter photo the photo store does not hold complete.
    """
    require_aware(received_at, "received_at")
    require_aware(now, "now")
    try:
        cat = find_category(category)
    except UnknownCode as exc:
        raise InvalidRequest(str(exc)) from exc
    if channel not in CHANNELS:
        raise InvalidRequest(f"unknown channel {channel!r}")
    if conn.execute(select(units.c.id).where(units.c.id == unit_id)).first() is None:
        raise InvalidRequest(f"unknown unit {unit_id!r}")
    _check_coordinates(latitude, longitude)
    if reporter_photo is not None:
        reporter_photo = reporter_photo.lower()
        held = conn.execute(
            select(photos.c.complete).where(photos.c.sha256 == reporter_photo)
        ).scalar()
        if not held:
            raise InvalidRequest(f"reporter photo {reporter_photo} is not stored")

    rid = report_id or str(uuid.uuid4())
    tid = tracking_id or new_tracking_id(conn, received_at)
    reporter_id: str | None = None
    if reporter is not None:
        reporter_id = str(uuid.uuid4())
        name, email, phone = reporter
        conn.execute(reporters.insert().values(id=reporter_id, name=name, email=email, phone=phone))
    draft = Report(
        id=rid,
        tracking_id=tid,
        status=Status.BARU,
        category=cat.code,
        channel=channel,
        unit_id=unit_id,
        received_at=received_at,
        sla_days=cat.sla_days,
    )
    conn.execute(
        reports.insert().values(
            id=rid,
            tracking_id=tid,
            status=Status.BARU.value,
            category=cat.code,
            channel=channel,
            unit_id=unit_id,
            assignee_id=None,
            reporter_id=reporter_id,
            received_at=received_at,
            sla_days=cat.sla_days,
            deadline=draft.deadline,
            extension_state=ExtensionState.NONE.value,
            title=title,
            description=description,
            address=address,
            latitude=latitude,
            longitude=longitude,
            kelurahan_code=kelurahan_code,
            is_public=is_public,
            created_at=now,
            updated_at=now,
        )
    )
    if reporter_photo is not None:
        conn.execute(
            report_photos.insert().values(
                report_id=rid, sha256=reporter_photo, kind=PhotoKind.REPORTER.value, added_at=now
            )
        )
    add_timeline(
        conn,
        report_id=rid,
        at=received_at,
        event=RECEIVED_EVENT,
        status_to=Status.BARU.value,
        note=CHANNELS[channel].name,
    )
    publish_report_change(conn, rid, set(), now=now)
    return rid


def add_timeline(
    conn: Connection,
    *,
    report_id: str,
    at: datetime,
    event: str,
    actor_id: str | None = None,
    actor_name: str = "",
    actor_role: str = "",
    status_from: str | None = None,
    status_to: str | None = None,
    note: str = "",
    percent: int | None = None,
) -> None:
    conn.execute(
        timeline.insert(),  # built once; the values go as parameters
        {
            "report_id": report_id,
            "at": at,
            "event": event,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "actor_role": actor_role,
            "status_from": status_from,
            "status_to": status_to,
            "note": note,
            "percent": percent,
        },
    )


@dataclass(frozen=True, slots=True)
class PhotoFacts:
    """What the workflow rules need from a report's photo links and timeline."""

    kinds: frozenset[PhotoKind] = frozenset()
    shas: frozenset[str] = frozenset()
    sent_back_at: datetime | None = None
    awaiting_new_after_photo: bool = False


def photo_facts_of(
    sent_back_at: datetime | None, links: Iterable[tuple[str, str, datetime, datetime | None]]
) -> PhotoFacts:
    """The facts from the last send-back's time and the links (sha, kind, added, captured).

    A link made after the send-back is a photo new to the report (a link is made once
    per photo); it pays the rework's debt when it is an after photo captured since, as
    `domain.rework.counts_as_new_after_photo` says when the link is made. Strictly
    after: a link and a send-back are separate transactions on the same report row.
    """
    rows = list(links)
    paid = sent_back_at is None or any(
        kind == PhotoKind.AFTER.value
        and added > sent_back_at
        and captured is not None
        and captured >= sent_back_at
        for _, kind, added, captured in rows
    )
    return PhotoFacts(
        kinds=frozenset(PhotoKind(kind) for _, kind, _, _ in rows),
        shas=frozenset(sha for sha, _, _, _ in rows),
        sent_back_at=sent_back_at,
        awaiting_new_after_photo=not paid,
    )


# A report's last send-back, as a column of a query on `reports`: read along with the
# report (push locks and reads it in one statement), then given to `photo_facts`.
LAST_SENT_BACK = (
    select(func.max(timeline.c.at))
    .where(timeline.c.report_id == reports.c.id, timeline.c.event == SEND_BACK_EVENT)
    .scalar_subquery()
    .label("sent_back_at")
)
_LINKS = select(
    report_photos.c.sha256,
    report_photos.c.kind,
    report_photos.c.added_at,
    report_photos.c.captured_at,
).where(report_photos.c.report_id == bindparam("report_id"))


def photo_facts(conn: Connection, report_id: str, sent_back_at: datetime | None) -> PhotoFacts:
    """The facts of a report's photos, given its last send-back (`LAST_SENT_BACK`)."""
    links = conn.execute(_LINKS, {"report_id": report_id}).all()
    return photo_facts_of(sent_back_at, ((r[0], r[1], r[2], r[3]) for r in links))


def report_from_row(m: Mapping[Any, Any], facts: PhotoFacts) -> Report:
    """A `domain.Report` from a `reports` row mapping (`row._mapping`)."""
    return Report(
        id=m["id"],
        tracking_id=m["tracking_id"],
        status=Status(m["status"]),
        category=m["category"],
        channel=m["channel"],
        unit_id=m["unit_id"],
        received_at=m["received_at"],
        sla_days=m["sla_days"],
        assignee_id=m["assignee_id"],
        progress_pct=m["progress_pct"],
        extension=Extension(
            ExtensionState(m["extension_state"]),
            m["extension_proposed_deadline"],
            m["extension_reason"],
            m["extension_note"],
        ),
        extended_deadline=m["extended_deadline"],
        photo_kinds=facts.kinds,
        photo_shas=facts.shas,
        sent_back_at=facts.sent_back_at,
        awaiting_new_after_photo=facts.awaiting_new_after_photo,
        rework_count=m["rework_count"],
        version=m["version"],
        title=m["title"],
        description=m["description"],
        address=m["address"],
        latitude=m["latitude"],
        longitude=m["longitude"],
        kelurahan_code=m["kelurahan_code"],
        is_public=m["is_public"],
    )


def workflow_values(report: Report) -> dict[str, Any]:
    """The columns a workflow action may change, from the domain's report after it."""
    return {
        "status": report.status.value,
        "unit_id": report.unit_id,
        "assignee_id": report.assignee_id,
        "progress_pct": report.progress_pct,
        "extension_state": report.extension.state.value,
        "extension_proposed_deadline": report.extension.proposed_deadline,
        "extension_reason": report.extension.reason,
        "extension_note": report.extension.decision_note,
        "extended_deadline": report.extended_deadline,
        "deadline": report.deadline,
        "rework_count": report.rework_count,
        "version": report.version,
    }
