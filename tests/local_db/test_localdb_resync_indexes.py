"""A full resync drops the reports table's secondary indexes and builds them at its end.

While they are away every query still answers (only slower); at the end, however the
resync ends (its last page, abandoned for a new one, a wipe, or after a kill and a
restart), the schema is exactly that of a fresh file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import local_db
from domain import Status
from local_db import LocalDb, Stage, bulk_indexes
from tests.local_db.factory import NOW, page, report, upsert


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return sorted(
        (r[0], r[1])
        for r in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
    )


def _fresh_schema(tmp_path: Path) -> list[tuple[str, str]]:
    with LocalDb.open(tmp_path / "fresh.sqlite") as fresh, fresh.read() as conn:
        return _schema(conn)


def _reports_indexes(db: LocalDb) -> set[str]:
    with db.read() as conn:
        return {
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reports' "
                "AND sql IS NOT NULL"
            )
        }


def _first_page(db: LocalDb) -> None:
    local_db.start_pull(db)
    local_db.apply_page(
        db,
        page(
            upsert(report("a", tracking_id="CRM-2026-004897", title="Pohon tumbang")),
            upsert(report("b", status=Status.DALAM_PROSES, title="Jalan berlubang")),
            cursor="s:1:r:b",
            has_more=True,
        ),
        NOW,
    )


def test_queries_answer_while_the_indexes_are_away_and_the_end_restores_them(
    db: LocalDb, tmp_path: Path
) -> None:
    fresh = _fresh_schema(tmp_path)
    _first_page(db)
    assert _reports_indexes(db) == set()  # dropped for the resync
    # Every read the app makes still answers, the named-index ones included.
    assert {i.report.id for i in local_db.queue(db, now=NOW)} == {"a", "b"}
    assert [i.report.id for i in local_db.queue(db, now=NOW, stage=Stage.IN_PROGRESS)] == ["b"]
    assert [i.report.id for i in local_db.search(db, "CRM-2026-0048", now=NOW)] == ["a"]
    assert [i.report.id for i in local_db.search(db, "4897", now=NOW)] == ["a"]
    assert local_db.counts(db, now=NOW).open_total == 2
    local_db.apply_page(db, page(upsert(report("c"))), NOW)  # the last page
    with db.read() as conn:
        assert _schema(conn) == fresh
    with db.write() as conn:  # the writer sorted the indexes with helper threads
        assert conn.execute("PRAGMA threads").fetchone()[0] == bulk_indexes.SORT_THREADS
    assert [i.report.id for i in local_db.search(db, "pohon", now=NOW)] == ["a"]


def test_a_kill_mid_resync_keeps_the_statements_for_its_end(tmp_path: Path) -> None:
    fresh = _fresh_schema(tmp_path)
    path = tmp_path / "device.sqlite"
    db = LocalDb.open(path)
    _first_page(db)
    db.close()  # the app is killed here; the next start goes on with the resync
    with LocalDb.open(path) as again:
        assert _reports_indexes(again) == set()
        assert local_db.start_pull(again) == "s:1:r:b"
        local_db.apply_page(again, page(upsert(report("c"))), NOW)
        with again.read() as conn:
            assert _schema(conn) == fresh
            assert conn.execute("SELECT COUNT(*) FROM deferred_index").fetchone()[0] == 0


def test_an_abandoned_or_wiped_resync_restores_the_indexes(db: LocalDb, tmp_path: Path) -> None:
    fresh = _fresh_schema(tmp_path)
    _first_page(db)
    local_db.reset_cursor(db)  # the server refused the cursor: this resync is abandoned
    with db.read() as conn:
        assert _schema(conn) == fresh
    local_db.start_pull(db)  # the new resync defers them again
    assert _reports_indexes(db) == set()
    local_db.wipe(db)
    with db.read() as conn:
        assert _schema(conn) == fresh
