"""Benchmark: the Dasbor kota's figures for a full year of 185,852 reports.

Seeds the 2024 year (`server.demo.year`, the published figures) into a fresh SQLite file
and, when PostgreSQL answers, a fresh PostgreSQL database, then times for each:
- `seed`: seeding the year (printed once, not repeated);
- `city`: every figure of the screen for the whole city (`server.figures.city_figures`);
- `kota`: the same for one kota (Jakarta Timur, the largest);
- `naive`: the baseline measured in the same run: every row of the period loaded into
  Python and the same figures computed there (what a dashboard built on `SELECT *` does).
It prints medians, the ratio naive / figures, and the targets, against the wall time
and against the CPU time the work took (this process's, plus the PostgreSQL backend's
read from /proc): on a busy machine the wall time measures the machine, the CPU time
still measures the query.

    .venv/bin/python bench/bench_city.py [--repeat 5] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--no-pg]

Targets: the whole city < 1 s and one kota < 300 ms, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, select, text

from domain.city import CityQuery, Period
from server.db import make_engine, read_tx, write_tx
from server.demo.year import seed_year
from server.figures import city_figures
from server.figures.compute import day_start_utc
from server.migrations import migrate
from server.schema import reports

NOW = datetime(2026, 11, 26, tzinfo=UTC)
YEAR = Period(date(2024, 1, 1), date(2024, 12, 31))
KOTA = "31.75"  # Jakarta Timur
WIB = timezone(timedelta(hours=7))
ACTIVE = {"baru", "didisposisikan", "diterima", "dalam_proses", "menunggu_validasi"}


def naive(conn: Any, q: CityQuery) -> dict[str, Any]:
    """Every row of the period into Python, then the same figures (the baseline)."""
    c = reports.c
    where = [
        c.received_at >= day_start_utc(q.period.start),
        c.received_at < day_start_utc(q.period.end + timedelta(days=1)),
    ]
    if q.area:
        where.append(c.kelurahan_code.like(q.area + ".%"))
    rows = conn.execute(select(reports).where(*where)).mappings().all()
    by_day: Counter[date] = Counter()
    per: dict[str, dict[str, list[Any]]] = {"category": {}, "channel": {}}
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    kel: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    statuses: Counter[str] = Counter()
    reporters, coord, done = set(), [], []
    for r in rows:
        local = r["received_at"].astimezone(WIB)
        by_day[local.date()] += 1
        reporters.add(r["reporter_id"])
        resolved = r["status"] == "selesai"
        on_time = resolved and r["completed_at"] is not None and r["completed_at"] <= r["deadline"]
        played = resolved or (r["status"] in ACTIVE and r["deadline"] < NOW)
        late = played and not on_time
        for dim in ("category", "channel"):
            cell = per[dim].setdefault(r[dim], [0, set(), 0])
            cell[0] += 1
            cell[1].add(r["reporter_id"])
            cell[2] += resolved
        m = months[local.strftime("%Y-%m")]
        m[0], m[1], m[2] = m[0] + 1, m[1] + resolved, m[2] + late
        k = kel[r["kelurahan_code"] or ""]
        k[0], k[1], k[2], k[3] = k[0] + 1, k[1] + resolved, k[2] + played, k[3] + late
        statuses[r["status"]] += 1
        if r["dispatched_at"] is not None:
            coord.append((r["dispatched_at"] - r["received_at"]).total_seconds())
        if resolved and r["completed_at"] is not None:
            done.append((r["completed_at"] - r["received_at"]).total_seconds())
    return {"reports": len(rows), "reporters": len(reporters), "days": by_day, "kel": kel}


_TICK = os.sysconf("SC_CLK_TCK")


class Backend:
    """CPU seconds of the PostgreSQL backend serving this benchmark's connection, read
    from /proc (the database runs on this machine). With this process's own CPU time it
    gives the work a query cost, which a busy machine inflates far less than the wall
    time. None where /proc does not show the backend (another machine)."""

    def __init__(self) -> None:
        self.pid: int | None = None

    def cpu(self) -> float | None:
        if self.pid is None:
            return None
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def median_ms(fn: Callable[[], object], repeat: int, backend: Backend) -> tuple[float, float]:
    """Median wall and CPU milliseconds. CPU is this process's (on SQLite the database
    works in this process) plus, on PostgreSQL, the backend's: the less noisy figure on
    a busy machine."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, cpu_started, db_started = time.perf_counter(), time.process_time(), backend.cpu()
        fn()
        wall.append(time.perf_counter() - started)
        db_ended = backend.cpu()
        db = db_ended - db_started if db_started is not None and db_ended is not None else 0.0
        cpu.append(time.process_time() - cpu_started + db)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def cpu_verdict(cpu_ms: float, target: float) -> str:
    return "ok" if cpu_ms < target else "OVER TARGET"


def bench(label: str, url: str, repeat: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    started = time.perf_counter()
    with write_tx(engine) as conn:
        summary = seed_year(conn, 2024, NOW)
    seeded = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk load: statistics for the planner and the
        # visibility map that lets the figures read from the indexes alone.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE reports"))
    print(
        f"\n{label}: seeded {summary.reports:,} reports from {summary.reporters:,} reporters in {seeded:.1f} s"
    )
    city, kota = CityQuery(YEAR), CityQuery(YEAR, area=KOTA)
    backend = Backend()

    def run(q: CityQuery, fn: Callable[[Any, CityQuery], Any]) -> Callable[[], object]:
        def go() -> object:
            with read_tx(engine) as conn:
                if engine.dialect.name == "postgresql":
                    backend.pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
                return fn(conn, q)

        return go

    figures = lambda conn, q: city_figures(conn, q, NOW)  # noqa: E731
    got = run(city, figures)()
    base = run(city, naive)()
    assert got.totals.reports == base["reports"] and got.totals.reporters == base["reporters"]
    for name, q, target in (("city", city, 1000.0), ("kota", kota, 300.0)):
        run(q, figures)()  # the backend's pid, and a warm cache like the naive run's
        fast, fast_cpu = median_ms(run(q, figures), repeat, backend)
        slow, slow_cpu = median_ms(run(q, naive), max(1, repeat // 2), backend)
        verdict = "ok" if fast < target else "OVER TARGET"
        cpu = f"   (cpu {fast_cpu:.0f} vs {slow_cpu:.0f} ms: {cpu_verdict(fast_cpu, target)})"
        print(
            f"  {name:5s} figures {fast:8.1f} ms   naive {slow:8.1f} ms   "
            f"ratio naive/figures {slow / fast:5.1f}x   target < {target:.0f} ms: {verdict}{cpu}"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench("SQLite", f"sqlite:///{Path(tmp) / 'city.sqlite'}", args.repeat)
    if args.no_pg:
        return
    name = f"tindak_bench_city_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no PostgreSQL here: SQLite only
        print(f"\nPostgreSQL not reachable ({type(exc).__name__}): skipped")
        return
    try:
        bench("PostgreSQL", args.pg.rsplit("/", 1)[0] + f"/{name}", args.repeat)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
