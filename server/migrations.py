"""Schema migrations with Alembic: `migrate(engine)` brings any database to the head.

The revisions are modules of `server/revisions/versions/`, found next to this module
(never through the working directory), so an installed wheel migrates as a checkout does:
- `r0001_baseline` is the schema the home-grown migrations 1-6 built
  (`server/legacy_migrations.py`);
- each later revision is one schema change on top of it.

What `migrate` does, by what it finds:
1. `alembic_version` holds a revision this code does not know, or `schema_version` says
   a version above 6: `DatabaseTooNew` (a newer server migrated this database; running
   older code on it could corrupt it, so every start refuses).
2. `schema_version` without `alembic_version` (a database of a server before Alembic):
   the old code brings it to version 6, then it is stamped with the baseline.
3. Each pending revision runs in its own write transaction together with its
   `alembic_version` update, so a crash leaves the database at a whole revision. The
   current revision is read again inside that transaction, under the feed writers' lock
   (PostgreSQL) or `BEGIN IMMEDIATE` (SQLite), so processes starting together apply each
   revision once.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect

from . import legacy_migrations, schema
from .db import lock_feed, write_tx
from .errors import ServerError

REVISIONS_DIR = Path(__file__).resolve().parent / "revisions"
BASELINE = "0001"


class DatabaseTooNew(ServerError):
    """The database was migrated by a newer server: this code refuses to run on it."""

    code = "database_too_new"

    def __init__(self, found: str) -> None:
        super().__init__(
            f"The database is newer than this server (schema {found}, this server knows up "
            f"to {head()}): run the newer server, or restore a backup made for this version.",
            f"Basis data lebih baru daripada server ini (skema {found}, server ini mengenal "
            f"sampai {head()}): jalankan server yang lebih baru, atau pulihkan cadangan untuk "
            "versi ini.",
        )


def _script() -> ScriptDirectory:
    return ScriptDirectory(str(REVISIONS_DIR))


def head() -> str:
    """The newest revision this code knows."""
    found = _script().get_current_head()
    assert found is not None, "server/revisions/versions has no revision"
    return found


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _config(conn: Connection) -> Config:
    # env.py runs the revisions on this connection, inside the caller's transaction.
    config = Config()
    config.set_main_option("script_location", str(REVISIONS_DIR))
    config.attributes["connection"] = conn
    return config


def refuse_unknown(conn: Connection, script: ScriptDirectory) -> None:
    """`DatabaseTooNew` if the database records a schema this code does not know."""
    legacy = legacy_migrations.current_version(conn)
    if legacy > legacy_migrations.LAST_VERSION:
        raise DatabaseTooNew(f"schema_version {legacy}")
    revision = current_revision(conn)
    if revision is None:
        return
    try:
        known = script.get_revision(revision)
    except (ResolutionError, CommandError) as exc:
        raise DatabaseTooNew(revision) from exc
    if known is None:
        raise DatabaseTooNew(revision)


def _next_revision(script: ScriptDirectory, current: str | None) -> str:
    # The history is linear: one base, and each revision has at most one successor.
    if current is None:
        (base,) = script.get_bases()
        return base
    found = script.get_revision(current)
    assert found is not None
    (following,) = found.nextrev
    return following


def migrate(engine: Engine) -> str:
    """Bring the database to the newest revision; returns it."""
    script = _script()
    target = head()
    with write_tx(engine) as conn:
        lock_feed(conn)
        refuse_unknown(conn, script)
        before_alembic = current_revision(conn) is None and inspect(conn).has_table(
            schema.schema_version.name
        )
    if before_alembic:
        legacy_migrations.migrate_legacy(engine)
        with write_tx(engine) as conn:
            lock_feed(conn)
            if current_revision(conn) is None:
                command.stamp(_config(conn), BASELINE)
    while True:
        with write_tx(engine) as conn:
            lock_feed(conn)
            current = current_revision(conn)
            if current == target:
                return target
            command.upgrade(_config(conn), _next_revision(script, current))
