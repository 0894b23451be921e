"""The central database's tables (SQLAlchemy Core, one `MetaData`).

Invariants:
- every datetime column is `UtcDateTime`: aware UTC in and out on every backend (SQLite
  stores naive UTC text; the type re-attaches UTC on the way out);
- `reporters` holds the citizen's identity apart from `reports`; nothing that builds a
  device response reads it (see `server/snapshots.py`);
- `reports.deadline` is stored (received_at + SLA, or the approved extended deadline)
  so the scope queries' indexes serve the urgency order;
- `feed.seq` is the server's monotonic change sequence (never reused: AUTOINCREMENT on
  SQLite, an identity/serial on PostgreSQL) and pull cursors are built on it.

The server never calls `create_all` at start: `server/migrations.py` owns the schema
(Alembic revisions in `server/revisions/versions/`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData()

ID = 64  # length of string ids (uuids, unit codes, sha256 hex)
SHORT = 32  # codes: statuses, roles, categories, channels, kinds
NAME = 200


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime, always handed back in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"naive or non-datetime value for a UTC column: {value!r}")
        utc: datetime = value.astimezone(UTC)
        # SQLite has no time zones: store naive UTC text, which also sorts correctly.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        # SQLite hands back the naive UTC text stored above: read it as UTC in one step
        # (the generic path parses it, then replaces the zone, four times slower; a
        # snapshot page reads thousands of these).
        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            if not isinstance(value, str):  # pragma: no cover - SQLite gives text
                raise ValueError(f"not a datetime from the database: {value!r}")
            return datetime.fromisoformat(value + "+00:00")  # tzinfo is UTC itself

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - drivers give datetimes
            raise ValueError(f"not a datetime from the database: {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Integer primary keys that are SQLite rowids (AUTOINCREMENT) and BIGINT elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


units = Table(
    "units",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("kind", String(SHORT), nullable=False),
    Column("name", String(NAME), nullable=False),
    Column("parent_id", String(ID), ForeignKey("units.id"), nullable=True),
    Column("kota", String(NAME), nullable=True),
    Column("kelurahan_code", String(SHORT), nullable=True, unique=True),
    Column("officers_see_open_queue", Boolean, nullable=False, default=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("username", String(NAME), nullable=False, unique=True),
    Column("name", String(NAME), nullable=False),
    Column("role", String(SHORT), nullable=False),
    Column("unit_id", String(ID), ForeignKey("units.id"), nullable=True),
    Column("password_hash", String(512), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_users_unit_role", "unit_id", "role"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("device_id", String(NAME), nullable=False),
    Column("device_name", String(NAME), nullable=False, default=""),
    Column("access_hash", String(ID), nullable=False, unique=True),
    Column("access_expires_at", UtcDateTime, nullable=False),
    # The access token the last refresh replaced: still answered "expired", not "invalid",
    # so a request that raced the rotation makes the device refresh, not log out.
    Column("previous_access_hash", String(ID), nullable=True, index=True),
    Column("refresh_hash", String(ID), nullable=False, unique=True),
    Column("refresh_expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    # Why it ended (`server.auth.EndReason`): only "admin" (revoke-device) answers
    # `device_revoked` (wipe); any other end answers `session_revoked` (log in again).
    Column("revoked_reason", String(SHORT), nullable=True),
    # The refresh token the last rotation replaced: exchangeable once more within
    # `Settings.refresh_grace` (the rotation's answer may have been lost); NULL once used.
    Column("previous_refresh_hash", String(ID), nullable=True),
    Index("ix_sessions_user_device", "user_id", "device_id"),
)

# Refresh tokens already rotated away: presenting one again means it leaked.
spent_refresh_tokens = Table(
    "spent_refresh_tokens",
    metadata,
    Column("refresh_hash", String(ID), primary_key=True),
    Column("session_id", String(ID), ForeignKey("sessions.id"), nullable=False),
    Column("spent_at", UtcDateTime, nullable=False),
)

# A login attempt is recorded *before* its password is checked (so concurrent guesses
# are all counted) and deleted when it succeeds: what remains are the failures, counted
# per (username, client address) and per address (`server/throttle.py`). Migration 2.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("username", String(NAME), nullable=False),
    Column("address", String(NAME), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_login_attempts_address_at", "address", "at"),
    Index("ix_login_attempts_username_address_at", "username", "address", "at"),
    sqlite_autoincrement=True,
)

reporters = Table(
    "reporters",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(NAME), nullable=False, default=""),
    Column("email", String(NAME), nullable=False, default=""),
    Column("phone", String(SHORT), nullable=False, default=""),
)

# Named monotonic counters (tracking ids per year).
counters = Table(
    "counters",
    metadata,
    Column("name", String(SHORT), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

reports = Table(
    "reports",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("tracking_id", String(SHORT), nullable=False, unique=True),
    Column("status", String(SHORT), nullable=False),
    Column("category", String(SHORT), nullable=False),
    Column("channel", String(SHORT), nullable=False),
    Column("unit_id", String(ID), ForeignKey("units.id"), nullable=False),
    Column("assignee_id", String(ID), ForeignKey("users.id"), nullable=True),
    Column("reporter_id", String(ID), ForeignKey("reporters.id"), nullable=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("sla_days", Integer, nullable=False),
    Column("deadline", UtcDateTime, nullable=False),
    Column("extended_deadline", UtcDateTime, nullable=True),
    Column("extension_state", String(SHORT), nullable=False, default="none"),
    Column("extension_proposed_deadline", UtcDateTime, nullable=True),
    Column("extension_reason", Text, nullable=False, default=""),
    Column("extension_note", Text, nullable=False, default=""),
    Column("progress_pct", Integer, nullable=False, default=0),
    Column("rework_count", Integer, nullable=False, default=0),
    Column("version", Integer, nullable=False, default=0),
    Column("title", String(NAME), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("address", Text, nullable=False, default=""),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("kelurahan_code", String(SHORT), nullable=True),
    Column("is_public", Boolean, nullable=False, default=False),
    Column("rating", Integer, nullable=True),
    Column("dispatched_at", UtcDateTime, nullable=True),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("validated_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # The scope queries: a unit's queue by urgency, an officer's assignments, the
    # validators' and coordinators' city-wide lists by status.
    Index("ix_reports_unit_status_deadline", "unit_id", "status", "deadline"),
    Index("ix_reports_assignee_status", "assignee_id", "status"),
    Index("ix_reports_status_deadline", "status", "deadline"),
    # The initial sync's keyset pages, `id` after each scope condition's equalities
    # (server/pull.py, revision 0002).
    Index("ix_reports_unit_id", "unit_id", "id"),
    Index("ix_reports_unit_status_id", "unit_id", "status", "id"),
    Index("ix_reports_assignee_id", "assignee_id", "id"),
    Index("ix_reports_status_id", "status", "id"),
    # The city figures (server/figures, migration 2): a period's rows read from the
    # index alone, never from the wide rows (text, address).
    Index(
        "ix_reports_figures",
        "received_at",
        "kelurahan_code",
        "category",
        "channel",
        "status",
        "reporter_id",
        "deadline",
        "dispatched_at",
        "completed_at",
    ),
    # ... and by area first, for a kota, kecamatan or kelurahan (migration 5).
    Index(
        "ix_reports_figures_area",
        "kelurahan_code",
        "received_at",
        "category",
        "channel",
        "status",
        "reporter_id",
        "deadline",
        "dispatched_at",
        "completed_at",
    ),
    # The distinct reporters per category, per channel and in total (migration 6).
    Index(
        "ix_reports_by_category",
        "category",
        "reporter_id",
        "received_at",
        "kelurahan_code",
        "channel",
        "status",
    ),
    Index(
        "ix_reports_by_channel",
        "channel",
        "reporter_id",
        "received_at",
        "kelurahan_code",
        "category",
        "status",
    ),
    Index(
        "ix_reports_by_reporter",
        "reporter_id",
        "received_at",
        "kelurahan_code",
        "category",
        "channel",
        "status",
    ),
)

timeline = Table(
    "timeline",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("report_id", String(ID), ForeignKey("reports.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("event", String(SHORT), nullable=False),
    Column("actor_id", String(ID), nullable=True),
    Column("actor_name", String(NAME), nullable=False, default=""),
    Column("actor_role", String(SHORT), nullable=False, default=""),
    Column("status_from", String(SHORT), nullable=True),
    Column("status_to", String(SHORT), nullable=True),
    Column("note", Text, nullable=False, default=""),
    Column("percent", Integer, nullable=True),
    Index("ix_timeline_report", "report_id", "id"),
    sqlite_autoincrement=True,
)

photos = Table(
    "photos",
    metadata,
    Column("sha256", String(ID), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("received", BigInteger, nullable=False, default=0),
    Column("complete", Boolean, nullable=False, default=False),
    Column("mime", String(SHORT), nullable=False, default=""),
    Column("width", Integer, nullable=False, default=0),
    Column("height", Integer, nullable=False, default=0),
    Column("uploaded_by", String(ID), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

report_photos = Table(
    "report_photos",
    metadata,
    Column("report_id", String(ID), ForeignKey("reports.id"), nullable=False),
    Column("sha256", String(ID), ForeignKey("photos.sha256"), nullable=False),
    Column("kind", String(SHORT), nullable=False),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("accuracy_m", Float, nullable=True),
    Column("captured_at", UtcDateTime, nullable=True),
    Column("taken_by", String(ID), nullable=True),  # a user id; NULL for the reporter's
    Column("added_at", UtcDateTime, nullable=False),
    # Where the officer's app got the picture: "camera", "gallery" or "" (not said).
    Column("source", String(SHORT), nullable=False, default=""),
    # The evidence flags found when the photo was linked (`server.evidence`), JSON.
    Column("flags", Text, nullable=False, default=""),
    PrimaryKeyConstraint("report_id", "sha256"),
    Index("ix_report_photos_sha", "sha256"),
)

# Perceptual hashes of linked photos (`server.phash`: the whole picture and its windows,
# hex, comma-separated); `seq` lets each process's index read only what is new.
photo_hashes = Table(
    "photo_hashes",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("sha256", String(ID), nullable=False, unique=True),
    Column("hashes", Text, nullable=False),
    sqlite_autoincrement=True,
)

mutations = Table(
    "mutations",
    metadata,
    Column("id", String(ID), primary_key=True),  # the client's UUID
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("device_id", String(NAME), nullable=False),
    Column("device_seq", BigInteger, nullable=False),
    Column("action", String(SHORT), nullable=False),
    Column("report_id", String(ID), nullable=False),
    Column("outcome", String(SHORT), nullable=False),
    Column("code", String(SHORT), nullable=True),
    Column("message_id", Text, nullable=False, default=""),
    Column("message_en", Text, nullable=False, default=""),
    Column("report_version", Integer, nullable=True),
    Column("received_at", UtcDateTime, nullable=False),
)

feed = Table(
    "feed",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("user_id", String(ID), nullable=False),
    Column("entity", String(SHORT), nullable=False),
    Column("entity_id", String(ID), nullable=False),
    Column("op", String(SHORT), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_feed_user_seq", "user_id", "seq"),
    sqlite_autoincrement=True,
)

# --- Open311 intake (server/open311.py, server/cli.py) --------------------------------
# Each citizen channel (JAKI, Qlue, the Twitter desk...) calls the Open311 intake with its
# own API key; only the key's sha256 is stored. A report created through the intake keeps
# the key's channel. `intake_requests` holds what a request brought beyond the report:
# `media_url` is the reporter's own photo link, shown by the public API for public
# reports only; `idempotency_key` (the request's Idempotency-Key header, per API key)
# makes a retried POST answer with the first report instead of creating another. The
# reporter's identity never goes here (it lives in `reporters`).
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("key_hash", String(ID), nullable=False, unique=True),
    Column("channel", String(SHORT), nullable=False),
    Column("label", String(NAME), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

intake_requests = Table(
    "intake_requests",
    metadata,
    Column("report_id", String(ID), ForeignKey("reports.id"), primary_key=True),
    Column("api_key_id", String(ID), ForeignKey("api_keys.id"), nullable=True),
    Column("media_url", Text, nullable=False, default=""),
    Column("idempotency_key", String(NAME), nullable=True),
    Index("ux_intake_requests_idempotency", "api_key_id", "idempotency_key", unique=True),
)
# --- end of the Open311 intake block -------------------------------------------------


schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(NAME), nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
)

__all__ = [
    "api_keys",
    "counters",
    "feed",
    "intake_requests",
    "login_attempts",
    "metadata",
    "mutations",
    "photos",
    "report_photos",
    "reporters",
    "reports",
    "schema_version",
    "sessions",
    "spent_refresh_tokens",
    "timeline",
    "units",
    "users",
]
