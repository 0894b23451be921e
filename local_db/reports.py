"""The reports repository: server snapshots in, displayed reports out.

Each report row keeps two things:
- `server_data`: the last snapshot the server sent (its truth; the timeline lives in
  the `timeline` table);
- the displayed columns: that snapshot with the device's own not-yet-confirmed actions
  re-applied on top with `domain.apply` ("the overlay"), so the screen never jumps back
  while work is in flight, and the server wins as soon as it has spoken.

Invariants:
- the overlay of a report is recomputed from `server_data` inside the same transaction
  that changes the snapshot or the report's outbox (never patched incrementally);
- overlay entries are the report's unsent outbox entries (except those held behind a
  refused one) plus applied ones the snapshot does not include yet
  (`report_version > server_version`); an entry that no longer applies is skipped,
  never deleted;
- a report leaves the device only when nothing unsent refers to it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from domain import (
    Action,
    ActionRefused,
    Actor,
    Extension,
    ExtensionState,
    PhotoKind,
    Report,
    Status,
    json_codec,
)
from domain import apply as domain_apply
from domain.protocol import ReportSnapshot, TimelineEntry, UserInfo

from .codec import dt_in, dt_out, dt_req, json_in
from .rows import (
    AttentionKind,
    HoldReason,
    OutboxState,
    ReportView,
    TimelineItem,
    UploadState,
    bucket_of,
    stage_of,
)

REPORT_COLUMNS = (
    "id, tracking_id, status, category, channel, unit_id, unit_name, assignee_id, "
    "assignee_name, received_at, sla_days, deadline, extended_deadline, extension_state, "
    "extension_proposed_deadline, extension_reason, extension_note, progress_pct, "
    "rework_count, version, title, description, address, latitude, longitude, "
    "kelurahan_code, kelurahan, kecamatan, kota, is_public, rating, photo_kinds, "
    "sent_back_at, awaiting_new_after_photo, photo_shas, "
    "updated_at, stage, bucket, in_scope, pending"
)


def _kinds_out(kinds: Iterable[PhotoKind]) -> str:
    return ",".join(sorted(k.value for k in kinds))


def _kinds_in(text: str) -> frozenset[PhotoKind]:
    return frozenset(PhotoKind(k) for k in text.split(",") if k)


def report_from_row(row: sqlite3.Row) -> Report:
    return Report(
        id=row["id"],
        tracking_id=row["tracking_id"],
        status=Status(row["status"]),
        category=row["category"],
        channel=row["channel"],
        unit_id=row["unit_id"],
        received_at=dt_req(row["received_at"]),
        sla_days=row["sla_days"],
        assignee_id=row["assignee_id"],
        progress_pct=row["progress_pct"],
        extension=Extension(
            ExtensionState(row["extension_state"]),
            dt_in(row["extension_proposed_deadline"]),
            row["extension_reason"],
            row["extension_note"],
        ),
        extended_deadline=dt_in(row["extended_deadline"]),
        photo_kinds=_kinds_in(row["photo_kinds"]),
        photo_shas=frozenset(s for s in row["photo_shas"].split(",") if s),
        sent_back_at=dt_in(row["sent_back_at"]),
        awaiting_new_after_photo=bool(row["awaiting_new_after_photo"]),
        rework_count=row["rework_count"],
        version=row["version"],
        title=row["title"],
        description=row["description"],
        address=row["address"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        kelurahan_code=row["kelurahan_code"],
        is_public=bool(row["is_public"]),
    )


def view_from_row(row: sqlite3.Row) -> ReportView:
    report = report_from_row(row)
    return ReportView(
        report=report,
        unit_name=row["unit_name"],
        assignee_name=row["assignee_name"],
        kelurahan=row["kelurahan"],
        kecamatan=row["kecamatan"],
        kota=row["kota"],
        rating=row["rating"],
        updated_at=dt_in(row["updated_at"]),
        stage=stage_of(report, bool(row["in_scope"])),
        pending=row["pending"],
        in_scope=bool(row["in_scope"]),
    )


def displayed_columns(report: Report, in_scope: bool) -> dict[str, Any]:
    """The columns that follow the displayed (overlaid) report."""
    return {
        "status": report.status.value,
        "unit_id": report.unit_id,
        "assignee_id": report.assignee_id,
        "deadline": dt_out(report.deadline),
        "extended_deadline": dt_out(report.extended_deadline),
        "extension_state": report.extension.state.value,
        "extension_proposed_deadline": dt_out(report.extension.proposed_deadline),
        "extension_reason": report.extension.reason,
        "extension_note": report.extension.decision_note,
        "progress_pct": report.progress_pct,
        "rework_count": report.rework_count,
        "version": report.version,
        "photo_kinds": _kinds_out(report.photo_kinds),
        "photo_shas": ",".join(sorted(report.photo_shas)),
        "sent_back_at": dt_out(report.sent_back_at),
        "awaiting_new_after_photo": int(report.awaiting_new_after_photo),
        "stage": stage_of(report, in_scope).value,
        "bucket": bucket_of(report, in_scope),
    }


def snapshot_columns(snap: ReportSnapshot, wire: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every column of a report row as the server's snapshot alone defines it."""
    r = snap.report
    base = dict(snap.to_wire() if wire is None else wire)
    base.pop("timeline", None)
    cols: dict[str, Any] = {
        "id": r.id,
        "tracking_id": r.tracking_id,
        "category": r.category,
        "channel": r.channel,
        "unit_name": snap.unit_name,
        "assignee_name": snap.assignee_name,
        "received_at": dt_out(r.received_at),
        "sla_days": r.sla_days,
        "server_version": r.version,
        "title": r.title,
        "description": r.description,
        "address": r.address,
        "latitude": r.latitude,
        "longitude": r.longitude,
        "kelurahan_code": r.kelurahan_code,
        "kelurahan": snap.kelurahan,
        "kecamatan": snap.kecamatan,
        "kota": snap.kota,
        "is_public": int(r.is_public),
        "rating": snap.rating,
        "updated_at": dt_out(snap.updated_at),
        "in_scope": 1,
        "pending": 0,
        "server_data": json_codec.dumps(base),
    }
    cols.update(displayed_columns(r, True))
    return cols


def _upsert_sql(columns: Iterable[str]) -> str:
    cols = list(columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
    return (
        f"INSERT INTO reports ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}"
    )


def _ids_with(conn: sqlite3.Connection, sql: str, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(ids), 500):  # stay under SQLite's parameter limit
        part = ids[i : i + 500]
        marks = ", ".join("?" for _ in part)
        found.update(r[0] for r in conn.execute(sql.format(marks=marks), part))
    return found


def upsert_snapshots(
    conn: sqlite3.Connection,
    snaps: Sequence[ReportSnapshot],
    actor: Actor | None,
    seen_gen: int,
    now: datetime,
    wires: Sequence[Mapping[str, Any]] | None = None,
) -> int:
    """Store server snapshots (one pull page) and re-apply local work on top.

    `wires` (the snapshots' wire dicts as received) saves re-encoding them. Only the
    reports the device holds local work or device photos for pay for the overlay, and
    only the reports it already held pay for replacing their timeline and photos: a
    report new to the device (every report of a first sync) is one batched insert of
    its row, timeline and photos.
    """
    if not snaps:
        return 0
    count = len(snaps)
    last = {s.report.id: i for i, s in enumerate(snaps)}
    if len(last) < count:  # a report twice in one page: its later snapshot wins
        keep = sorted(last.values())
        snaps = [snaps[i] for i in keep]
        wires = None if wires is None else [wires[i] for i in keep]
    ids = [s.report.id for s in snaps]
    held = _ids_with(conn, "SELECT id FROM reports WHERE id IN ({marks})", ids)
    with_outbox = _ids_with(
        conn, "SELECT DISTINCT report_id FROM outbox WHERE report_id IN ({marks})", ids
    )
    with_attention = _ids_with(
        conn,
        "SELECT DISTINCT report_id FROM attention WHERE kind = 'out_of_scope' "
        "AND report_id IN ({marks})",
        ids,
    )
    with_device_photos = _ids_with(
        conn,
        "SELECT DISTINCT report_id FROM photos WHERE origin = 'device' AND report_id IN ({marks})",
        ids,
    )
    rows: list[tuple[Any, ...]] = []
    for i, snap in enumerate(snaps):
        cols = snapshot_columns(snap, None if wires is None else wires[i])
        cols["seen_gen"] = seen_gen
        rows.append(tuple(cols.values()))
    conn.executemany(_upsert_sql(cols), rows)  # every row has the same columns
    timeline: list[tuple[Any, ...]] = []
    new_photos: list[tuple[Any, ...]] = []
    for snap in snaps:
        rid = snap.report.id
        timeline.extend(_timeline_rows(snap))
        if rid in held:
            conn.execute("DELETE FROM timeline WHERE report_id = ? AND mutation_id IS NULL", (rid,))
            _replace_server_photos(conn, snap, now, rid in with_device_photos)
        else:
            new_photos.extend(_photo_rows(snap, now))
    conn.executemany(_TIMELINE_INSERT, timeline)
    conn.executemany(_PHOTO_UPSERT, new_photos)
    for snap in snaps:
        rid = snap.report.id
        if rid in with_attention:
            conn.execute(
                "DELETE FROM attention WHERE report_id = ? AND kind = ?",
                (rid, AttentionKind.OUT_OF_SCOPE.value),
            )
        if rid in with_outbox:
            # Applied actions the snapshot now includes are settled: drop them (their
            # local timeline entries go with them, ON DELETE CASCADE).
            conn.execute(
                "DELETE FROM outbox WHERE report_id = ? AND state = ? "
                "AND (report_version IS NULL OR report_version <= ?)",
                (rid, OutboxState.APPLIED.value, snap.report.version),
            )
            recompute(conn, rid, actor)
    return count


_TIMELINE_INSERT = (
    "INSERT INTO timeline (report_id, at, event, actor_name, actor_role, status_from, "
    "status_to, note, percent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _timeline_rows(snap: ReportSnapshot) -> list[tuple[Any, ...]]:
    rid = snap.report.id
    return [
        (
            rid,
            dt_out(t.at),
            t.event,
            t.actor_name,
            t.actor_role,
            t.status_from,
            t.status_to,
            t.note,
            t.percent,
        )
        for t in snap.timeline
    ]


_PHOTO_UPSERT = (
    "INSERT INTO photos (report_id, sha256, kind, latitude, longitude, accuracy_m, "
    "location_source, captured_at, captured_at_server, width, height, size_bytes, "
    "taken_by, origin, on_server, upload_state, created_at, source, added_at, flags) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'server', 1, ?, ?, ?, ?, ?) "
    # A server row takes the snapshot's metadata; a device row keeps its own (richer)
    # metadata and only learns that the server holds the bytes, when it linked them
    # and what it found about them.
    "ON CONFLICT (report_id, sha256) DO UPDATE SET taken_by = excluded.taken_by, "
    "added_at = excluded.added_at, flags = excluded.flags, "
    "source = CASE WHEN excluded.source != '' THEN excluded.source ELSE source END, "
    "on_server = 1, upload_state = CASE WHEN origin = 'device' THEN ? "
    "ELSE upload_state END, bytes_confirmed = CASE WHEN origin = 'device' "
    "THEN size_bytes ELSE bytes_confirmed END, "
    + ", ".join(
        f"{c} = CASE WHEN origin = 'server' THEN excluded.{c} ELSE {c} END"
        for c in (
            "kind",
            "latitude",
            "longitude",
            "accuracy_m",
            "location_source",
            "captured_at",
            "captured_at_server",
            "width",
            "height",
            "size_bytes",
        )
    )
)


def _photo_rows(snap: ReportSnapshot, now: datetime) -> list[tuple[Any, ...]]:
    """`_PHOTO_UPSERT`'s parameters for each photo of the snapshot."""
    return [
        (
            snap.report.id,
            p.sha256,
            p.kind.value,
            p.latitude,
            p.longitude,
            p.accuracy_m,
            "gps" if p.latitude is not None else "none",
            dt_out(p.captured_at),
            dt_out(p.captured_at),
            p.width,
            p.height,
            p.size_bytes,
            p.taken_by,
            UploadState.DONE.value,
            dt_out(now),
            p.source,
            dt_out(p.added_at),
            json.dumps(list(p.flags)) if p.flags else "",
            UploadState.DONE.value,
        )
        for p in snap.photos
    ]


def _replace_server_photos(
    conn: sqlite3.Connection, snap: ReportSnapshot, now: datetime, device_photos: bool
) -> None:
    """A held report's photos as the snapshot lists them: server rows it no longer
    lists go; device rows learn whether the server holds them."""
    rid = snap.report.id
    shas = [p.sha256 for p in snap.photos]
    marks = ", ".join("?" for _ in shas)
    if shas:
        conn.execute(
            f"DELETE FROM photos WHERE report_id = ? AND origin = 'server' "
            f"AND sha256 NOT IN ({marks})",
            (rid, *shas),
        )
    else:
        conn.execute("DELETE FROM photos WHERE report_id = ? AND origin = 'server'", (rid,))
    if device_photos:
        conn.execute(
            f"UPDATE photos SET on_server = (sha256 IN ({marks})) "
            f"WHERE report_id = ? AND origin = 'device'",
            (*shas, rid),
        )
    conn.executemany(_PHOTO_UPSERT, _photo_rows(snap, now))


def recompute(conn: sqlite3.Connection, report_id: str, actor: Actor | None) -> Report | None:
    """Rebuild the displayed columns: the server's snapshot + the overlay entries."""
    row = conn.execute(
        "SELECT server_data, server_version, in_scope FROM reports WHERE id = ?", (report_id,)
    ).fetchone()
    if row is None:
        return None
    report = ReportSnapshot.from_wire(json_in(row["server_data"])).report
    entries = conn.execute(
        "SELECT action, payload, state, hold_reason, report_version FROM outbox "
        "WHERE report_id = ? ORDER BY device_seq",
        (report_id,),
    ).fetchall()
    pending = 0
    for e in entries:
        state = OutboxState(e["state"])
        unsent = state in (OutboxState.PENDING, OutboxState.SENT, OutboxState.HELD)
        pending += unsent
        overlay = (unsent and e["hold_reason"] != HoldReason.DEPENDS_ON_REJECTED.value) or (
            state is OutboxState.APPLIED
            and e["report_version"] is not None
            and e["report_version"] > row["server_version"]
        )
        if not overlay or actor is None:
            continue
        try:
            report = domain_apply(report, actor, Action(e["action"]), json_in(e["payload"]))
        except ActionRefused:
            continue  # no longer applies here; the entry stays for the server to judge
    in_scope = bool(row["in_scope"])
    cols = displayed_columns(report, in_scope)
    cols["pending"] = pending
    sets = ", ".join(f"{c} = ?" for c in cols)
    conn.execute(f"UPDATE reports SET {sets} WHERE id = ?", (*cols.values(), report_id))
    return report


def unsent_on(conn: sqlite3.Connection, report_id: str) -> int:
    row = conn.execute(
        "SELECT (SELECT COUNT(*) FROM outbox WHERE report_id = ? AND state IN (?, ?, ?)) "
        "+ (SELECT COUNT(*) FROM photos WHERE report_id = ? AND origin = 'device' "
        "AND upload_state IN (?, ?))",
        (
            report_id,
            OutboxState.PENDING.value,
            OutboxState.SENT.value,
            OutboxState.HELD.value,
            report_id,
            UploadState.PENDING.value,
            UploadState.UPLOADING.value,
        ),
    ).fetchone()
    return int(row[0])


def delete_report(conn: sqlite3.Connection, report_id: str) -> None:
    """Remove a report with nothing unsent (rejected entries live on in needs-attention)."""
    conn.execute(
        "DELETE FROM outbox WHERE report_id = ? AND state != ?",
        (report_id, OutboxState.REJECTED.value),
    )
    conn.execute("DELETE FROM reports WHERE id = ?", (report_id,))


def get_view(conn: sqlite3.Connection, report_id: str) -> ReportView | None:
    row = conn.execute(
        f"SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?", (report_id,)
    ).fetchone()
    return None if row is None else view_from_row(row)


def timeline_of(conn: sqlite3.Connection, report_id: str) -> tuple[TimelineItem, ...]:
    """Server entries and local ones; a local entry counts as sent once applied."""
    rows = conn.execute(
        "SELECT t.at, t.event, t.actor_name, t.actor_role, t.status_from, t.status_to, "
        "t.note, t.percent, t.mutation_id, o.state FROM timeline AS t "
        "LEFT JOIN outbox AS o ON o.id = t.mutation_id "
        "WHERE t.report_id = ? ORDER BY t.at, t.id",
        (report_id,),
    ).fetchall()
    return tuple(
        TimelineItem(
            TimelineEntry(
                at=dt_req(r["at"]),
                event=r["event"],
                actor_name=r["actor_name"],
                actor_role=r["actor_role"],
                status_from=r["status_from"],
                status_to=r["status_to"],
                note=r["note"],
                percent=r["percent"],
            ),
            sent=r["mutation_id"] is None or r["state"] == OutboxState.APPLIED.value,
            mutation_id=r["mutation_id"],
        )
        for r in rows
    )


def upsert_users(conn: sqlite3.Connection, users: Iterable[UserInfo]) -> None:
    conn.executemany(
        "INSERT INTO colleagues (id, username, name, role, unit_id, unit_name) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET username = excluded.username, "
        "name = excluded.name, role = excluded.role, unit_id = excluded.unit_id, "
        "unit_name = excluded.unit_name",
        [(u.id, u.username, u.name, u.role.value, u.unit_id, u.unit_name) for u in users],
    )
