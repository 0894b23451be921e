"""The queries behind each screen: queue by SLA urgency, search, counts, detail.

Invariants:
- the queue order is (deadline, received_at, id) within a bucket (open, then closed,
  then out of scope): by `domain.sla` that is the urgency order, whatever `now` is, so
  the index `reports_queue (bucket, deadline, received_at, id)` serves it with no sort
  (a stage or status filter uses the matching index); `now` only sets the level shown;
- every function reads one consistent snapshot and returns typed rows.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from datetime import datetime
from typing import Any

from domain import Action, Role, Status
from domain.protocol import UserInfo
from domain.sla import urgency

from .bulk_indexes import indexed_by
from .codec import dt_req, json_in
from .connection import LocalDb
from .outbox import entry_from_row
from .photos import photo_from_row, refused_shas, waiting_actions
from .reports import REPORT_COLUMNS, get_view, timeline_of, view_from_row
from .rows import (
    AttentionItem,
    AttentionKind,
    Bucket,
    LocalPhoto,
    PendingCounts,
    PhotoKeep,
    PhotoWait,
    QueueFilter,
    QueueItem,
    ReportDetail,
    Stage,
    UploadState,
)

DEFAULT_PAGE = 50
_TOKEN = re.compile(r"\w+", re.UNICODE)
_TRACKING = re.compile(r"^CRM-[0-9-]*$", re.IGNORECASE)  # the server's tracking ids
_DIGITS = re.compile(r"^[0-9][0-9-]*$")  # a piece of a tracking id's number


def _items(rows: list[sqlite3.Row], now: datetime) -> list[QueueItem]:
    out = []
    for row in rows:
        view = view_from_row(row)
        out.append(QueueItem(view, urgency(view.report, now)))
    return out


def queue_sql(flt: QueueFilter) -> tuple[str, list[Any]]:
    """The queue query for a filter (exposed for the EXPLAIN QUERY PLAN test)."""
    where: list[str] = []
    args: list[Any] = []
    if flt.stage is not None:
        where.append("stage = ?")
        args.append(flt.stage.value)
    elif flt.status is None:
        where.append("bucket = ?")
        args.append(Bucket.OPEN)
    if flt.status is not None:
        where.append("status = ? AND in_scope = 1")
        args.append(flt.status.value)
    if flt.category is not None:
        where.append("category = ?")
        args.append(flt.category)
    if flt.kelurahan_code is not None:
        where.append("kelurahan_code = ?")
        args.append(flt.kelurahan_code)
    sql = (
        f"SELECT {REPORT_COLUMNS} FROM reports WHERE {' AND '.join(where)} "
        "ORDER BY deadline, received_at, id LIMIT ? OFFSET ?"
    )
    return sql, args


def queue(
    db: LocalDb,
    *,
    now: datetime,
    stage: Stage | None = None,
    status: Status | None = None,
    category: str | None = None,
    kelurahan_code: str | None = None,
    limit: int = DEFAULT_PAGE,
    offset: int = 0,
) -> list[QueueItem]:
    """Reports by SLA urgency. Without a stage or status: every open report in scope."""
    sql, args = queue_sql(QueueFilter(stage, status, category, kelurahan_code))
    with db.read() as conn:
        rows = conn.execute(sql, [*args, limit, offset]).fetchall()
    return _items(rows, now)


def fts_query(text: str) -> str | None:
    """Each word as a quoted prefix term, all required (None if there is no word)."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    return " ".join('"' + t.replace('"', "") + '"*' for t in tokens)


def search_sql(
    text: str,
    *,
    category: str | None = None,
    kelurahan_code: str | None = None,
    tracking_index: str = "INDEXED BY reports_tracking",
) -> tuple[str, list[Any]] | None:
    """The search query for a text and the filters (None when there is no word).

    Exposed for the EXPLAIN QUERY PLAN test. The filters are part of the query, so a
    page of results is a page of *filtered* results. `tracking_index` is empty while a
    resync has the index away (`bulk_indexes.indexed_by`).
    """
    text = text.strip()
    match = fts_query(text)
    if match is None:
        return None
    if _TRACKING.match(text):
        # A tracking-id prefix: its words ("crm", "2026") are in every report, so the
        # tracking-id index answers alone.
        prefix = text.upper()
        conds = ["(tracking_id >= ? AND tracking_id < ?)"]
        args: list[Any] = [prefix, prefix + "\uffff"]
    elif _DIGITS.match(text):
        # The last digits of a tracking id ("4897" of CRM-2026-004897) are inside a
        # word, where FTS prefixes cannot reach: scan the tracking-id index (covering,
        # ~100k short keys) for the digits, alongside the word match.
        conds = [
            "rid IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ? "
            f"UNION SELECT rid FROM reports {tracking_index} "
            "WHERE tracking_id LIKE ?)"
        ]
        args = [match, f"%{text}%"]
    else:
        conds = ["rid IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?)"]
        args = [match]
    if category is not None:
        conds.append("category = ?")
        args.append(category)
    if kelurahan_code is not None:
        conds.append("kelurahan_code = ?")
        args.append(kelurahan_code)
    sql = (
        f"SELECT {REPORT_COLUMNS} FROM reports WHERE {' AND '.join(conds)} "
        "ORDER BY bucket, deadline, received_at, id LIMIT ? OFFSET ?"
    )
    return sql, args


def search(
    db: LocalDb,
    text: str,
    *,
    now: datetime,
    category: str | None = None,
    kelurahan_code: str | None = None,
    limit: int = DEFAULT_PAGE,
    offset: int = 0,
) -> list[QueueItem]:
    """Full-text search over title, description, address and tracking id.

    A tracking-id prefix ("CRM-2026-0001") matches through the tracking-id index; the
    digits alone ("4897") match any tracking id that contains them; other text matches
    word by word, each word a prefix, in any searched column (so the number alone,
    "000123", finds the report too). The category and kelurahan filters apply in the
    query. Results come in urgency order, a page (`limit`, `offset`) at a time.
    """
    with db.read() as conn:
        q = search_sql(
            text,
            category=category,
            kelurahan_code=kelurahan_code,
            tracking_index=indexed_by(conn, "reports_tracking"),
        )
        if q is None:
            return []
        sql, args = q
        rows = conn.execute(sql, [*args, limit, offset]).fetchall()
    return _items(rows, now)


def _attention_from_row(r: sqlite3.Row) -> AttentionItem:
    return AttentionItem(
        id=r["id"],
        kind=AttentionKind(r["kind"]),
        report_id=r["report_id"],
        tracking_id=r["tracking_id"],
        report_title=r["report_title"],
        mutation_id=r["mutation_id"],
        action=Action(r["action"]) if r["action"] else None,
        payload=json_in(r["payload"]),
        photos=tuple(
            PhotoKeep(p["sha256"], p["kind"], p.get("local_path")) for p in json_in(r["photos"])
        ),
        code=r["code"],
        message_id=r["message_id"],
        message_en=r["message_en"],
        created_at=dt_req(r["created_at"]),
    )


def attention_on(conn: sqlite3.Connection, report_id: str | None = None) -> list[AttentionItem]:
    if report_id is None:
        rows = conn.execute("SELECT * FROM attention ORDER BY id").fetchall()
    else:
        rows = conn.execute(
            "SELECT * FROM attention WHERE report_id = ? ORDER BY id", (report_id,)
        ).fetchall()
    return [_attention_from_row(r) for r in rows]


def attention_items(db: LocalDb) -> list[AttentionItem]:
    """The "perlu perhatian" list, oldest first."""
    with db.read() as conn:
        return attention_on(conn)


def _shown_photo(photo: LocalPhoto, refused: set[str]) -> LocalPhoto:
    if photo.from_device and not photo.on_server and photo.sha256 in refused:
        return replace(photo, refused=True)
    return photo


def get_report(db: LocalDb, report_id: str, *, now: datetime) -> ReportDetail | None:
    """One report with its timeline (local entries marked unsent), photos and outbox."""
    with db.read() as conn:
        view = get_view(conn, report_id)
        if view is None:
            return None
        timeline = timeline_of(conn, report_id)
        refused = refused_shas(conn, report_id)
        photos = tuple(
            _shown_photo(photo_from_row(r), refused)
            for r in conn.execute(
                "SELECT * FROM photos WHERE report_id = ? ORDER BY captured_at_server, sha256",
                (report_id,),
            )
        )
        outbox = tuple(
            entry_from_row(r)
            for r in conn.execute(
                "SELECT * FROM outbox WHERE report_id = ? AND state IN ('pending', 'sent', "
                "'held') ORDER BY device_seq",
                (report_id,),
            )
        )
        attention = tuple(attention_on(conn, report_id))
    return ReportDetail(view, urgency(view.report, now), timeline, photos, outbox, attention)


def photo_waits(db: LocalDb) -> list[PhotoWait]:
    """Photos still to upload and the actions waiting for each, in upload order."""
    with db.read() as conn:
        return waiting_actions(conn)


def pending_counts(db: LocalDb) -> PendingCounts:
    with db.read() as conn:
        m = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(state = 'held'), 0) FROM outbox "
            "WHERE state IN ('pending', 'sent', 'held')"
        ).fetchone()
        p = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(size_bytes - bytes_confirmed), 0) FROM "
            "(SELECT sha256, MAX(size_bytes) AS size_bytes, MAX(bytes_confirmed) "
            "AS bytes_confirmed FROM photos WHERE origin = 'device' AND upload_state IN (?, ?) "
            "GROUP BY sha256)",
            (UploadState.PENDING.value, UploadState.UPLOADING.value),
        ).fetchone()
        failed = conn.execute(
            "SELECT COUNT(DISTINCT sha256) FROM photos WHERE origin = 'device' "
            "AND upload_state = ?",
            (UploadState.FAILED.value,),
        ).fetchone()[0]
        attention = conn.execute("SELECT COUNT(*) FROM attention").fetchone()[0]
    return PendingCounts(m[0], m[1], p[0], p[1], failed, attention)


def colleagues(db: LocalDb) -> list[UserInfo]:
    """Colleagues in scope (a supervisor's officers), by name."""
    with db.read() as conn:
        rows = conn.execute("SELECT * FROM colleagues ORDER BY name, id").fetchall()
    return [
        UserInfo(r["id"], r["username"], r["name"], Role(r["role"]), r["unit_id"], r["unit_name"])
        for r in rows
    ]
