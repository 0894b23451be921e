"""Per-device sync state and the signed-in account (one row each).

Invariants:
- the cursor is the server's opaque string, stored in the same transaction as the pull
  page it came with: never ahead of the data the device holds;
- the clock offset is `server - device` in milliseconds, estimated by the engine;
- `next_seq` only grows (the per-device order of outbox entries survives pruning);
- no token, password or secret is ever stored here.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta

from domain import Actor, Role
from domain.protocol import UserInfo

from . import bulk_indexes, search_index
from .codec import dt_in, dt_out, dt_req
from .rows import Account, SyncState


def get_state(conn: sqlite3.Connection) -> SyncState:
    r = conn.execute("SELECT * FROM sync_state WHERE id = 1").fetchone()
    return SyncState(
        device_id=r["device_id"],
        cursor=r["cursor"],
        clock_offset_ms=r["clock_offset_ms"],
        clock_rtt_ms=r["clock_rtt_ms"],
        clock_measured_at=dt_in(r["clock_measured_at"]),
        last_attempt_at=dt_in(r["last_attempt_at"]),
        last_success_at=dt_in(r["last_success_at"]),
        last_error_code=r["last_error_code"],
        last_error_id=r["last_error_id"],
        last_error_en=r["last_error_en"],
    )


def clock_offset(conn: sqlite3.Connection) -> timedelta:
    row = conn.execute("SELECT clock_offset_ms FROM sync_state WHERE id = 1").fetchone()
    return timedelta(milliseconds=row[0])


def take_seq(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        "UPDATE sync_state SET next_seq = next_seq + 1 WHERE id = 1 RETURNING next_seq - 1"
    ).fetchone()
    return int(row[0])


def set_cursor(conn: sqlite3.Connection, cursor: str | None) -> None:
    conn.execute("UPDATE sync_state SET cursor = ? WHERE id = 1", (cursor,))


def begin_resync(conn: sqlite3.Connection) -> int:
    """Start a full snapshot pull: reports not seen again by its end are swept. Its
    indexes are built once, at its end (`bulk_indexes`, `search_index`)."""
    row = conn.execute(
        "UPDATE sync_state SET resync_gen = resync_gen + 1, sweep_pending = 1, cursor = NULL "
        "WHERE id = 1 RETURNING resync_gen"
    ).fetchone()
    bulk_indexes.defer(conn)
    return int(row[0])


def resync_gen(conn: sqlite3.Connection) -> tuple[int, bool]:
    row = conn.execute("SELECT resync_gen, sweep_pending FROM sync_state WHERE id = 1").fetchone()
    return int(row[0]), bool(row[1])


def end_resync(conn: sqlite3.Connection) -> None:
    """Close the resync (ended, or abandoned for a new one): the indexes it deferred are
    built, in this transaction (`bulk_indexes`, `search_index`)."""
    row = conn.execute(
        "UPDATE sync_state SET sweep_pending = 0 WHERE id = 1 AND sweep_pending = 1 RETURNING id"
    ).fetchone()
    if row is not None:
        bulk_indexes.restore(conn)
        search_index.rebuild(conn)


def set_clock(
    conn: sqlite3.Connection, offset_ms: float, rtt_ms: float, measured_at: datetime
) -> None:
    conn.execute(
        "UPDATE sync_state SET clock_offset_ms = ?, clock_rtt_ms = ?, clock_measured_at = ? "
        "WHERE id = 1",
        (offset_ms, rtt_ms, dt_out(measured_at)),
    )


def record_attempt(conn: sqlite3.Connection, at: datetime) -> None:
    conn.execute("UPDATE sync_state SET last_attempt_at = ? WHERE id = 1", (dt_out(at),))


def record_success(conn: sqlite3.Connection, at: datetime) -> None:
    conn.execute(
        "UPDATE sync_state SET last_success_at = ?, last_error_code = NULL, "
        "last_error_id = NULL, last_error_en = NULL WHERE id = 1",
        (dt_out(at),),
    )


def record_error(conn: sqlite3.Connection, code: str, message_id: str, message_en: str) -> None:
    conn.execute(
        "UPDATE sync_state SET last_error_code = ?, last_error_id = ?, last_error_en = ? "
        "WHERE id = 1",
        (code, message_id, message_en),
    )


def reset_device(conn: sqlite3.Connection) -> None:
    """A fresh device identity (after a wipe): the server sees a new device."""
    conn.execute("DELETE FROM sync_state")
    conn.execute("INSERT INTO sync_state (id, device_id) VALUES (1, ?)", (str(uuid.uuid4()),))


def get_account(conn: sqlite3.Connection) -> Account | None:
    r = conn.execute("SELECT * FROM account WHERE id = 1").fetchone()
    if r is None:
        return None
    user = UserInfo(
        r["user_id"], r["username"], r["name"], Role(r["role"]), r["unit_id"], r["unit_name"]
    )
    return Account(user, r["server_url"], dt_req(r["signed_in_at"]), bool(r["signed_in"]))


def account_actor(conn: sqlite3.Connection) -> Actor | None:
    account = get_account(conn)
    if account is None:
        return None
    return Actor(account.user.id, account.user.role, account.user.unit_id)


def set_account(conn: sqlite3.Connection, user: UserInfo, server_url: str, at: datetime) -> None:
    conn.execute(
        "INSERT INTO account (id, user_id, username, name, role, unit_id, unit_name, "
        "server_url, signed_in_at, signed_in) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
        "ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, "
        "username = excluded.username, name = excluded.name, role = excluded.role, "
        "unit_id = excluded.unit_id, unit_name = excluded.unit_name, "
        "server_url = excluded.server_url, signed_in_at = excluded.signed_in_at, "
        "signed_in = 1",
        (
            user.id,
            user.username,
            user.name,
            user.role.value,
            user.unit_id,
            user.unit_name,
            server_url,
            dt_out(at),
        ),
    )


def mark_signed_out(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE account SET signed_in = 0")
