"""The home-grown migrations 1-6 that came before Alembic, recorded in `schema_version`.

They are the Alembic baseline (`server/revisions/versions/r0001_baseline.py`): a fresh
database gets them all from the baseline revision (without a `schema_version` table), and
a database that an older server left at version 1-5 is first brought to version 6 here,
then stamped with the baseline (`server/migrations.py`). Nothing is ever added here: the
next schema change is an Alembic revision.

Invariants:
- migrations are applied in version order, each in its own transaction together with
  its `schema_version` row, so a crash leaves the database at a whole version;
- `migrate_legacy(engine)` is idempotent: it applies only versions not yet recorded;
- migration 1 creates the tables from `server.schema.metadata`, which describes the
  newest schema, so every later step (and every Alembic revision) must tolerate finding
  its change already made (`IF NOT EXISTS`, `checkfirst`, a column looked up first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, inspect, select, text

from . import schema
from .config import system_clock
from .db import lock_feed, write_tx


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _v1_tables(conn: Connection) -> None:
    tables = [t for t in schema.metadata.sorted_tables if t is not schema.schema_version]
    schema.metadata.create_all(conn, tables=tables)


def _v2_figures_index(conn: Connection) -> None:
    # The Dasbor kota's figures scan a period's reports from this index alone (server/figures).
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_reports_figures ON reports (received_at, kelurahan_code,"
        " category, channel, status, reporter_id, deadline, dispatched_at, completed_at)"
    )


def _login_attempts(conn: Connection) -> None:
    """Throttling per (username, address) and per address replaces the per-username
    `login_failures` of version 1 (a database created at version 3 or later already
    has the new table from migration 1, hence `checkfirst`)."""
    schema.login_attempts.create(conn, checkfirst=True)
    conn.execute(text("DROP TABLE IF EXISTS login_failures"))


def _v4_evidence(conn: Connection) -> None:
    """Evidence flags: the photo's source and flags on its link, and the hash table."""
    present = {c["name"] for c in inspect(conn).get_columns("report_photos")}
    for name, ddl in (
        ("source", "ALTER TABLE report_photos ADD COLUMN source VARCHAR(32) NOT NULL DEFAULT ''"),
        ("flags", "ALTER TABLE report_photos ADD COLUMN flags TEXT NOT NULL DEFAULT ''"),
    ):
        if name not in present:
            conn.execute(text(ddl))
    schema.photo_hashes.create(conn, checkfirst=True)


def _v5_figures_area_index(conn: Connection) -> None:
    # A kota, kecamatan or kelurahan of the Dasbor kota reads its own range of this index
    # instead of the whole period's (server/figures).
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_reports_figures_area ON reports (kelurahan_code,"
        " received_at, category, channel, status, reporter_id, deadline, dispatched_at,"
        " completed_at)"
    )


# The distinct reporters of the Dasbor kota per category, per channel and in total, each
# read in (dimension, reporter) order so neither database sorts a year of rows. The other
# columns are the ones the filters read, so the scan never leaves the index.
DISTINCT_INDEXES = {
    "ix_reports_by_category": "category, reporter_id, received_at, kelurahan_code, channel, status",
    "ix_reports_by_channel": "channel, reporter_id, received_at, kelurahan_code, category, status",
    "ix_reports_by_reporter": "reporter_id, received_at, kelurahan_code, category, channel, status",
}


def _v6_distinct_indexes(conn: Connection) -> None:
    for name, columns in DISTINCT_INDEXES.items():
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON reports ({columns})")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "v1 tables", _v1_tables),
    Migration(2, "city figures index", _v2_figures_index),
    Migration(3, "login attempts by username and address", _login_attempts),
    Migration(4, "evidence flags", _v4_evidence),
    Migration(5, "city figures index by area", _v5_figures_area_index),
    Migration(6, "city figures distinct-reporter indexes", _v6_distinct_indexes),
)


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table(schema.schema_version.name):
        return 0
    versions = conn.execute(select(schema.schema_version.c.version)).scalars().all()
    return max(versions, default=0)


LAST_VERSION = MIGRATIONS[-1].version


def apply_all(conn: Connection) -> None:
    """Today's schema on a fresh database, in one transaction (the Alembic baseline)."""
    for migration in MIGRATIONS:
        migration.apply(conn)


def migrate_legacy(engine: Engine) -> int:
    """Bring a `schema_version` database to version 6; returns the version reached."""
    with write_tx(engine) as conn:
        schema.schema_version.create(conn, checkfirst=True)
    version = 0
    for migration in MIGRATIONS:
        with write_tx(engine) as conn:
            # Two processes starting together: the advisory lock (PostgreSQL) or the
            # immediate transaction (SQLite) makes the second wait, then skip.
            lock_feed(conn)
            version = current_version(conn)
            if migration.version <= version:
                continue
            migration.apply(conn)
            conn.execute(
                schema.schema_version.insert().values(
                    version=migration.version, name=migration.name, applied_at=system_clock()
                )
            )
            version = migration.version
    return version
