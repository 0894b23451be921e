"""Alembic migrations: a fresh database, one an older server left, and one too new.

Real SQLite files and real PostgreSQL databases; the refusal is checked through the real
`tindak-server` command in a subprocess (exit code 1, both languages, no traceback).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text

from server import schema
from server.db import make_engine, write_tx
from server.embedded import EmbeddedServer
from server.legacy_migrations import LAST_VERSION, migrate_legacy
from server.migrations import DatabaseTooNew, current_revision, head, migrate
from server.revisions.versions.r0002_keyset_indexes import KEYSET_INDEXES
from tests.server.kit import MovableClock, make_pre_alembic, test_settings

REPO = Path(__file__).resolve().parents[2]
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        factory: Callable[[], str] = request.getfixturevalue("pg_database_factory")
        return factory()
    return f"sqlite:///{tmp_path / 'server.sqlite'}"


@pytest.fixture
def engine(db_url: str) -> Engine:
    made = make_engine(db_url)
    yield made  # type: ignore[misc]
    made.dispose()


def _indexes(engine: Engine) -> set[str]:
    return {str(i["name"]) for i in inspect(engine).get_indexes("reports")}


def test_a_fresh_database_reaches_the_head_once(engine: Engine) -> None:
    assert migrate(engine) == head()
    assert migrate(engine) == head()  # idempotent
    with engine.connect() as conn:
        assert current_revision(conn) == head()
    tables = set(inspect(engine).get_table_names())
    assert "schema_version" not in tables  # the old record belongs to old databases
    assert set(KEYSET_INDEXES) <= _indexes(engine)


def test_a_database_of_the_home_grown_migrations_is_stamped_then_upgraded(
    engine: Engine,
) -> None:
    assert migrate_legacy(engine) == LAST_VERSION  # what a server before Alembic left
    with engine.connect() as conn:
        assert current_revision(conn) is None
    with write_tx(engine) as conn:  # as before revision 0002
        for name in KEYSET_INDEXES:
            conn.execute(text(f"DROP INDEX {name}"))
    assert migrate(engine) == head()
    assert set(KEYSET_INDEXES) <= _indexes(engine)
    with engine.connect() as conn:
        versions = conn.execute(select(schema.schema_version.c.version)).scalars().all()
    assert max(versions) == LAST_VERSION


def test_an_older_home_grown_version_is_brought_to_6_first(engine: Engine) -> None:
    migrate(engine)
    make_pre_alembic(engine, 5)
    with write_tx(engine) as conn:  # undo migration 6
        for name in ("ix_reports_by_category", "ix_reports_by_channel", "ix_reports_by_reporter"):
            conn.execute(text(f"DROP INDEX {name}"))
    assert migrate(engine) == head()
    assert "ix_reports_by_reporter" in _indexes(engine)
    with engine.connect() as conn:
        versions = conn.execute(select(schema.schema_version.c.version)).scalars().all()
    assert max(versions) == LAST_VERSION


def test_processes_migrating_together_apply_each_revision_once(db_url: str) -> None:
    engines = [make_engine(db_url) for _ in range(3)]
    reached: list[str] = []
    failures: list[BaseException] = []

    def run(e: Engine) -> None:
        try:
            reached.append(migrate(e))
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for e in engines:
        e.dispose()
    assert not failures, failures
    assert reached == [head()] * 3


def _make_too_new(engine: Engine, how: str) -> None:
    migrate(engine)
    if how == "revision":
        with write_tx(engine) as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    else:
        make_pre_alembic(engine, LAST_VERSION)
        with write_tx(engine) as conn:
            conn.execute(
                text(
                    "INSERT INTO schema_version (version, name, applied_at) "
                    "VALUES (7, 'from the future', CURRENT_TIMESTAMP)"
                )
            )


@pytest.mark.parametrize("how", ["revision", "schema_version"])
def test_a_database_newer_than_the_code_is_refused(
    engine: Engine, db_url: str, tmp_path: Path, how: str
) -> None:
    _make_too_new(engine, how)
    with pytest.raises(DatabaseTooNew):
        migrate(engine)
    settings = test_settings(db_url, tmp_path / "photos", MovableClock())
    with pytest.raises(DatabaseTooNew):
        EmbeddedServer(settings).start()
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    for command in (["migrate"], ["serve", "--port", "0"], ["serve", "--workers", "2"]):
        done = subprocess.run(
            [sys.executable, "-m", "server.cli", *command, "--db", db_url],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1, (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stdout + done.stderr
        assert "Basis data lebih baru daripada server ini" in done.stderr
        assert "The database is newer than this server" in done.stderr
    with engine.connect() as conn:  # refused, not touched
        found = current_revision(conn)
    assert found == ("ffff_from_the_future" if how == "revision" else None)
