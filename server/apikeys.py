"""API keys of the citizen channels calling the Open311 intake.

Each channel (JAKI, Qlue, the Twitter desk, the WhatsApp desk...) gets its own keys; a
report created with a key keeps that key's channel. Only the key's sha256 is stored, so
a database leak yields no usable key; the plain key is shown once, when it is created.
Keys are random (`secrets.token_urlsafe`) unless a caller supplies one (the demo seeder
does, so that a seeded demo has keys it can print).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from domain import CHANNELS

from .errors import InvalidRequest
from .schema import api_keys

KEY_PREFIX = "t311_"
MIN_KEY_LENGTH = 20


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    channel: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(
    conn: Connection, channel: str, *, now: datetime, label: str = "", key: str | None = None
) -> tuple[ApiKey, str]:
    """A new key for `channel`; returns it with the plain key (shown once, never stored)."""
    if channel not in CHANNELS:
        known = ", ".join(sorted(CHANNELS))
        raise InvalidRequest(
            f"Unknown channel {channel!r}; known channels: {known}.",
            f"Kanal {channel!r} tidak dikenal; kanal yang ada: {known}.",
        )
    plain = key if key is not None else KEY_PREFIX + secrets.token_urlsafe(24)
    if len(plain) < MIN_KEY_LENGTH:
        raise InvalidRequest(
            f"An API key needs at least {MIN_KEY_LENGTH} characters.",
            f"Kunci API minimal {MIN_KEY_LENGTH} karakter.",
        )
    record = ApiKey(str(uuid.uuid4()), channel, label or CHANNELS[channel].name, now, None)
    conn.execute(
        api_keys.insert().values(
            id=record.id,
            key_hash=key_hash(plain),
            channel=record.channel,
            label=record.label,
            created_at=now,
        )
    )
    return record, plain


def _record(row: object) -> ApiKey:
    m = row._mapping  # type: ignore[attr-defined]
    return ApiKey(m["id"], m["channel"], m["label"], m["created_at"], m["revoked_at"])


def find_api_key(conn: Connection, key: str) -> ApiKey | None:
    """The live key record for a presented plain key, or None."""
    row = conn.execute(
        select(api_keys).where(
            api_keys.c.key_hash == key_hash(key), api_keys.c.revoked_at.is_(None)
        )
    ).first()
    return None if row is None else _record(row)


def list_api_keys(conn: Connection) -> list[ApiKey]:
    rows = conn.execute(select(api_keys).order_by(api_keys.c.channel, api_keys.c.created_at))
    return [_record(r) for r in rows]


def revoke_api_key(conn: Connection, key_id: str, *, now: datetime) -> bool:
    result = conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)
