"""What a device is sent about a report: `domain.protocol.ReportSnapshot`.

Invariants (the privacy rules of CRM):
- the reporter's identity never leaves the server: the `reporters` table is not read
  here and `reports.reporter_id` is not even selected;
- for a private report (`is_public` false, the default) the reporter's own photos are
  left out; public reports show them;
- a snapshot is the same for every viewer allowed to see the report: *whether* a viewer
  may see it is `server/scope.py`'s question, asked before calling this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, select

from domain import PhotoKind
from domain.protocol import PhotoRef, ReportSnapshot, TimelineEntry, UserInfo
from domain.statuses import Role

from .evidence import flags_of
from .reports import SEND_BACK_EVENT, PhotoFacts, photo_facts_of, report_from_row
from .schema import photos, report_photos, reports, timeline, units, users

# Every column of `reports` but the link to the reporter.
REPORT_COLUMNS = tuple(c for c in reports.c if c.name != "reporter_id")


# The three statements of a snapshot page, built once: the report ids are one expanding
# parameter, so a page of 500 ids neither rebuilds nor recompiles them (that was about
# a tenth of a page's build).
_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
_assignee = users.alias("assignee")
_kel = units.alias("kel")
_kec = units.alias("kec")
_taker = users.alias("taker")
_REPORT_ROWS = (
    select(
        *REPORT_COLUMNS,
        units.c.name.label("unit_name"),
        _assignee.c.name.label("assignee_name"),
        _kel.c.name.label("kel_name"),
        _kel.c.kota.label("kel_kota"),
        _kec.c.name.label("kec_name"),
    )
    .select_from(
        reports.join(units, units.c.id == reports.c.unit_id)
        .outerjoin(_assignee, _assignee.c.id == reports.c.assignee_id)
        .outerjoin(_kel, _kel.c.kelurahan_code == reports.c.kelurahan_code)
        .outerjoin(_kec, _kec.c.id == _kel.c.parent_id)
    )
    .where(reports.c.id.in_(_IDS))
)
_TIMELINE_ROWS = select(timeline).where(timeline.c.report_id.in_(_IDS)).order_by(timeline.c.id)
_PHOTO_ROWS = (
    select(
        report_photos,
        photos.c.size,
        photos.c.width,
        photos.c.height,
        _taker.c.name.label("taker_name"),
    )
    .select_from(
        report_photos.join(photos, photos.c.sha256 == report_photos.c.sha256).outerjoin(
            _taker, _taker.c.id == report_photos.c.taken_by
        )
    )
    .where(report_photos.c.report_id.in_(_IDS))
    .order_by(report_photos.c.added_at, report_photos.c.sha256)
)


def build_snapshots(conn: Connection, report_ids: Sequence[str]) -> dict[str, ReportSnapshot]:
    """Snapshots of the given reports (missing ids are simply absent), in bulk."""
    if not report_ids:
        return {}
    ids = {"ids": list(dict.fromkeys(report_ids))}
    rows = conn.execute(_REPORT_ROWS, ids).all()
    public = {r.id: bool(r.is_public) for r in rows}

    entries: dict[str, list[TimelineEntry]] = defaultdict(list)
    sent_back: dict[str, datetime] = {}
    for t in conn.execute(_TIMELINE_ROWS, ids).all():
        if t.event == SEND_BACK_EVENT and (
            t.report_id not in sent_back or t.at > sent_back[t.report_id]
        ):
            sent_back[t.report_id] = t.at
        entries[t.report_id].append(
            TimelineEntry(
                at=t.at,
                event=t.event,
                actor_name=t.actor_name,
                actor_role=t.actor_role,
                status_from=t.status_from,
                status_to=t.status_to,
                note=t.note,
                percent=t.percent,
            )
        )

    refs: dict[str, list[PhotoRef]] = defaultdict(list)
    links: dict[str, list[tuple[str, str, datetime, datetime | None]]] = defaultdict(list)
    for p in conn.execute(_PHOTO_ROWS, ids).all():
        kind = PhotoKind(p.kind)
        links[p.report_id].append((p.sha256, p.kind, p.added_at, p.captured_at))
        if kind is PhotoKind.REPORTER and not public.get(p.report_id, False):
            continue
        refs[p.report_id].append(
            PhotoRef(
                sha256=p.sha256,
                kind=kind,
                size_bytes=p.size,
                width=p.width,
                height=p.height,
                latitude=p.latitude,
                longitude=p.longitude,
                accuracy_m=p.accuracy_m,
                captured_at=p.captured_at,
                # Only officers' names: a reporter's photo has no taker recorded.
                taken_by=p.taker_name or "" if kind is not PhotoKind.REPORTER else "",
                source=p.source,
                added_at=p.added_at,
                flags=flags_of(p.flags),
            )
        )

    out: dict[str, ReportSnapshot] = {}
    for r in rows:
        facts = photo_facts_of(sent_back.get(r.id), links[r.id])
        # What the device may see of the photos: a private report's reporter photo is
        # neither sent nor named.
        shown = PhotoFacts(
            kinds=frozenset(ref.kind for ref in refs[r.id]),
            shas=frozenset(ref.sha256 for ref in refs[r.id]),
            sent_back_at=facts.sent_back_at,
            awaiting_new_after_photo=facts.awaiting_new_after_photo,
        )
        # Built once with the shown photos (not built, then copied): a page is 500 of these.
        report = report_from_row(r._mapping, shown)
        out[r.id] = ReportSnapshot(
            report=report,
            unit_name=r.unit_name or "",
            assignee_name=r.assignee_name or "",
            kelurahan=r.kel_name or "",
            kecamatan=r.kec_name or "",
            kota=r.kel_kota or "",
            timeline=tuple(entries[r.id]),
            photos=tuple(refs[r.id]),
            rating=r.rating,
            updated_at=r.updated_at,
        )
    return out


def build_users(conn: Connection, user_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The colleague entity's wire form (id, username, name, role, unit)."""
    if not user_ids:
        return {}
    rows = conn.execute(
        select(users.c.id, users.c.username, users.c.name, users.c.role, users.c.unit_id)
        .add_columns(units.c.name.label("unit_name"))
        .select_from(users.outerjoin(units, units.c.id == users.c.unit_id))
        .where(users.c.id.in_(list(user_ids)))
    ).all()
    return {
        r.id: UserInfo(
            r.id, r.username, r.name, Role(r.role), r.unit_id, r.unit_name or ""
        ).to_wire()
        for r in rows
    }
