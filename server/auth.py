"""Logins, per-device sessions and bearer tokens.

Invariants:
- passwords are stored as argon2 hashes; tokens are opaque random strings stored only
  as their sha256, so a database leak yields no usable token;
- one live session per (user, device): logging in again on a device replaces it;
- an ended session keeps why it ended (`EndReason`), and every token of it answers
  accordingly: `device_revoked` only when an admin revoked the device (the device
  reports its unsent work, then wipes), `session_revoked` for any other end (logout, a
  new login, refresh-token reuse, a deactivated user: log in again, data kept);
- a refresh rotates both tokens. The refresh token it replaced may be exchanged once
  more within `settings.refresh_grace` (the rotation's answer can be lost in a cut):
  that exchange retires the pair the lost answer carried and issues a fresh one. Any
  other presentation of a rotated token (after the window, or a second time) means it
  leaked, and ends the whole session (`session_revoked`);
- refreshes of one session are serialised on its row (`FOR UPDATE` on PostgreSQL,
  `BEGIN IMMEDIATE` on SQLite), so two retries cannot both use the grace;
- every login attempt is counted before its password is checked, atomically per client
  address (`server/throttle.py`), so concurrent guesses cannot outrun the count; over
  the limits (per username and address with back-off, per address) the attempt is
  refused with 429 and Retry-After, even with the right password;
- the slow password check never runs inside a database transaction; a successful login
  rehashes the password when argon2's parameters changed (`check_needs_rehash`).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    and_,
    or_,
    select,
    update,
)

from domain import Role
from domain.protocol import UserInfo

from . import throttle
from .config import Settings, system_clock
from .db import read_tx, write_tx
from .errors import (
    AuthError,
    DeviceRevoked,
    InvalidCredentials,
    SessionRevoked,
    TokenExpired,
    TokenInvalid,
    TooManyAttempts,
)
from .schema import sessions, spent_refresh_tokens, units, users

LAST_SEEN_EVERY = timedelta(minutes=1)


class EndReason(StrEnum):
    """Why a session ended (`sessions.revoked_reason`)."""

    ADMIN = "admin"  # revoke_device: the device reports its unsent work, then wipes
    LOGOUT = "logout"
    RELOGIN = "relogin"  # a new login on the same device replaced it
    REUSE = "reuse"  # a rotated refresh token came back outside the grace: it leaked
    DEACTIVATED = "deactivated"  # the user was deactivated


def _ended(reason: str | None) -> AuthError:
    """The answer to any token of a session that ended for `reason`."""
    if reason == EndReason.ADMIN:
        return DeviceRevoked()
    return SessionRevoked()


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds
    user: UserInfo

    def to_wire(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": self.expires_in,
            "token_type": "Bearer",
            "user": self.user.to_wire(),
        }


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of a request."""

    session_id: str
    user_id: str
    username: str
    name: str
    role: Role
    unit_id: str | None
    device_id: str


@lru_cache(maxsize=8)
def _hasher(time_cost: int | None, memory_kib: int | None) -> PasswordHasher:
    if time_cost is None and memory_kib is None:
        return PasswordHasher()
    return PasswordHasher(time_cost=time_cost or 3, memory_cost=memory_kib or 65536, parallelism=1)


def hasher(settings: Settings | None = None) -> PasswordHasher:
    if settings is None:
        return _hasher(None, None)
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib)


@lru_cache(maxsize=8)
def _dummy_hash(ph: PasswordHasher) -> str:
    return ph.hash("no such user")


def hash_password(password: str, settings: Settings | None = None) -> str:
    return hasher(settings).hash(password)


def _verify(ph: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_info(conn: Connection, user_id: str) -> UserInfo:
    row = conn.execute(
        select(users, units.c.name.label("unit_name"))
        .select_from(users.outerjoin(units, units.c.id == users.c.unit_id))
        .where(users.c.id == user_id)
    ).one()
    return UserInfo(
        row.id, row.username, row.name, Role(row.role), row.unit_id, row.unit_name or ""
    )


def _issue(settings: Settings, now: datetime) -> tuple[str, str, dict[str, object]]:
    """Fresh access and refresh tokens, and the session columns that store them."""
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    values: dict[str, object] = {
        "access_hash": token_hash(access),
        "access_expires_at": now + settings.access_ttl,
        "refresh_hash": token_hash(refresh),
        "refresh_expires_at": now + settings.refresh_ttl,
        "last_seen_at": now,
    }
    return access, refresh, values


def login(
    engine: Engine,
    settings: Settings,
    username: str,
    password: str,
    device_id: str,
    device_name: str,
    address: str = "",
) -> Tokens:
    """`address` is the client's address (the throttling key with the username)."""
    now = settings.now()
    ph = hasher(settings)
    with write_tx(engine) as conn:
        # Counted (committed) before the slow check: a failure stays counted.
        wait = throttle.begin_attempt(conn, settings, username, address, now)
    if wait:
        raise TooManyAttempts(wait)
    with read_tx(engine) as conn:
        user = conn.execute(
            select(users.c.id, users.c.password_hash, users.c.active).where(
                users.c.username == username
            )
        ).first()
    ok = _verify(ph, user.password_hash if user else _dummy_hash(ph), password)
    if user is None or not ok or not user.active:
        raise InvalidCredentials()
    rehashed = ph.hash(password) if ph.check_needs_rehash(user.password_hash) else None
    with write_tx(engine) as conn:
        throttle.succeeded(conn, username, address)
        if rehashed is not None:
            conn.execute(update(users).where(users.c.id == user.id).values(password_hash=rehashed))
        conn.execute(
            update(sessions)
            .where(
                sessions.c.user_id == user.id,
                sessions.c.device_id == device_id,
                sessions.c.revoked_at.is_(None),
            )
            .values(revoked_at=now, revoked_reason=EndReason.RELOGIN.value)
        )
        session_id = str(uuid.uuid4())
        access, refresh, values = _issue(settings, now)
        conn.execute(
            sessions.insert().values(
                id=session_id,
                user_id=user.id,
                device_id=device_id,
                device_name=device_name,
                created_at=now,
                **values,
            )
        )
        info = user_info(conn, user.id)
    return Tokens(access, refresh, int(settings.access_ttl.total_seconds()), info)


def refresh(engine: Engine, settings: Settings, refresh_token: str) -> Tokens:
    now = settings.now()
    presented = token_hash(refresh_token)
    with write_tx(engine) as conn:
        outcome = _exchange(conn, settings, presented, now)
    if isinstance(outcome, AuthError):  # raised after the transaction committed
        raise outcome
    return outcome


def _locked_session(conn: Connection, where: ColumnElement[bool]) -> Row[Any] | None:
    """The session (and whether its user is active), locked until the transaction ends."""
    return conn.execute(
        select(sessions, users.c.active)
        .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
        .where(where)
        .with_for_update(of=sessions)
    ).first()


def _exchange(
    conn: Connection, settings: Settings, presented: str, now: datetime
) -> Tokens | AuthError:
    """A refresh inside its transaction; a refusal is returned, not raised, so that the
    end of a session for reuse commits before the caller raises it."""
    row = _locked_session(conn, sessions.c.refresh_hash == presented)
    if row is not None:
        if row.revoked_at is not None:
            return _ended(row.revoked_reason)
        if not row.active:
            return SessionRevoked()
        if row.refresh_expires_at <= now:
            return TokenInvalid("The session has expired; please log in again.")
        return _rotate(
            conn,
            settings,
            row,
            now,
            retire=presented,
            previous_access_hash=row.access_hash,
            previous_refresh_hash=presented,
        )
    spent = conn.execute(
        select(spent_refresh_tokens.c.session_id, spent_refresh_tokens.c.spent_at).where(
            spent_refresh_tokens.c.refresh_hash == presented
        )
    ).first()
    if spent is None:
        return TokenInvalid()
    row = _locked_session(conn, sessions.c.id == spent.session_id)
    if row is None:  # the foreign key keeps the session; never reached
        return TokenInvalid()
    if row.revoked_at is not None:
        return _ended(row.revoked_reason)
    if not row.active:
        return SessionRevoked()
    if row.previous_refresh_hash == presented and now - spent.spent_at <= settings.refresh_grace:
        # The last rotation's answer was lost: the device never received that pair, so
        # it is retired (its refresh token is spent from now on) and a fresh pair
        # issued. The grace is used up: this token is never exchanged again. The access
        # token the device still holds keeps answering "expired".
        return _rotate(
            conn,
            settings,
            row,
            now,
            retire=row.refresh_hash,
            previous_access_hash=row.previous_access_hash,
            previous_refresh_hash=None,
        )
    # Reuse of a rotated token: whoever holds the live one may be a thief.
    conn.execute(
        update(sessions)
        .where(sessions.c.id == row.id)
        .values(revoked_at=now, revoked_reason=EndReason.REUSE.value)
    )
    return SessionRevoked()


def _rotate(
    conn: Connection,
    settings: Settings,
    row: Row[Any],
    now: datetime,
    *,
    retire: str,
    previous_access_hash: str | None,
    previous_refresh_hash: str | None,
) -> Tokens:
    """Issue a fresh pair for the session in `row`; the refresh hash `retire` is spent."""
    access, new_refresh, values = _issue(settings, now)
    conn.execute(
        spent_refresh_tokens.insert().values(refresh_hash=retire, session_id=row.id, spent_at=now)
    )
    conn.execute(
        update(sessions)
        .where(sessions.c.id == row.id)
        .values(
            previous_access_hash=previous_access_hash,
            previous_refresh_hash=previous_refresh_hash,
            **values,
        )
    )
    info = user_info(conn, row.user_id)
    return Tokens(access, new_refresh, int(settings.access_ttl.total_seconds()), info)


def authenticate(engine: Engine, settings: Settings, access_token: str) -> Principal:
    now = settings.now()
    presented = token_hash(access_token)
    with read_tx(engine) as conn:
        row = conn.execute(
            select(
                sessions.c.id,
                sessions.c.access_expires_at,
                sessions.c.revoked_at,
                sessions.c.revoked_reason,
                sessions.c.last_seen_at,
                sessions.c.device_id,
                users.c.id.label("user_id"),
                users.c.username,
                users.c.name,
                users.c.role,
                users.c.unit_id,
                users.c.active,
            )
            .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
            .where(sessions.c.access_hash == presented)
        ).first()
        if row is None:
            rotated = conn.execute(
                select(sessions.c.revoked_at, sessions.c.revoked_reason).where(
                    sessions.c.previous_access_hash == presented
                )
            ).first()
            if rotated is None:
                raise TokenInvalid()
            if rotated.revoked_at is not None:
                raise _ended(rotated.revoked_reason)
            raise TokenExpired()
    if row.revoked_at is not None:
        raise _ended(row.revoked_reason)
    if not row.active:
        raise SessionRevoked()
    if row.access_expires_at <= now:
        raise TokenExpired()
    if now - row.last_seen_at >= LAST_SEEN_EVERY:
        with write_tx(engine) as conn:
            conn.execute(update(sessions).where(sessions.c.id == row.id).values(last_seen_at=now))
    return Principal(
        row.id, row.user_id, row.username, row.name, Role(row.role), row.unit_id, row.device_id
    )


def logout(engine: Engine, settings: Settings, session_id: str) -> None:
    with write_tx(engine) as conn:
        conn.execute(
            update(sessions)
            .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
            .values(revoked_at=settings.now(), revoked_reason=EndReason.LOGOUT.value)
        )


def revoke_device(
    conn: Connection, username: str, device_id: str, *, now: datetime | None = None
) -> int:
    """Revoke every live session of `username` on `device_id`; returns how many.

    The device learns it on its next request, with any of its tokens (401
    `device_revoked`): it reports its unsent work, then wipes. Sessions of that device
    that had already ended otherwise (e.g. by refresh-token reuse) are marked too: a
    lost phone still holding their tokens must wipe as well."""
    user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if user_id is None:
        return 0
    this_device = and_(sessions.c.user_id == user_id, sessions.c.device_id == device_id)
    result = conn.execute(
        update(sessions)
        .where(this_device, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now or system_clock(), revoked_reason=EndReason.ADMIN.value)
    )
    conn.execute(
        update(sessions)
        .where(
            this_device,
            or_(
                sessions.c.revoked_reason.is_(None),
                sessions.c.revoked_reason != EndReason.ADMIN.value,
            ),
        )
        .values(revoked_reason=EndReason.ADMIN.value)
    )
    return int(result.rowcount)
