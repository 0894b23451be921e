"""The initial sync at 1k, 10k and 100k reports (`bench_sync.py --scale`).

For each size: a fresh server database (SQLite file, or a fresh PostgreSQL database with
`--pg`) seeded in bulk with one supervisor's unit of N reports with varied Indonesian
text (each with its `received` timeline row, as intake writes it), served by
`tindak-server serve` in its own process, then
- the server alone: a raw pull of every page that only decodes the JSON (reports/s, and
  reports per CPU-second of the server process);
- the device: the real sync engine's initial sync into a fresh local_db file in this
  process (reports/s; this process's CPU and the server's apart), and the time of each
  page's apply into local_db (`local_db.apply_page`, timed around the engine's call)
  over the first and the last ten pages: flat means the apply does not slow down as
  the device file grows.
Then the growth factors 1k -> 10k and 10k -> 100k (linear is 10x). PostgreSQL's own CPU
is not counted; on a busy machine the wall time also counts the waits for a core.

Targets: 100k-report initial sync >= 4,000 reports/s and 10k -> 100k <= 11x.
"""

from __future__ import annotations

import itertools
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from serving import cpu_seconds, start_server, stop_server
from sqlalchemy import Engine, create_engine, text

import local_db
from domain import Status, json_codec
from domain import category as find_category
from domain.runtime import tune_runtime
from server.admin import create_unit, create_user
from server.config import Settings
from server.db import make_engine, write_tx
from server.demo import text as demo_text
from server.migrations import migrate
from server.schema import reports, timeline
from sync import MemoryTokenStore, SyncEngine, SyncSettings, Transport

PASSWORD = "rahasia-123"
UNIT = "kel-3171060001"
CHUNK = 5_000
CATEGORIES = ("jalan", "pohon", "sampah", "parkir_liar")
PLACE = ("Menteng", "Menteng", "Jakarta Pusat")  # kelurahan, kecamatan, kota


@dataclass
class Figures:
    n: int
    seed_s: float
    raw_s: float
    raw_cpu_s: float
    sync_s: float
    sync_cpu_s: float  # the device's (this process)
    sync_server_cpu_s: float  # the server process's during the device's sync
    first_pages_ms: float
    last_pages_ms: float


def seed_unit(conn: Any, settings: Settings, now: datetime) -> None:
    """Kelurahan Menteng (UNIT) under its kota, with its supervisor "kasi"."""
    create_unit(conn, id="kota-jakpus", kind="kota", name="Jakarta Pusat", kota="Jakarta Pusat")
    create_unit(
        conn,
        id=UNIT,
        kind="kelurahan",
        name="Kelurahan Menteng",
        parent_id="kota-jakpus",
        kota="Jakarta Pusat",
        kelurahan_code="31.71.06.1001",
    )
    create_user(
        conn, "kasi", PASSWORD, "Kasi Menteng", "supervisor", UNIT, settings=settings, now=now
    )


def bulk_seed(engine: Engine, settings: Settings, n: int) -> float:
    """A unit with a supervisor and `n` new reports, inserted in chunks. The text is the
    demo year's generator (varied Indonesian titles, descriptions and addresses), so the
    device's search index gets the words a real unit has, not one sentence n times."""
    rng = random.Random(n)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with write_tx(engine) as conn:
        seed_unit(conn, settings, now)
    for start in range(0, n, CHUNK):
        rows: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for i in range(start, min(n, start + CHUNK)):
            cat = find_category(CATEGORIES[i % 4])
            headline, st = demo_text.title(rng, cat.code, PLACE[0], PLACE[1])
            received = now - timedelta(minutes=7 * i)
            rid = str(uuid.uuid4())
            rows.append(
                {
                    "id": rid,
                    "tracking_id": f"CRM-B-{i:07d}",
                    "status": Status.BARU.value,
                    "category": cat.code,
                    "channel": "jaki",
                    "unit_id": UNIT,
                    "assignee_id": None,
                    "reporter_id": None,
                    "received_at": received,
                    "sla_days": cat.sla_days,
                    "deadline": received + timedelta(days=cat.sla_days),
                    "extension_state": "none",
                    "title": headline,
                    "description": demo_text.description(rng, cat.code, headline),
                    "address": demo_text.address(rng, st, *PLACE),
                    "latitude": -6.1962,
                    "longitude": 106.8325,
                    "kelurahan_code": "31.71.06.1001",
                    "is_public": i % 3 == 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            events.append(
                {
                    "report_id": rid,
                    "at": received,
                    "event": "received",
                    "status_to": Status.BARU.value,
                    "note": "JAKI",
                }
            )
        with write_tx(engine) as conn:
            conn.execute(reports.insert(), rows)
            conn.execute(timeline.insert(), events)
    return time.perf_counter() - started


def raw_pull(base_url: str, limit: int) -> tuple[float, int]:
    with httpx.Client(base_url=base_url, timeout=120) as http:
        login = http.post(
            "/v1/auth/login",
            json={"username": "kasi", "password": PASSWORD, "device_id": "raw", "device_name": "r"},
        ).json()
        headers = {"Authorization": f"Bearer {login['access_token']}"}
        started = time.perf_counter()
        cursor, changes = "", 0
        while True:
            body = http.get(
                "/v1/sync/pull", params={"cursor": cursor, "limit": limit}, headers=headers
            ).json()
            changes += len(body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                return time.perf_counter() - started, changes


def device_sync(base_url: str, folder: Path, limit: int) -> tuple[float, int, list[float]]:
    """The engine's initial sync; returns seconds, reports, ms of each page's apply."""
    tune_runtime()  # as the app's Device.start() does in its process
    transport = Transport(base_url)
    db = local_db.LocalDb.open(folder / "device.sqlite")
    engine = SyncEngine(db, transport, MemoryTokenStore(), SyncSettings(pull_limit=limit))
    apply_ms: list[float] = []
    real_apply = local_db.apply_page

    def timed_apply(*args: Any, **kwargs: Any) -> Any:
        # The engine calls `local_db.apply_page` through the module: time each page.
        t0 = time.perf_counter()
        try:
            return real_apply(*args, **kwargs)
        finally:
            apply_ms.append((time.perf_counter() - t0) * 1000)

    local_db.apply_page = timed_apply
    try:
        engine.login("kasi", PASSWORD)
        started = time.perf_counter()
        report = engine.sync_once()
        report.raise_for_error()
        return time.perf_counter() - started, report.pulled_upserts, apply_ms
    finally:
        local_db.apply_page = real_apply
        engine.stop()
        transport.close()
        db.close()


@contextmanager
def database(pg_admin: str | None, folder: Path, n: int) -> Iterator[str]:
    if pg_admin is None:
        yield f"sqlite:///{folder}/server.sqlite"
        return
    name = f"tindak_bench_sync_{n}"
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def one_size(n: int, limit: int, pg_admin: str | None) -> Figures:
    with tempfile.TemporaryDirectory() as tmp, database(pg_admin, Path(tmp), n) as url:
        folder = Path(tmp)
        settings = Settings(
            db_url=url, photo_dir=folder / "photos", argon2_time_cost=1, argon2_memory_kib=1024
        )
        engine = make_engine(url)
        try:
            migrate(engine)
            seed_s = bulk_seed(engine, settings, n)
        finally:
            engine.dispose()
        # The server in its own process, as deployed: the device's figures are then the
        # device's alone, and the server's CPU is read from its process.
        process, base = start_server(url, settings.photo_dir, folder / "server.log")
        try:
            s0 = cpu_seconds([process])
            raw_s, raw_n = raw_pull(base, limit)
            s1, c1 = cpu_seconds([process]), time.process_time()
            sync_s, got, device_ms = device_sync(base, folder, limit)
            s2, c2 = cpu_seconds([process]), time.process_time()
        finally:
            stop_server(process)
    assert raw_n >= n and got >= n, (raw_n, got, n)
    head, tail = device_ms[:10] or [0.0], device_ms[-10:] or [0.0]
    return Figures(
        n,
        seed_s,
        raw_s,
        s1 - s0,
        sync_s,
        c2 - c1,
        s2 - s1,
        statistics.median(head),
        statistics.median(tail),
    )


def run_scale(sizes: list[int], limit: int, pg_admin: str | None) -> None:
    where = "PostgreSQL" if pg_admin else "SQLite"
    print(
        f"initial sync of one supervisor's unit on {where}, pages of {limit}, "
        f"device JSON by {json_codec.IMPLEMENTATION}"
    )
    results: list[Figures] = []
    for n in sizes:
        f = one_size(n, limit, pg_admin)
        results.append(f)
        print(
            f"  {n:>7,} reports: seeded in {f.seed_s:5.1f} s | server raw pull {f.raw_s:6.2f} s "
            f"({n / f.raw_s:7,.0f} reports/s; CPU {f.raw_cpu_s:6.2f} s, "
            f"{n / f.raw_cpu_s:7,.0f} reports/CPU-s) | device sync {f.sync_s:6.2f} s "
            f"({n / f.sync_s:7,.0f} reports/s; device CPU {f.sync_cpu_s:6.2f} s, "
            f"{n / f.sync_cpu_s:7,.0f} reports/CPU-s; server CPU {f.sync_server_cpu_s:6.2f} s) "
            f"| apply ms/page first 10 "
            f"{f.first_pages_ms:5.1f}, last 10 {f.last_pages_ms:5.1f}",
            flush=True,
        )
    for a, b in itertools.pairwise(results):
        print(
            f"  {a.n:,} -> {b.n:,} ({b.n / a.n:.0f}x reports): server raw pull "
            f"{b.raw_s / a.raw_s:.1f}x (CPU {b.raw_cpu_s / a.raw_cpu_s:.1f}x), device sync "
            f"{b.sync_s / a.sync_s:.1f}x (CPU {b.sync_cpu_s / a.sync_cpu_s:.1f}x)"
        )
    last = results[-1]
    rate = last.n / last.sync_s
    growth = last.sync_s / results[-2].sync_s if len(results) > 1 else 0.0
    ok = rate >= 4000 and (len(results) < 2 or growth <= 11)
    print(
        f"  target: {last.n:,} at >= 4,000 reports/s ({rate:,.0f}) and the last 10x step "
        f"<= 11x ({growth:.1f}x) -> {'OK' if ok else 'OVER'}"
    )
