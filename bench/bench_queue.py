"""Benchmark: the officer's queue (top 50 by SLA urgency) over 100,000 local reports.

Prints medians and their ratio to a baseline measured in the same run (an indexed
primary-key lookup of one report), so the figures compare across machines.

    .venv/bin/python bench/bench_queue.py [--rows 100000] [--repeat 200]

Targets with 100,000 reports: the main queue query under 5 ms, and the queue screen's
whole read (the first page of rows and the tab counts, as `QueueModel` reads it on a
refresh or "show more") under 5 ms. The tab counts are kept per data version
(`local_db.tab_counts`): the screen pays the full count only after a write, shown
separately as "counts after a write".
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import local_db
from domain import CATEGORIES, Report, Status
from local_db import LocalDb, Stage, tab_counts
from local_db.codec import dt_out
from local_db.reports import REPORT_COLUMNS, displayed_columns

NOW = datetime(2026, 5, 14, 3, 0, tzinfo=UTC)
STATUS_MIX = [
    (Status.SELESAI, 80),
    (Status.DALAM_PROSES, 6),
    (Status.DIDISPOSISIKAN, 4),
    (Status.DITERIMA, 3),
    (Status.MENUNGGU_VALIDASI, 4),
    (Status.BARU, 2),
    (Status.KOORDINASI, 1),
]


def fill(db: LocalDb, rows: int, rng: random.Random) -> float:
    statuses = [s for s, w in STATUS_MIX for _ in range(w)]
    cats = list(CATEGORIES)
    started = time.perf_counter()
    batch = []
    for i in range(rows):
        received = NOW - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        r = Report(
            id=f"r{i:06d}",
            tracking_id=f"CRM-2026-{i:06d}",
            status=rng.choice(statuses),
            category=rng.choice(cats),
            channel="jaki",
            unit_id="kel-1",
            received_at=received,
            assignee_id="u1",
            rework_count=rng.random() < 0.05,
            title=f"Laporan {rng.choice(cats)} nomor {i}",
            description="Warga melaporkan masalah di lingkungan sekitar.",
            address=f"Jl. Contoh No. {i % 500}",
            kelurahan_code=f"31.71.0{i % 8}.100{i % 5}",
        )
        cols = displayed_columns(r, True)
        cols.update(
            id=r.id,
            tracking_id=r.tracking_id,
            category=r.category,
            channel=r.channel,
            received_at=dt_out(r.received_at),
            sla_days=r.sla_days,
            title=r.title,
            description=r.description,
            address=r.address,
            kelurahan_code=r.kelurahan_code,
            server_data=json.dumps({"id": r.id}),
        )
        batch.append(cols)
    names = list(batch[0])
    sql = f"INSERT INTO reports ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    with db.write() as conn:
        conn.executemany(sql, [tuple(c[n] for n in names) for c in batch])
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def screen_read(db: LocalDb) -> object:
    """What the Antrian screen reads on a refresh: a page (+1) of the tab, the counts."""
    rows = local_db.queue(db, now=NOW, stage=Stage.TO_ACT, limit=51)
    return rows, local_db.counts(db, now=NOW)


def read_snapshot(db: LocalDb) -> object:
    """The counts as read after every write (the cache's miss)."""
    with db.read() as conn:
        return tab_counts.read_snapshot(conn, dt_out(NOW))


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm the page cache and the statement cache
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db = LocalDb.open(Path(tmp) / "bench.sqlite")
        fill_s = fill(db, args.rows, rng)
        ids = [f"r{rng.randrange(args.rows):06d}" for _ in range(64)]
        k = iter(range(10**9))

        def pk_lookup() -> object:
            with db.read() as conn:
                return conn.execute(
                    f"SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?", (ids[next(k) % 64],)
                ).fetchone()

        sql_top50 = (
            f"SELECT {REPORT_COLUMNS} FROM reports WHERE bucket = 0 "
            "ORDER BY deadline, received_at, id LIMIT 50"
        )

        def top50_sql_only() -> object:
            with db.read() as conn:
                return conn.execute(sql_top50).fetchall()

        cases: dict[str, Callable[[], object]] = {
            "queue top 50, SQL rows only": top50_sql_only,
            "queue top 50 (open, by urgency)": lambda: local_db.queue(db, now=NOW),
            "queue page 3 (offset 100)": lambda: local_db.queue(db, now=NOW, offset=100),
            "stage tab: in progress": lambda: local_db.queue(db, now=NOW, stage=Stage.IN_PROGRESS),
            "filter: category pohon": lambda: local_db.queue(db, now=NOW, category="pohon"),
            "counts (status, stage, overdue)": lambda: local_db.counts(db, now=NOW),
            "counts after a write (full read)": lambda: read_snapshot(db),
            "search: 'pohon'": lambda: local_db.search(db, "pohon", now=NOW),
            "search: tracking id prefix": lambda: local_db.search(db, "CRM-2026-0123", now=NOW),
            "search: two rare words": lambda: local_db.search(db, "nomor 4242", now=NOW),
            "search: last digits '4897'": lambda: local_db.search(db, "4897", now=NOW),
            "search 'Laporan' + category pohon": lambda: local_db.search(
                db, "Laporan", now=NOW, category="pohon"
            ),
            "screen read: rows + counts": lambda: screen_read(db),
        }
        base = median_ms(pk_lookup, args.repeat * 5)
        print(f"{args.rows:,} reports inserted in {fill_s:.1f} s (executemany, FTS triggers on)")
        print(f"baseline: primary-key lookup median {base:.3f} ms")
        print(f"{'query':36} {'median ms':>10} {'x baseline':>11}")
        for name, fn in cases.items():
            ms = median_ms(fn, args.repeat)
            print(f"{name:36} {ms:10.3f} {ms / base:11.1f}")
        queue_ms = median_ms(cases["queue top 50 (open, by urgency)"], args.repeat)
        verdict = "OK" if queue_ms < 5 else "OVER"
        print(f"target: main queue < 5 ms -> {queue_ms:.3f} ms {verdict}")
        screen_ms = median_ms(cases["screen read: rows + counts"], args.repeat)
        verdict = "OK" if screen_ms < 5 else "OVER"
        print(f"target: screen read (rows + counts) < 5 ms -> {screen_ms:.3f} ms {verdict}")
        db.close()


if __name__ == "__main__":
    main()
