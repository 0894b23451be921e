"""Benchmark: the supervisor's dashboard with 50,000 reports in the unit's scope.

Two device databases are filled through the real pull path (`local_db.apply_page`)
with one unit's reports (statuses across the workflow, timelines with dispatch and
completion, ratings, 60 days of receipts): a large one and a baseline of 100 reports.
For each, the benchmark times
- `figures`: `local_db.figures.dashboard` (every figure of the screen);
- `screen`: what opening the dashboard does in the app: the view-model's refresh
  (`DashboardModel.refresh`, reading off the UI loop) and building the screen's
  controls (KPI cards and the four charts) from the figures;
- `team`, `sla`: the team table and the SLA watch lists, for reference;
and prints medians and the ratio large / baseline, measured in the same run.

    .venv/bin/python bench/bench_dashboard.py [--rows 50000] [--base 100] [--repeat 15]

Target: the dashboard (figures and screen) under 1 s with 50,000 reports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import local_db
from domain import Extension, ExtensionState, PhotoKind, Report, Role, Status
from domain.protocol import (
    Change,
    ChangeOp,
    Entity,
    PhotoRef,
    PullPage,
    ReportSnapshot,
    TimelineEntry,
    UserInfo,
)
from local_db import LocalDb, figures
from officer_app.device import Device
from officer_app.i18n import Translator
from officer_app.profile import Profile
from officer_app.state.session import Session
from officer_app.supervisor.data import RoleData
from officer_app.supervisor.state import SupervisorState
from officer_app.supervisor.views.charts import bar_chart
from officer_app.supervisor.views.dashboard_view import kpis
from sync import MemoryTokenStore

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
UNIT = "kel-3171061002"
CATEGORIES = ("jalan", "pohon", "parkir_liar", "sampah", "fasilitas_gedung", "kebisingan")
KELURAHAN = [(f"31710610{i:02d}", f"Kelurahan {i:02d}") for i in range(1, 13)]
STATUS_MIX = [
    (Status.SELESAI, 70),
    (Status.DALAM_PROSES, 8),
    (Status.DIDISPOSISIKAN, 5),
    (Status.DITERIMA, 4),
    (Status.MENUNGGU_VALIDASI, 6),
    (Status.BARU, 4),
    (Status.KOORDINASI, 2),
    (Status.DITUTUP, 1),
]
OFFICERS = [
    UserInfo(f"off-{i}", f"petugas{i}", f"Petugas {i:02d}", Role.OFFICER, UNIT) for i in range(40)
]
SUPERVISOR = UserInfo("sup", "supervisor", "Supervisor", Role.SUPERVISOR, UNIT)
H = timedelta(hours=1)


def snapshot(i: int, rng: random.Random) -> ReportSnapshot:
    status = rng.choices([s for s, _ in STATUS_MIX], [w for _, w in STATUS_MIX])[0]
    received = NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
    code, kel = rng.choice(KELURAHAN)
    timeline = [TimelineEntry(received, "received", status_to="baru")]
    assignee = None
    t = received
    if status not in (Status.BARU, Status.KOORDINASI):
        assignee = rng.choice(OFFICERS).id
        t = min(NOW, t + H * rng.uniform(0.5, 12))
        timeline.append(TimelineEntry(t, "dispatch", "Supervisor", "supervisor", "baru"))
    if status in (Status.MENUNGGU_VALIDASI, Status.SELESAI):
        t = min(NOW, t + H * rng.uniform(1, 120))
        timeline.append(TimelineEntry(t, "complete", "Petugas", "officer", "dalam_proses"))
    if status is Status.SELESAI:
        t = min(NOW, t + H * rng.uniform(1, 24))
        timeline.append(TimelineEntry(t, "approve", "Validator", "validator"))
    extension = Extension(ExtensionState.NONE)
    if status is Status.DALAM_PROSES and rng.random() < 0.1:
        extension = Extension(ExtensionState.REQUESTED, received + timedelta(days=14), "Alat berat")
    report = Report(
        id=f"r{i:06d}",
        tracking_id=f"CRM-2026-{i:06d}",
        status=status,
        category=rng.choice(CATEGORIES),
        channel="jaki",
        unit_id=UNIT,
        received_at=received,
        assignee_id=assignee,
        extension=extension,
        rework_count=1 if rng.random() < 0.06 else 0,
        title=f"Laporan {i}",
        address="Jl. Teuku Umar",
        latitude=-6.19 + rng.uniform(-0.02, 0.02),
        longitude=106.83 + rng.uniform(-0.02, 0.02),
        kelurahan_code=code,
        photo_kinds=frozenset({PhotoKind.AFTER}) if status is Status.SELESAI else frozenset(),
    )
    photos = (
        (PhotoRef("a" * 64, PhotoKind.AFTER, captured_at=t),) if status is Status.SELESAI else ()
    )
    return ReportSnapshot(
        report=report,
        unit_name="Kelurahan Menteng",
        assignee_name=next((o.name for o in OFFICERS if o.id == assignee), ""),
        kelurahan=kel,
        timeline=tuple(timeline),
        photos=photos,
        rating=rng.choice((None, 3, 4, 5)) if status is Status.SELESAI else None,
        updated_at=t,
    )


def fill(db: LocalDb, rows: int, seed: int) -> float:
    rng = random.Random(seed)
    local_db.sign_in(db, SUPERVISOR, "http://127.0.0.1:9", NOW)
    started = time.perf_counter()
    changes = [Change(ChangeOp.UPSERT, Entity.USER, u.id, u.to_wire()) for u in OFFICERS]
    for i in range(rows):
        s = snapshot(i, rng)
        changes.append(Change(ChangeOp.UPSERT, Entity.REPORT, s.report.id, s.to_wire()))
        if len(changes) >= 1000 or i == rows - 1:
            local_db.apply_page(db, PullPage(tuple(changes), f"c{i}", i < rows - 1, NOW), NOW)
            changes = []
    return time.perf_counter() - started


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm the caches (page cache, SQLite statement cache)
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def screen(state: SupervisorState) -> None:
    """Open the dashboard: the view-model's refresh, then the screen's controls."""
    asyncio.run(state.dashboard.refresh())
    f = state.dashboard.figures
    assert f is not None
    tr = Translator("id")
    kpis(f, tr)
    bar_chart([(s.value, n) for s, n in f.by_status.items()], identifier="s")
    bar_chart([(d.day.isoformat(), d.count) for d in f.by_day], identifier="d")
    bar_chart([(c.key, c.count) for c in f.by_category[:10]], identifier="c")
    bar_chart([(c.label, c.count) for c in f.by_kelurahan[:10]], identifier="k")


def measure(folder: Path, rows: int, repeat: int) -> dict[str, float]:
    device = Device(Profile(server_url="http://127.0.0.1:9"), folder, MemoryTokenStore())
    try:
        load_s = fill(device.db, rows, seed=rows)
        state = SupervisorState(Session(device), RoleData(device, clock=lambda: NOW))
        db = device.db
        return {
            "rows": rows,
            "load_s": round(load_s, 2),
            "figures_ms": median_ms(lambda: figures.dashboard(db, now=NOW, unit_id=UNIT), repeat),
            "screen_ms": median_ms(lambda: screen(state), repeat),
            "team_ms": median_ms(lambda: figures.team(db, now=NOW, unit_id=UNIT), repeat),
            "sla_ms": median_ms(lambda: figures.sla_watch(db, now=NOW, unit_id=UNIT), repeat),
        }
    finally:
        device.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--base", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = measure(Path(tmp) / "base", args.base, args.repeat)
        large = measure(Path(tmp) / "large", args.rows, args.repeat)
    keys = ("figures_ms", "screen_ms", "team_ms", "sla_ms")
    print(f"{'':12} {args.base:>10} {args.rows:>10}   ratio")
    for k in keys:
        print(f"{k:12} {base[k]:10.1f} {large[k]:10.1f}   {large[k] / base[k]:6.1f}x")
    print(f"fill (pull path): {base['load_s']} s / {large['load_s']} s")
    ok = large["figures_ms"] < 1000 and large["screen_ms"] < 1000
    print(f"target: dashboard < 1000 ms with {args.rows} reports: {'met' if ok else 'NOT met'}")
    print(json.dumps({"base": base, "large": large}))


if __name__ == "__main__":
    main()
