"""Benchmark: a field officer's day synced over a weak mobile link.

    .venv/bin/python bench/bench_field.py [--code DIR] [--photos 60] [--no-cuts-only]

The real reference server (SQLite, in this process) behind `bench/shaper.py`, a
traffic shaper written in the project (asyncio, loopback only, bounded): 1 Mbit/s up,
4 Mbit/s down, 300 ms round trip, and in the run "with cuts" every live connection
aborted every ~4 MiB sent, then a 2-5 s stall. The officer's device is the real engine
on a real SQLite file, its background loop running as in the app (a sync asked after
every action).

The day: 20 reports dispatched to the officer; on each one ACCEPT, START, two BEFORE
photos, one AFTER photo, COMPLETE (120 actions, 60 photos). The photos are made at run
time: four textured 12 MP camera JPEGs (`bench/scenes.py`) processed by the app's
pipeline (`process_photo`) into 60 different evidence JPEGs. Ten reports are done
online (the loop syncs as they are recorded), ten offline (link down), then the link
comes back.

Printed for each run (without cuts, with cuts):
- day sync time: the online part's drain plus the time from link-up until the outbox is
  empty, every action applied on the server;
- link-up -> every action without photos (ACCEPT, START) of the offline reports applied;
- MB on the link (both ways, as the shaper counted them), HTTP requests, photo sizes;
- peak RSS of the process (server + device + shaper);
and once, a retry check: 20 actions recorded offline, link-up, one cut at the first
push: seconds from the end of the stall to all 20 applied.

Targets: day <= 150 s and <= 15 MB with cuts; actions without photos <= 10 s after
link-up; one cut after 20 offline actions retried <= 15 s.

`--code DIR` measures the device and server code of another checkout (e.g. the commit
before a change) with this same benchmark: the before/after figures of a change.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _code_arg(argv: list[str]) -> str | None:
    for i, a in enumerate(argv):
        if a.startswith("--code="):
            return a.split("=", 1)[1]
        if a == "--code" and i + 1 < len(argv):
            return argv[i + 1]
    return None


_code = _code_arg(sys.argv)
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(Path(_code).resolve() if _code else HERE.parent))

from scenes import textured_scene  # noqa: E402
from shaper import LinkShaper  # noqa: E402
from sqlalchemy import select  # noqa: E402

import local_db  # noqa: E402
from domain import Action, PhotoKind  # noqa: E402
from officer_app.photos import GeoFix, PhotoSource, process_photo  # noqa: E402
from officer_app.photos.testimages import camera_jpeg  # noqa: E402
from server.schema import mutations  # noqa: E402
from sync import MemoryTokenStore, SyncEngine, SyncSettings, Transport  # noqa: E402
from tests.support.world import PASSWORD, World, small_world  # noqa: E402

MIB = 1024 * 1024
KINDS = (PhotoKind.BEFORE, PhotoKind.BEFORE, PhotoKind.AFTER)
FIX = GeoFix(-6.1962, 106.8325, altitude_m=12.0, accuracy_m=6.0)
WAIT_S = 1800.0


@dataclasses.dataclass
class Shot:
    data: bytes
    sha256: str
    width: int
    height: int


def make_photos(n: int, scenes: int = 4, size: tuple[int, int] = (4000, 3000)) -> list[Shot]:
    """`n` different evidence JPEGs from `scenes` textured 12 MP camera shots."""
    raws = [camera_jpeg(image=textured_scene(seed, *size)) for seed in range(scenes)]
    base = datetime(2026, 5, 14, 2, 30, tzinfo=UTC)
    shots = []
    for i in range(n):
        out = process_photo(
            raws[i % scenes],
            kind=KINDS[i % 3],
            report_id=f"laporan-{i // 3}",
            tracking_id=f"CRM-2605-{10000 + i // 3}",
            source=PhotoSource.CAMERA,
            fix=FIX,
            device_time=base + timedelta(minutes=7 * i),
        )
        shots.append(Shot(out.data, out.sha256, out.width, out.height))
    return shots


def _settings() -> SyncSettings:
    fields = {f.name for f in dataclasses.fields(SyncSettings)}
    wanted = {"device_name": "bench-field", "photo_streams": 2}
    return SyncSettings(**{k: v for k, v in wanted.items() if k in fields})


class Officer:
    """The officer's phone: a real device file and the engine's background loop."""

    def __init__(self, folder: Path, url: str, username: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.photo_dir = folder / "photos"
        self.photo_dir.mkdir()
        self.db = local_db.LocalDb.open(folder / "device.sqlite")
        self.transport = Transport(url)
        self.engine = SyncEngine(self.db, self.transport, MemoryTokenStore(), _settings())
        self.engine.login(username, PASSWORD)
        self.engine.sync_once().raise_for_error()
        self.created: list[tuple[str, str]] = []  # (mutation id, action)

    def act(self, rid: str, action: Action, **payload: object) -> None:
        actor = local_db.actor(self.db)
        assert actor is not None
        entry = local_db.record_action(
            self.db, actor, rid, action, dict(payload), self.engine.now_server()
        )
        self.created.append((entry.id, action.value))
        self.engine.request_sync()

    def photo(self, rid: str, kind: PhotoKind, shot: Shot) -> None:
        path = self.photo_dir / f"{shot.sha256}.jpg"
        path.write_bytes(shot.data)
        actor = local_db.actor(self.db)
        assert actor is not None
        now = self.engine.now_server()
        entry = local_db.add_photo(
            self.db,
            actor,
            rid,
            local_db.NewPhoto(
                path=str(path),
                sha256=shot.sha256,
                kind=kind,
                size_bytes=len(shot.data),
                width=shot.width,
                height=shot.height,
                captured_at=now - timedelta(seconds=30),
                latitude=FIX.latitude,
                longitude=FIX.longitude,
                accuracy_m=FIX.accuracy_m,
                location_source=local_db.LocationSource.GPS,
            ),
            now,
        )
        self.created.append((entry.id, Action.ADD_PHOTO.value))
        self.engine.request_sync()

    def work(self, rid: str, shots: list[Shot]) -> None:
        self.act(rid, Action.ACCEPT)
        self.act(rid, Action.START)
        for kind, shot in zip(KINDS, shots, strict=True):
            self.photo(rid, kind, shot)
        self.act(rid, Action.COMPLETE, note="Sudah ditangani, foto terlampir")

    def close(self) -> None:
        self.engine.stop()
        self.transport.close()
        self.db.close()


def _applied(world: World, ids: list[str]) -> int:
    assert world.server.engine is not None
    with world.server.engine.connect() as conn:
        rows = conn.execute(
            select(mutations.c.id).where(mutations.c.id.in_(ids), mutations.c.outcome == "applied")
        ).all()
    return len(rows)


def _wait(what: str, done: Callable[[], bool]) -> float:
    started = time.monotonic()
    while not done():
        if time.monotonic() - started > WAIT_S:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.1)
    return time.monotonic() - started


@dataclasses.dataclass
class DayResult:
    day_s: float
    no_photo_s: float
    mb: float
    requests: int
    cuts: int


def run_day(folder: Path, shots: list[Shot], cuts: bool, speed: float = 1.0) -> DayResult:
    with small_world(folder / "server", n_reports=20) as world:
        shaper = LinkShaper(
            world.server.port,
            up_bps=1e6 * speed,
            down_bps=4e6 * speed,
            cut_every=4 * MIB if cuts else None,
            seed=7,
        ).start()
        officer = Officer(folder / "device", shaper.url, world.officer.username)
        try:
            officer.engine.start(interval_s=60)
            reports = list(world.report_ids)
            # Ten reports done online: the loop syncs while the officer works.
            t0 = time.monotonic()
            for i, rid in enumerate(reports[:10]):
                officer.work(rid, shots[3 * i : 3 * i + 3])
            online_ids = [m for m, _ in officer.created]
            _wait("the online part", lambda: _applied(world, online_ids) == len(online_ids))
            online_s = time.monotonic() - t0
            # Ten reports done offline, then the link comes back.
            shaper.set_online(False)
            mark = len(officer.created)
            for i, rid in enumerate(reports[10:], start=10):
                officer.work(rid, shots[3 * i : 3 * i + 3])
            offline = officer.created[mark:]
            quick = [m for m, a in offline if a in (Action.ACCEPT.value, Action.START.value)]
            all_ids = [m for m, _ in officer.created]
            time.sleep(1.0)  # the passes asked for while offline have failed by now
            shaper.set_online(True)
            t1 = time.monotonic()
            no_photo_s = _wait("the quick actions", lambda: _applied(world, quick) == len(quick))
            _wait("the whole day", lambda: _applied(world, all_ids) == len(all_ids))
            back_s = time.monotonic() - t1
            stats = shaper.stats
            return DayResult(
                online_s + back_s,
                no_photo_s,
                (stats.bytes_up + stats.bytes_down) / 1e6,
                officer.transport.requests,
                stats.cuts,
            )
        finally:
            officer.close()
            shaper.stop()


def run_retry(folder: Path) -> float:
    """20 actions recorded offline, link-up, one cut at the first exchange: seconds from
    the end of the stall until all 20 are applied."""
    with small_world(folder / "server", n_reports=10) as world:
        shaper = LinkShaper(world.server.port, seed=11).start()
        officer = Officer(folder / "device", shaper.url, world.officer.username)
        try:
            officer.engine.start(interval_s=60)
            shaper.set_online(False)
            for rid in world.report_ids:
                officer.act(rid, Action.ACCEPT)
                officer.act(rid, Action.START)
            ids = [m for m, _ in officer.created]
            time.sleep(1.0)
            shaper.arm_cut(after_bytes=200, stall_s=3.0)
            shaper.set_online(True)
            # Whatever comes first after link-up (a retry pass or a probe) is cut.
            _wait("the cut", lambda: shaper.stats.cuts >= 1)
            stall_end = time.monotonic() + 3.0
            _wait("the retry", lambda: _applied(world, ids) == len(ids))
            return time.monotonic() - stall_end
        finally:
            officer.close()
            shaper.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", help="measure the code of another checkout (DIR)")
    parser.add_argument("--photos", type=int, default=60)
    parser.add_argument("--no-cuts-only", action="store_true")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a quick check of the benchmark itself: 1 MP "
        "scenes and a 20x faster link (the figures mean nothing)",
    )
    args = parser.parse_args()
    print(f"code measured: {Path(args.code).resolve() if args.code else HERE.parent}")
    t0 = time.perf_counter()
    size = (1200, 900) if args.smoke else (4000, 3000)
    # Made in a child process, so that the peak RSS printed below is the sync's (the
    # server, the device and the shaper), not that of painting 12 MP scenes.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        shots = pool.submit(make_photos, args.photos, 4, size).result()
    sizes = [len(s.data) for s in shots]
    print(
        f"{len(shots)} evidence photos made in {time.perf_counter() - t0:.0f} s: median "
        f"{statistics.median(sizes) / 1024:.0f} KB, total {sum(sizes) / 1e6:.1f} MB"
    )
    runs = [False] if args.no_cuts_only else [False, True]
    with tempfile.TemporaryDirectory() as tmp:
        for cuts in runs:
            r = run_day(Path(tmp) / f"day-{cuts}", shots, cuts, 20.0 if args.smoke else 1.0)
            label = "with cuts every ~4 MiB" if cuts else "without cuts"
            verdict = (
                f" -> {'OK' if r.day_s <= 150 and r.mb <= 15 else 'OVER'} (<= 150 s, <= 15 MB)"
                if cuts
                else ""
            )
            print(
                f"day {label}: {r.day_s:.0f} s, {r.mb:.1f} MB on the link, "
                f"{r.requests} requests, {r.cuts} cuts{verdict}"
            )
            print(
                f"  link-up -> every action without photos applied: {r.no_photo_s:.1f} s "
                f"-> {'OK' if r.no_photo_s <= 10 else 'OVER'} (<= 10 s)"
            )
        if not args.no_cuts_only:
            retry_s = run_retry(Path(tmp) / "retry")
            print(
                f"one cut after 20 offline actions: applied {retry_s:.1f} s after the stall "
                f"-> {'OK' if retry_s <= 15 else 'OVER'} (<= 15 s)"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS (server + device + shaper, one process; photos made apart): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
