"""Settings of the reference central server.

One frozen dataclass, built once and handed to `create_app()` / `EmbeddedServer`. The
clock is injectable: every "now" on the server (token expiry, SLA deadlines, timeline
times, the `X-Server-Time` header) comes from `settings.clock()`, so tests can move time
forward to expire a token or make a report overdue. It must return an aware UTC datetime.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.photo_files import MAX_PIXELS
from domain.protocol import MAX_PULL_LIMIT, MAX_PUSH_BATCH

from .db import ensure_sqlite_parent

DEFAULT_DB_URL = "sqlite:///var/server.sqlite"


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Limits:
    json_body_bytes: int = 1024 * 1024  # any non-photo request body
    photo_bytes: int = 15 * 1024 * 1024  # one photo, all chunks together
    # width * height, checked before decoding; the device's own limits
    # (`domain.photo_files`) also apply, whatever this says.
    photo_pixels: int = MAX_PIXELS
    push_batch: int = MAX_PUSH_BATCH
    pull_limit: int = MAX_PULL_LIMIT
    pull_default: int = 200


@dataclass(frozen=True, slots=True)
class Throttle:
    """Login throttling (`server/throttle.py`), failures counted within `window`:

    - per (username, client address): `max_failures` free failures, then each further
      attempt waits `backoff` after the last failure, doubled per failure beyond
      (30 s, 1, 2, 4, 8 min...), at most `max_backoff`. Another address (the officer's
      own phone) is not affected, so a stranger cannot lock an officer out;
    - per client address, any usernames: `address_max_failures` -> 429 until the
      oldest of them leaves the window.
    """

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(minutes=15)
    address_max_failures: int = 30


@dataclass(frozen=True, slots=True)
class Settings:
    db_url: str = DEFAULT_DB_URL
    photo_dir: Path = Path("var/photos")
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=30)
    # How long the refresh token a rotation just replaced may be exchanged once more:
    # the rotation's answer can be lost in a network cut, and the device then retries
    # with the old token. Later, or a second time, it counts as a stolen token.
    refresh_grace: timedelta = timedelta(seconds=60)
    throttle: Throttle = field(default_factory=Throttle)
    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], datetime] = system_clock
    # Lower argon2 cost only for tests and demos on small machines; production keeps
    # the library's defaults (None).
    argon2_time_cost: int | None = None
    argon2_memory_kib: int | None = None

    def __post_init__(self) -> None:
        ensure_sqlite_parent(self.db_url)

    def now(self) -> datetime:
        value = self.clock()
        if value.tzinfo is None:
            raise ValueError("settings.clock() must return an aware datetime")
        return value.astimezone(UTC)

    def with_changes(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
