"""Login throttling: count each attempt before the password check, atomically.

An attempt is recorded (`login_attempts`) *before* the slow argon2 check, in a short
transaction that first serialises the attempts of the same client address (PostgreSQL:
a transaction-level advisory lock on the address; SQLite: `BEGIN IMMEDIATE` admits one
writer). So N guesses sent at once are counted one after the other: once the limit is
reached the rest are refused with 429 without being checked, the right password
included. A successful login deletes the attempts of its (username, address); what
remains are failures. A refused (throttled) attempt is not recorded, so the table holds
at most a bounded number of rows per address and window; rows older than the window
are deleted as attempts come in.

The numbers are `Settings.throttle` (`server.config.Throttle`): per (username,
address) 5 free failures in 15 minutes, then a back-off of 30 s doubling per further
failure up to 15 minutes; per address 30 failures in 15 minutes for any usernames.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select, text

from .config import Settings, Throttle
from .schema import login_attempts


def _address_key(address: str) -> int:
    """A signed 64-bit advisory-lock key for the address (its own key space)."""
    digest = hashlib.sha256(f"tindak-login:{address}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def wait_for(
    conn: Connection, throttle: Throttle, username: str, address: str, now: datetime
) -> int:
    """Seconds until this (username, address) may try again (0: now)."""
    since = now - throttle.window
    pair = list(
        conn.execute(
            select(login_attempts.c.at)
            .where(
                login_attempts.c.username == username,
                login_attempts.c.address == address,
                login_attempts.c.at > since,
            )
            .order_by(login_attempts.c.at.desc())
        ).scalars()
    )
    wait = timedelta(0)
    if len(pair) >= throttle.max_failures:
        beyond = len(pair) - throttle.max_failures
        backoff = min(throttle.backoff * (2 ** min(beyond, 32)), throttle.max_backoff)
        wait = max(wait, pair[0] + backoff - now)
    if throttle.address_max_failures > 0:
        limit = throttle.address_max_failures
        nth = conn.execute(
            select(login_attempts.c.at)
            .where(login_attempts.c.address == address, login_attempts.c.at > since)
            .order_by(login_attempts.c.at.desc())
            .offset(limit - 1)
            .limit(1)
        ).scalar()
        if nth is not None:  # `limit` failures in the window: wait for the oldest to leave
            wait = max(wait, nth + throttle.window - now)
    return _seconds(wait) if wait > timedelta(0) else 0


def begin_attempt(
    conn: Connection, settings: Settings, username: str, address: str, now: datetime
) -> int | None:
    """Inside a write transaction: serialise on the address, then either record the
    attempt (returns None) or refuse it (returns the seconds to wait)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _address_key(address)})
    throttle = settings.throttle
    conn.execute(
        delete(login_attempts).where(
            login_attempts.c.address == address, login_attempts.c.at <= now - throttle.window
        )
    )
    wait = wait_for(conn, throttle, username, address, now)
    if wait:
        return wait
    conn.execute(login_attempts.insert().values(username=username, address=address, at=now))
    return None


def succeeded(conn: Connection, username: str, address: str) -> None:
    """The password was right: the failures of this (username, address) are forgiven."""
    conn.execute(
        delete(login_attempts).where(
            login_attempts.c.username == username, login_attempts.c.address == address
        )
    )
