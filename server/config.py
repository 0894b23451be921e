"""Settings of the reference central server.

One frozen dataclass, built once and handed to `create_app()` / `EmbeddedServer`. The
clock is injectable: every "now" on the server (token expiry, SLA deadlines, timeline
times, the `X-Server-Time` header) comes from `settings.clock()`, so tests can move time
forward to expire a token or make a report overdue. It must return an aware UTC datetime.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.photo_files import MAX_PIXELS
from domain.protocol import MAX_PULL_LIMIT, MAX_PUSH_BATCH

from .db import ensure_sqlite_parent

DEFAULT_DB_URL = "sqlite:///var/server.sqlite"
PHOTO_STORES = ("local", "s3")
DEFAULT_PHOTO_DIR = "var/photos"


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
class PhotoStoreSettings:
    """Where photo bytes live (`server/photostore/`): `local` (the default) keeps them in
    `Settings.photo_dir`; `s3` in `bucket` under `prefix` at any S3-compatible service.
    Credentials are never here: boto3 reads the standard AWS variables
    (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_PROFILE`)
    or the machine's role, so no secret lands in a settings dump or a log."""

    kind: str = "local"
    bucket: str = ""
    prefix: str = ""
    endpoint_url: str | None = None  # MinIO, moto, another cloud; None: AWS itself
    region: str | None = None  # None: boto3's own (AWS_REGION / AWS_DEFAULT_REGION)

    def __post_init__(self) -> None:
        if self.kind not in PHOTO_STORES:
            raise ValueError(f"photo store {self.kind!r} is not one of {PHOTO_STORES}")
        if self.kind == "s3" and not self.bucket:
            raise ValueError("the s3 photo store needs a bucket")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> PhotoStoreSettings:
        """`TINDAK_PHOTO_STORE` (local|s3), `TINDAK_S3_BUCKET`, `TINDAK_S3_PREFIX`,
        `TINDAK_S3_ENDPOINT_URL`, `TINDAK_S3_REGION`; empty or unset: the defaults."""
        return cls(
            kind=environ.get("TINDAK_PHOTO_STORE") or "local",
            bucket=environ.get("TINDAK_S3_BUCKET") or "",
            prefix=environ.get("TINDAK_S3_PREFIX") or "",
            endpoint_url=environ.get("TINDAK_S3_ENDPOINT_URL") or None,
            region=environ.get("TINDAK_S3_REGION") or None,
        )


@dataclass(frozen=True, slots=True)
class Settings:
    db_url: str = DEFAULT_DB_URL
    photo_dir: Path = Path("var/photos")
    photo_store: PhotoStoreSettings = field(default_factory=PhotoStoreSettings)
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


def settings_from_env(db_url: str | None = None, photo_dir: str | None = None) -> Settings:
    """The settings of a `tindak-server` process: the arguments given, else
    `$TINDAK_DB_URL` / `$TINDAK_PHOTO_DIR`, else the defaults; the photo store from
    `TINDAK_PHOTO_STORE` / `TINDAK_S3_*` (`ValueError` if those are not valid)."""
    return Settings(
        db_url=db_url or os.environ.get("TINDAK_DB_URL") or DEFAULT_DB_URL,
        photo_dir=Path(photo_dir or os.environ.get("TINDAK_PHOTO_DIR") or DEFAULT_PHOTO_DIR),
        photo_store=PhotoStoreSettings.from_env(os.environ),
    )
