"""The database file: pragmas, versioned migrations, and an app update over old data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import local_db
from domain import Action, PhotoKind
from domain.protocol import PhotoRef
from local_db import LocalDb, SchemaTooNew, search_index
from local_db import outbox as outbox_rows
from local_db.migrations import MIGRATIONS, applied, migrate
from local_db.reports import snapshot_columns
from local_db.state import set_account
from tests.local_db.factory import NOW, OFFICER, report, snapshot

SHA_OLD = "ab" * 32
_LATER_COLUMNS = frozenset({"sent_back_at", "awaiting_new_after_photo", "photo_shas", "seen_gen"})


def test_fresh_file_has_every_migration_and_durable_pragmas(db: LocalDb) -> None:
    with db.read() as conn:
        assert applied(conn) == [m.name for m in MIGRATIONS._migrations]
    with db.write() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # INCREMENTAL


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "device.sqlite"
    LocalDb.open(path).close()
    with LocalDb.open(path) as db, db.read() as conn:
        names = applied(conn)
    assert len(names) == len(set(names)) == len(MIGRATIONS._migrations)


def _v1_database_with_work(path: Path) -> str:
    """What an app of schema version 1 left on a phone: a report and unsent work."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    migrate(conn, stop_before="0002_search")
    assert applied(conn) == ["0001_core"]
    conn.execute("BEGIN IMMEDIATE")
    set_account(conn, OFFICER, "http://server.test", NOW)
    # The row as version 1 wrote it: today's columns but those later versions added.
    snap = snapshot(
        report("r-old", title="Pohon tumbang di taman"),
        photos=(PhotoRef(SHA_OLD, PhotoKind.BEFORE),),
    )
    cols = {k: v for k, v in snapshot_columns(snap).items() if k not in _LATER_COLUMNS}
    marks = ", ".join("?" for _ in cols)
    conn.execute(f"INSERT INTO reports ({', '.join(cols)}) VALUES ({marks})", tuple(cols.values()))
    entry = outbox_rows.append(conn, Action.ACCEPT, "r-old", {}, NOW)
    conn.execute("COMMIT")
    conn.close()
    return entry.id


def test_upgrading_a_v1_database_keeps_its_data_and_indexes_it(tmp_path: Path) -> None:
    path = tmp_path / "device.sqlite"
    entry_id = _v1_database_with_work(path)
    with LocalDb.open(path) as db:
        with db.read() as conn:
            assert applied(conn) == [m.name for m in MIGRATIONS._migrations]
            # The rework columns are filled from the stored snapshot.
            row = conn.execute("SELECT photo_shas FROM reports WHERE id = 'r-old'").fetchone()
            assert row["photo_shas"] == SHA_OLD
        with db.write() as conn:  # converted once at open: freed pages can be given back
            assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
        # The unsent action survived the update, in its place in the queue.
        unsent = local_db.unsent_work(db)
        assert [m.id for m in unsent.mutations] == [entry_id]
        # The report written before search existed is found by search after it.
        found = local_db.search(db, "tumbang", now=NOW)
        assert [i.report.id for i in found] == ["r-old"]
        assert local_db.account(db) is not None
        with db.write() as conn:
            assert search_index.consistent(conn)


def test_a_file_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "device.sqlite"
    LocalDb.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('tindak_local_db', '9999_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNew):
        LocalDb.open(path)


def test_a_failed_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "device.sqlite"
    _v1_database_with_work(path)
    conn = sqlite3.connect(path, isolation_level=None)
    # Sabotage: an object with the name migration 2 wants to create.
    conn.execute("CREATE TABLE reports_fts (x)")
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn)
    conn.row_factory = sqlite3.Row
    assert applied(conn) == ["0001_core"]
    assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 1
    conn.close()
