"""The one-writer rule: the UI thread and the sync thread write at the same time."""

from __future__ import annotations

import threading

import local_db
from domain import Action, Actor, Status
from local_db import LocalDb
from local_db import outbox as outbox_rows
from tests.local_db.factory import NOW, page, report, upsert

THREADS = 4
ACTIONS = 40


def test_concurrent_writers_and_readers_never_collide(officer_db: LocalDb, officer: Actor) -> None:
    reports = [report(f"r{t}", status=Status.DALAM_PROSES) for t in range(THREADS)]
    local_db.start_pull(officer_db)
    local_db.apply_page(officer_db, page(*(upsert(r) for r in reports)), NOW)
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS + 2)

    def officer_taps(t: int) -> None:
        try:
            start.wait()
            for i in range(ACTIONS):
                local_db.record_action(
                    officer_db, officer, f"r{t}", Action.PROGRESS, {"percent": i % 101}, NOW
                )
        except BaseException as exc:
            errors.append(exc)

    def sync_thread() -> None:
        # Picks batches and re-applies server snapshots while the UI writes.
        try:
            start.wait()
            for i in range(ACTIONS):
                with officer_db.write() as conn:
                    outbox_rows.prepare_push(conn, 10, NOW)
                local_db.apply_page(officer_db, page(upsert(reports[i % THREADS])), NOW)
        except BaseException as exc:
            errors.append(exc)

    def reader() -> None:
        try:
            start.wait()
            for _ in range(ACTIONS):
                items = local_db.queue(officer_db, now=NOW)
                assert len(items) == THREADS
                local_db.pending_counts(officer_db)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=officer_taps, args=(t,)) for t in range(THREADS)]
    threads += [threading.Thread(target=sync_thread), threading.Thread(target=reader)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    entries = local_db.unsent_work(officer_db).mutations
    assert len(entries) == THREADS * ACTIONS
    seqs = sorted(e.device_seq for e in entries)
    assert seqs == list(range(1, THREADS * ACTIONS + 1))  # no gap, no duplicate
    for t in range(THREADS):
        detail = local_db.get_report(officer_db, f"r{t}", now=NOW)
        assert detail is not None
        assert detail.report.progress_pct == (ACTIONS - 1) % 101  # the last tap wins
        assert detail.view.pending == ACTIONS


def test_a_write_that_fails_releases_the_lock(officer_db: LocalDb) -> None:
    try:
        with officer_db.write() as conn:
            conn.execute(
                "INSERT INTO colleagues (id, username, name, role) VALUES ('x', 'x', 'x', 'officer')"
            )
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    done = threading.Event()

    def other() -> None:
        with officer_db.write() as conn:
            conn.execute("SELECT 1")
        done.set()

    th = threading.Thread(target=other)
    th.start()
    th.join(5)
    assert done.is_set()
    assert local_db.colleagues(officer_db) == []  # rolled back
