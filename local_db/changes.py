"""Applying the server's pull pages, and the device's maintenance (unsent work, wipe).

Invariants:
- one pull page is applied in ONE transaction together with the cursor that follows it:
  a kill between pages resumes from the last applied page, never skips one;
- a removal deletes a report unless unsent work refers to it; then the report stays,
  marked out of scope, listed in needs-attention;
- a full resync (empty cursor) ends with a sweep of the reports it did not see, by the
  same removal rule;
- a wipe deletes every row and every local photo file, and gives the device a new id;
  it is the app's job to show `unsent_work()` first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from domain.protocol import ChangeOp, Entity, PullPage, ReportSnapshot, UserInfo

from . import bulk_indexes, messages, search_index
from .connection import LocalDb
from .outbox import add_attention, entries
from .photos import photo_from_row
from .queries import attention_on
from .reports import delete_report, recompute, unsent_on, upsert_snapshots, upsert_users
from .rows import UNSENT_STATES, AttentionKind, UnsentWork, UploadState
from .state import (
    account_actor,
    begin_resync,
    end_resync,
    get_state,
    reset_device,
    resync_gen,
    set_cursor,
)


@dataclass(frozen=True, slots=True)
class PageApplied:
    upserted: int
    removed: int
    kept_out_of_scope: int
    swept: int


def remove_report(conn: sqlite3.Connection, report_id: str, now: datetime) -> bool:
    """The report left the user's scope. Returns True if it stays (unsent work)."""
    row = conn.execute("SELECT in_scope FROM reports WHERE id = ?", (report_id,)).fetchone()
    if row is None:
        return False
    if unsent_on(conn, report_id) == 0:
        delete_report(conn, report_id)
        return False
    if row["in_scope"]:
        conn.execute("UPDATE reports SET in_scope = 0 WHERE id = ?", (report_id,))
        add_attention(
            conn,
            AttentionKind.OUT_OF_SCOPE,
            report_id,
            AttentionKind.OUT_OF_SCOPE.value,
            messages.OUT_OF_SCOPE[0],
            messages.OUT_OF_SCOPE[1],
            now,
        )
        recompute(conn, report_id, account_actor(conn))
    return True


def start_pull(db: LocalDb) -> str | None:
    """The cursor to pull from; with none, a full resync begins (and will be swept)."""
    with db.write() as conn:
        cursor = get_state(conn).cursor
        if cursor is None:
            _, sweeping = resync_gen(conn)
            if not sweeping:
                begin_resync(conn)
        return cursor


def apply_page(db: LocalDb, page: PullPage, now: datetime) -> PageApplied:
    with db.write() as conn:
        actor = account_actor(conn)
        gen, sweeping = resync_gen(conn)
        wires = [
            c.data
            for c in page.changes
            if c.entity is Entity.REPORT and c.op is ChangeOp.UPSERT and c.data is not None
        ]
        snaps = [ReportSnapshot.from_wire(w) for w in wires]
        upserted = upsert_snapshots(conn, snaps, actor, gen, now, wires)
        removed = kept = 0
        for c in page.changes:
            if c.entity is Entity.REPORT and c.op is ChangeOp.REMOVE:
                if remove_report(conn, c.id, now):
                    kept += 1
                else:
                    removed += 1
            elif c.entity is Entity.USER:
                if c.op is ChangeOp.UPSERT and c.data is not None:
                    upsert_users(conn, [UserInfo.from_wire(c.data)])
                else:
                    conn.execute("DELETE FROM colleagues WHERE id = ?", (c.id,))
        set_cursor(conn, page.cursor)
        swept = 0
        if sweeping and not page.has_more:
            stale = conn.execute(
                "SELECT id FROM reports WHERE seen_gen < ? AND in_scope = 1", (gen,)
            ).fetchall()
            for r in stale:
                if not remove_report(conn, r["id"], now):
                    swept += 1
            end_resync(conn)
    return PageApplied(upserted, removed, kept, swept)


def reset_cursor(db: LocalDb) -> None:
    """Forget the cursor (the server refused it): the next pull is a full resync."""
    with db.write() as conn:
        set_cursor(conn, None)
        end_resync(conn)


def unsent_work(db: LocalDb) -> UnsentWork:
    """Everything a wipe would lose: unsent actions, photos not on the server, and
    needs-attention items."""
    with db.read() as conn:
        mutations = tuple(entries(conn, UNSENT_STATES))
        photos = tuple(
            photo_from_row(r)
            for r in conn.execute(
                "SELECT * FROM photos WHERE origin = 'device' AND upload_state != ? "
                "ORDER BY created_at",
                (UploadState.DONE.value,),
            )
        )
        attention = tuple(attention_on(conn))
    return UnsentWork(mutations, photos, attention)


def wipe(db: LocalDb, *, new_device_id: bool = True) -> list[str]:
    """Delete every row and the local photo files; returns the files removed.

    After a revocation the device takes a new id (`new_device_id`); when another user
    signs in on a clean device the id of the session just opened is kept.
    """
    with db.write() as conn:
        paths = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT local_path FROM photos WHERE local_path IS NOT NULL"
            )
        ]
        for table in ("attention", "timeline", "photos", "outbox", "reports", "colleagues"):
            conn.execute(f"DELETE FROM {table}")
        # A resync may be open: its triggers idle, its indexes dropped. Both are built
        # now, from the empty tables (the device id's reset below forgets the resync).
        search_index.clear(conn)
        bulk_indexes.restore(conn)
        conn.execute("DELETE FROM account")
        if new_device_id:
            reset_device(conn)
        else:
            set_cursor(conn, None)
            end_resync(conn)
    db.compact()
    removed = []
    for p in paths:
        path = Path(p)
        if path.exists():
            path.unlink()
            removed.append(p)
    return removed
