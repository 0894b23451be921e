"""Logins, per-device sessions and bearer tokens.

Invariants:
- passwords are stored as argon2 hashes; tokens are opaque random strings stored only
  as their sha256, so a database leak yields no usable token;
- one live session per (user, device): logging in again on a device replaces it;
- a refresh rotates both tokens; presenting a refresh token that was already rotated
  away means it leaked, and revokes the whole session;
- failed logins are counted per username in their own committed transaction (a refusal
  must not roll its own record back); at `throttle.max_failures` within the window the
  username is refused with 429 and Retry-After, even with the right password;
- the slow password check never runs inside a database transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, and_, delete, func, select, update

from domain import Role
from domain.protocol import UserInfo

from .config import Settings, system_clock
from .db import read_tx, write_tx
from .errors import (
    InvalidCredentials,
    SessionRevoked,
    TokenExpired,
    TokenInvalid,
    TooManyAttempts,
)
from .schema import login_failures, sessions, spent_refresh_tokens, units, users

LAST_SEEN_EVERY = timedelta(minutes=1)


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


def _throttle_wait(conn: Connection, settings: Settings, username: str, now: datetime) -> int:
    """Seconds until `username` may try again (0: now)."""
    since = now - settings.throttle.window
    rows = conn.execute(
        select(login_failures.c.at)
        .where(login_failures.c.username == username, login_failures.c.at > since)
        .order_by(login_failures.c.at.desc())
        .limit(settings.throttle.max_failures)
    ).scalars()
    recent = list(rows)
    if len(recent) < settings.throttle.max_failures:
        return 0
    # The oldest of the last N failures has to leave the window.
    free_at = recent[-1] + settings.throttle.window
    return max(1, int((free_at - now).total_seconds() + 0.999))


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
) -> Tokens:
    now = settings.now()
    ph = hasher(settings)
    with read_tx(engine) as conn:
        wait = _throttle_wait(conn, settings, username, now)
        user = conn.execute(
            select(users.c.id, users.c.password_hash, users.c.active).where(
                users.c.username == username
            )
        ).first()
    if wait:
        raise TooManyAttempts(wait)
    ok = _verify(ph, user.password_hash if user else _dummy_hash(ph), password)
    if user is None or not ok or not user.active:
        with write_tx(engine) as conn:
            conn.execute(login_failures.insert().values(username=username, at=now))
        raise InvalidCredentials()
    with write_tx(engine) as conn:
        conn.execute(delete(login_failures).where(login_failures.c.username == username))
        conn.execute(
            update(sessions)
            .where(
                sessions.c.user_id == user.id,
                sessions.c.device_id == device_id,
                sessions.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
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
        row = conn.execute(
            select(sessions, users.c.active)
            .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
            .where(sessions.c.refresh_hash == presented)
        ).first()
        if row is None:
            spent = conn.execute(
                select(spent_refresh_tokens.c.session_id).where(
                    spent_refresh_tokens.c.refresh_hash == presented
                )
            ).scalar()
            if spent is None:
                raise TokenInvalid()
            # Reuse of a rotated token: whoever holds the live one may be a thief.
            conn.execute(
                update(sessions)
                .where(sessions.c.id == spent, sessions.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            reused = True
        else:
            reused = False
            if row.revoked_at is not None or not row.active:
                raise SessionRevoked()
            if row.refresh_expires_at <= now:
                raise TokenInvalid("The session has expired; please log in again.")
            access, new_refresh, values = _issue(settings, now)
            conn.execute(
                spent_refresh_tokens.insert().values(
                    refresh_hash=presented, session_id=row.id, spent_at=now
                )
            )
            conn.execute(
                update(sessions)
                .where(sessions.c.id == row.id)
                .values(previous_access_hash=row.access_hash, **values)
            )
            info = user_info(conn, row.user_id)
    if reused:  # raised after the revocation committed
        raise SessionRevoked()
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
                select(sessions.c.revoked_at).where(sessions.c.previous_access_hash == presented)
            ).first()
            if rotated is None:
                raise TokenInvalid()
            if rotated.revoked_at is not None:
                raise SessionRevoked()
            raise TokenExpired()
    if row.revoked_at is not None or not row.active:
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
            .values(revoked_at=settings.now())
        )


def revoke_device(
    conn: Connection, username: str, device_id: str, *, now: datetime | None = None
) -> int:
    """Revoke every live session of `username` on `device_id`; returns how many.

    The device learns it on its next request (401 `session_revoked`)."""
    user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if user_id is None:
        return 0
    result = conn.execute(
        update(sessions)
        .where(
            and_(
                sessions.c.user_id == user_id,
                sessions.c.device_id == device_id,
                sessions.c.revoked_at.is_(None),
            )
        )
        .values(revoked_at=now or system_clock())
    )
    return int(result.rowcount)


def live_sessions(conn: Connection, user_id: str) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(sessions)
            .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        ).scalar_one()
    )
