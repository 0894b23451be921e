"""Benchmark: months of one officer's work on one phone; does its storage stay bounded?

    .venv/bin/python bench/bench_storage.py [--weeks 26] [--photo-kb 400] [--per-day 20]

Simulates, through the real sync engine against the reference server on loopback (its
clock moved day by day), one officer's working days: each morning the supervisor
dispatches `--per-day` new reports (realistic Indonesian text); the officer accepts and
starts each, takes three photos (before, during, after; JPEGs of ~`--photo-kb` KB made
at run time, each with its own bytes), and completes it; syncs every few reports; the
last two reports of the day are done on mobile data with Wi-Fi-only photos, so their
photos wait unsent overnight while the sweep runs. One report a day is reassigned to a
colleague after the officer photographed it (it leaves the scope); the validator
approves completed work two days later (the reports close). Five working days a week.

It runs twice in one process, on fresh servers and devices: WITH the retention policy
(flet.toml's defaults, `StorageKeeper` sweeping in its thread after every good sync,
the real thumbnail maker) and WITHOUT it (no sweep: today's behaviour before the
policy). It prints the device's disk use (database + WAL + photo folder, thumbnails
included) at the end of every week, for both.

Checked at every week's end of the run with the policy: every report of the last 30
days still in the officer's scope is on the device and readable offline with every
photo (the full-size file or its thumbnail); after every evening sweep, every photo
not yet on the server is still there byte for byte; at the end, after a last sync,
nothing is left unsent and nothing needs attention (the server has everything).
Also printed: the sweep's longest single transaction (target < 50 ms) and its p99.

Targets: with the defaults the device levels off under 300 MB; nothing unsent removed;
every report of the last 30 days readable offline. Runtime: the simulation is
CPU-bound (the server checks each upload, the device writes photos and thumbnails); on
a 2-core machine shared with other work (load ~16) a simulated day took ~15-20 s per run
(10 weeks at 100 KB: 867 s with the policy, 814 s without), so the full 26 weeks with
both runs is over an hour there. `--photo-kb` scales the photos down (the cache cap is
scaled by the same factor and a projection to 400 KB photos is printed), `--only-policy`
and `--only-without` run one side.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import statistics
import struct
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import local_db
from domain import Action, PhotoKind, Role, UnitKind
from local_db import LocalDb, NewPhoto, RetentionPolicy, SweepReport
from officer_app.photos import write_thumbnail
from officer_app.photos.testimages import scene
from server.admin import create_unit, create_user
from server.config import Settings
from server.db import write_tx
from server.embedded import EmbeddedServer
from server.reports import create_report
from sync import MemoryTokenStore, StorageKeeper, SyncEngine, SyncSettings, Transport
from tests.support.api import PASSWORD, ApiClient

UNIT = "kel-3171061002"
START = datetime(2026, 1, 5, 0, 30, tzinfo=UTC)  # a Monday, 07:30 in Jakarta
MB = 1024 * 1024
REALISTIC_KB = 400

STREETS = (
    "Jl. Menteng Raya",
    "Jl. Cikini Raya",
    "Jl. Teuku Umar",
    "Jl. Diponegoro",
    "Jl. Sam Ratulangi",
    "Jl. Imam Bonjol",
    "Jl. Latuharhari",
    "Jl. Probolinggo",
)
PROBLEMS = (
    ("jalan", "Jalan berlubang", "Lubang besar di badan jalan, sudah dua motor terjatuh."),
    ("pohon", "Pohon tumbang", "Pohon angsana tumbang menutup separuh jalan setelah hujan."),
    ("sampah", "Sampah menumpuk", "Sampah rumah tangga tidak diangkut sejak tiga hari."),
    ("parkir_liar", "Parkir liar", "Mobil parkir di trotoar setiap pagi, pejalan kaki turun."),
    ("jaringan_listrik", "Kabel menjuntai", "Kabel listrik menjuntai rendah di atas trotoar."),
)
NOTES = (
    "Sudah ditangani, mohon dicek.",
    "Selesai dikerjakan bersama warga.",
    "Perbaikan sementara, menunggu material.",
    "Sudah dibersihkan pagi ini.",
)


class Clock:
    """The server's clock, moved by the simulation."""

    def __init__(self) -> None:
        self.now = START
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def set(self, value: datetime) -> None:
        with self._lock:
            self.now = value


class PhotoMaker:
    """Camera-like JPEGs of about `kb` KB; each photo gets its own bytes (a unique JPEG
    comment), as every real photo does, for the cost of a copy."""

    def __init__(self, kb: int, rnd: random.Random) -> None:
        self.bases: list[bytes] = []
        width, height = (1600, 1200) if kb >= 200 else (800, 600)
        for i in range(3):
            picture = scene(width, height).convert("RGB")
            noise = Image.effect_noise((width, height), 18 + 4 * i).convert("RGB")
            best = b""
            for q in (60, 70, 80, 88, 94):
                out = io.BytesIO()
                Image.blend(picture, noise, 0.3).save(out, "JPEG", quality=q)
                best = out.getvalue()
                if len(best) >= kb * 1024 * 0.9:
                    break
            self.bases.append(best)
        self.width, self.height, self.rnd = width, height, rnd

    def __call__(self) -> bytes:
        base = self.rnd.choice(self.bases)
        marker = uuid.uuid4().bytes * 2
        return base[:2] + b"\xff\xfe" + struct.pack(">H", len(marker) + 2) + marker + base[2:]


@dataclass
class Week:
    week: int
    reports: int
    photo_files: int
    thumbs: int
    db_bytes: int
    photo_bytes: int
    thumb_bytes: int

    @property
    def total(self) -> int:
        return self.db_bytes + self.photo_bytes + self.thumb_bytes


@dataclass
class Outcome:
    weeks: list[Week] = field(default_factory=list)
    sweeps: list[SweepReport] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    unsent_lost: list[str] = field(default_factory=list)
    left_unsent: int = 0
    attention: int = 0
    seconds: float = 0.0


def folder_bytes(folder: Path) -> tuple[int, int]:
    total = files = 0
    for entry in os.scandir(folder):
        if entry.is_file():
            total += entry.stat().st_size
            files += 1
    return total, files


class Officer:
    def __init__(self, server: EmbeddedServer, folder: Path, policy: RetentionPolicy | None):
        self.db = LocalDb.open(folder / "tindak.sqlite")
        self.photo_dir = folder / "photos"
        self.photo_dir.mkdir(parents=True)
        self.engine = SyncEngine(
            self.db,
            Transport(server.base_url),
            MemoryTokenStore(),
            SyncSettings(device_name="bench-hp", photo_dir=self.photo_dir),
        )
        self.engine.login("petugas.andi", PASSWORD)
        self.keeper: StorageKeeper | None = None
        if policy is not None:
            self.keeper = StorageKeeper(
                self.db, self.photo_dir, policy, self.engine.now_server, make_thumb=write_thumbnail
            )
            self.engine.add_listener(self.keeper.on_progress)
            self.keeper.start()
        self.sweeps: list[SweepReport] = []

    def sync(self, *, photos: bool = True) -> None:
        self.engine.set_photo_uploads(photos)
        seen = self.keeper.sweeps if self.keeper else 0
        self.engine.sync_once().raise_for_error()
        if self.keeper is not None:  # the sweep runs in its thread: wait for it
            deadline = time.monotonic() + 120
            while self.keeper.sweeps <= seen:
                if time.monotonic() > deadline:
                    raise RuntimeError("no sweep after a good sync")
                time.sleep(0.005)
            assert self.keeper.last is not None
            self.sweeps.append(self.keeper.last)

    def act(self, rid: str, action: Action, **payload: object) -> None:
        actor = local_db.actor(self.db)
        assert actor is not None
        local_db.record_action(self.db, actor, rid, action, payload, self.engine.now_server())

    def photo(self, rid: str, kind: PhotoKind, data: bytes, width: int, height: int) -> str:
        sha = hashlib.sha256(data).hexdigest()
        path = self.photo_dir / f"{sha}.jpg"
        path.write_bytes(data)
        now = self.engine.now_server()
        actor = local_db.actor(self.db)
        assert actor is not None
        local_db.add_photo(
            self.db,
            actor,
            rid,
            NewPhoto(
                str(path),
                sha,
                kind,
                len(data),
                width,
                height,
                now,
                -6.19,
                106.83,
                8.0,
                local_db.LocationSource.GPS,
            ),
            now,
        )
        return sha

    def week(self, n: int) -> Week:
        self.db.checkpoint()
        photos, files = folder_bytes(self.photo_dir)
        thumbs_dir = self.photo_dir / "thumbs"
        thumbs, thumb_files = folder_bytes(thumbs_dir) if thumbs_dir.is_dir() else (0, 0)
        with self.db.read() as conn:
            reports = conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        return Week(
            n,
            reports,
            files,
            thumb_files,
            local_db.storage_usage(self.db, self.photo_dir).database_bytes,
            photos,
            thumbs,
        )

    def close(self) -> None:
        if self.keeper is not None:
            self.keeper.stop()
        self.engine.stop()
        self.engine.transport.close()
        self.db.close()


def make_server(folder: Path, clock: Clock) -> tuple[EmbeddedServer, dict[str, str]]:
    settings = Settings(
        db_url=f"sqlite:///{folder / 'server.sqlite'}",
        photo_dir=folder / "server-photos",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        clock=clock,
    )
    server = EmbeddedServer(settings).start()
    assert server.engine is not None
    users: dict[str, str] = {}
    with write_tx(server.engine) as conn:
        create_unit(
            conn, id=UNIT, kind=UnitKind.KELURAHAN, name="Kelurahan Menteng", kota="Jakarta Pusat"
        )
        for username, name, role, unit in (
            ("petugas.andi", "Andi Petugas", Role.OFFICER, UNIT),
            ("petugas.budi", "Budi Petugas", Role.OFFICER, UNIT),
            ("kasi.menteng", "Sari Kasi", Role.SUPERVISOR, UNIT),
            ("validator.dewi", "Dewi Validator", Role.VALIDATOR, None),
        ):
            users[username] = create_user(
                conn, username, PASSWORD, name, role, unit, settings=settings, now=clock()
            )
    return server, users


def new_reports(server: EmbeddedServer, clock: Clock, rnd: random.Random, n: int) -> list[str]:
    assert server.engine is not None
    ids = []
    with write_tx(server.engine) as conn:
        for _ in range(n):
            category, title, text = rnd.choice(PROBLEMS)
            street = f"{rnd.choice(STREETS)} No. {rnd.randint(1, 180)}"
            ids.append(
                create_report(
                    conn,
                    report_id=None,
                    tracking_id=None,
                    category=category,
                    channel="jaki",
                    unit_id=UNIT,
                    received_at=clock() - timedelta(hours=rnd.randint(1, 14)),
                    title=f"{title} di {street}",
                    description=f"{text} Lokasi dekat {street}, RT {rnd.randint(1, 12):02d}/RW "
                    f"{rnd.randint(1, 9):02d}. Warga sudah melapor ke ketua RT. "
                    f"Mohon segera ditindaklanjuti sebelum musim hujan ({rnd.randint(2, 9)} kali "
                    "dilaporkan minggu ini).",
                    address=street,
                    latitude=-6.19 + rnd.uniform(-0.01, 0.01),
                    longitude=106.83 + rnd.uniform(-0.01, 0.01),
                    kelurahan_code=None,
                    is_public=rnd.random() < 0.5,
                    reporter=("Warga", "warga@contoh.id", "0812"),
                    reporter_photo=None,
                    now=clock(),
                )
            )
    return ids


def run(folder: Path, args: argparse.Namespace, with_policy: bool) -> Outcome:
    rnd = random.Random(16)
    clock = Clock()
    server, users = make_server(folder / "server", clock)
    scale = args.photo_kb / REALISTIC_KB
    # The defaults, except: the cap follows the photo scale, and the orphan grace (10
    # minutes of real time, for a capture in flight) is 1 s where a day takes seconds.
    policy = replace(
        RetentionPolicy(),
        photo_cache_mb=RetentionPolicy().photo_cache_mb * scale,
        orphan_grace_s=1.0,
    )
    officer = Officer(server, folder / "device", policy if with_policy else None)
    photos = PhotoMaker(args.photo_kb, rnd)
    out = Outcome()
    started = time.perf_counter()
    ours: dict[str, datetime] = {}  # report -> dispatched at, while in the officer's scope
    to_validate: list[tuple[datetime, str]] = []
    try:
        day = START
        for week in range(1, args.weeks + 1):
            for _weekday in range(5):
                clock.set(day)
                sup = ApiClient(server.base_url, "kasi.menteng")
                val = ApiClient(server.base_url, "validator.dewi")
                # The validator closes work completed two days ago or more.
                due = [rid for at, rid in to_validate if at <= day - timedelta(days=2)]
                to_validate = [(at, rid) for at, rid in to_validate if rid not in due]
                for rid in due:
                    val.act(Action.APPROVE, rid, {"note": "Sesuai, terima kasih."})
                ids = new_reports(server, clock, rnd, args.per_day)
                for rid in ids:
                    sup.act(Action.DISPATCH, rid, {"assignee_id": users["petugas.andi"]})
                    ours[rid] = day
                officer.sync()  # morning: last night's photos go, today's reports come
                for i, rid in enumerate(ids):
                    clock.set(day + timedelta(minutes=25 * (i + 1)))
                    officer.act(rid, Action.ACCEPT)
                    officer.act(rid, Action.START)
                    for kind in (PhotoKind.BEFORE, PhotoKind.DURING, PhotoKind.AFTER):
                        officer.photo(rid, kind, photos(), photos.width, photos.height)
                    if i == 0:  # given to a colleague once photographed: leaves the scope
                        officer.sync()
                        with ApiClient(server.base_url, "kasi.menteng") as later:
                            later.act(Action.REASSIGN, rid, {"assignee_id": users["petugas.budi"]})
                        ours.pop(rid)
                        continue
                    officer.act(rid, Action.COMPLETE, note=rnd.choice(NOTES))
                    to_validate.append((day, rid))
                    evening = i >= len(ids) - 2
                    if i % 6 == 5 and not evening:
                        officer.sync()
                # Evening, on mobile data with Wi-Fi-only photos: the last photos wait.
                officer.sync(photos=False)
                waiting = local_db.unsent_work(officer.db).photos
                for p in waiting:
                    data = Path(p.local_path or "").read_bytes() if p.local_path else b""
                    if hashlib.sha256(data).hexdigest() != p.sha256:
                        out.unsent_lost.append(p.sha256)
                sup.close()
                val.close()
                day += timedelta(days=1)
            out.weeks.append(officer.week(week))
            if with_policy:
                out.unreadable += readable_check(officer, ours, clock())
            day += timedelta(days=2)  # the weekend
            print(
                f"  {'with' if with_policy else 'without'} policy: week {week:2d} "
                f"{out.weeks[-1].total / MB:8.1f} MB",
                flush=True,
            )
        clock.set(day)
        officer.sync()
        pending = local_db.pending_counts(officer.db)
        out.left_unsent = pending.mutations + pending.photos
        out.attention = pending.attention
        out.sweeps = officer.sweeps
    finally:
        out.seconds = time.perf_counter() - started
        officer.close()
        server.stop()
    return out


def readable_check(officer: Officer, ours: dict[str, datetime], now: datetime) -> list[str]:
    """Reports of the last 30 days in the officer's scope that cannot be read offline
    with every photo (the full-size file or its thumbnail)."""
    missing = []
    for rid, at in ours.items():
        if at < now - timedelta(days=30):
            continue
        detail = local_db.get_report(officer.db, rid, now=now)
        if detail is None:
            missing.append(f"{rid}: not on the device")
            continue
        for p in detail.photos:
            full = officer.photo_dir / f"{p.sha256}.jpg"
            if not (full.is_file() or local_db.thumb_path(officer.photo_dir, p.sha256).is_file()):
                missing.append(f"{rid}: photo {p.sha256[:12]} gone")
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--per-day", type=int, default=20)
    parser.add_argument("--photo-kb", type=int, default=REALISTIC_KB)
    parser.add_argument(
        "--only-policy", action="store_true", help="skip the run without the policy (half the time)"
    )
    parser.add_argument("--only-without", action="store_true", help="only the run without it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(
            f"{args.weeks} weeks x 5 days x {args.per_day} reports, 3 photos each "
            f"(~{args.photo_kb} KB)"
        )
        if args.only_without:
            alone = run(Path(tmp) / "without", args, False)
            for w in alone.weeks:
                print(f"week {w.week:2d}: {w.reports} reports, {w.photo_files} photos, "
                      f"{w.total / MB:.1f} MB")  # fmt: skip
            return
        with_policy = run(Path(tmp) / "with", args, True)
        without = None if args.only_policy else run(Path(tmp) / "without", args, False)
    factor = REALISTIC_KB / args.photo_kb
    print()
    print(
        "week | with policy: reports  photos thumbs   db MB photos MB thumbs MB  total MB"
        " | without: reports photos  total MB"
    )
    for i, w in enumerate(with_policy.weeks):
        o = without.weeks[i] if without is not None else None
        print(
            f"{w.week:4d} | {w.reports:20d} {w.photo_files:7d} {w.thumbs:6d} "
            f"{w.db_bytes / MB:7.1f} {w.photo_bytes / MB:9.1f} {w.thumb_bytes / MB:9.1f} "
            f"{w.total / MB:9.1f} | "
            + (f"{o.reports:16d} {o.photo_files:6d} {o.total / MB:9.1f}" if o else "(not run)")
        )
    last4 = [w.total for w in with_policy.weeks[-4:]]
    peak = max(w.total for w in with_policy.weeks)
    print()
    print(
        f"with the policy: peak {peak / MB:.1f} MB, last 4 weeks "
        f"{min(last4) / MB:.1f}-{max(last4) / MB:.1f} MB (target: levels off < 300 MB)"
    )
    if without is not None:
        print(
            f"without it: {without.weeks[-1].total / MB:.1f} MB after {args.weeks} weeks "
            f"(ratio {without.weeks[-1].total / with_policy.weeks[-1].total:.1f}x)"
        )
    if factor != 1:
        # Full-size files scale with the photo; thumbnails (320 px) and the database do not.
        proj = [w.db_bytes + w.photo_bytes * factor + w.thumb_bytes for w in with_policy.weeks]
        print(
            f"projected to {REALISTIC_KB} KB photos (full-size bytes x {factor:.1f}, thumbnails "
            f"and database as measured): peak {max(proj) / MB:.1f} MB, last week "
            f"{proj[-1] / MB:.1f} MB"
        )
    tx = [ms for s in with_policy.sweeps for ms in s.tx_ms]
    longest = max((s.longest_tx_ms for s in with_policy.sweeps), default=0.0)
    p99 = statistics.quantiles(tx, n=100)[98] if len(tx) >= 100 else longest
    print(
        f"sweeps: {len(with_policy.sweeps)}, transactions {len(tx)}, longest single "
        f"transaction {longest:.1f} ms (target < 50 ms), p99 {p99:.1f} ms, median "
        f"{statistics.median(tx) if tx else 0:.2f} ms"
    )
    kinds: dict[str, float] = {}
    for s in with_policy.sweeps:
        for kind, ms in s.longest_by_kind.items():
            kinds[kind] = max(kinds.get(kind, 0.0), ms)
    print("longest transaction by step: " + ", ".join(f"{k} {v:.1f} ms" for k, v in kinds.items()))
    cpu = max((s.longest_tx_cpu_ms for s in with_policy.sweeps), default=0.0)
    print(
        f"longest transaction in CPU time of the sweep's thread: {cpu:.1f} ms (the wall-clock "
        f"figures include waiting for the CPU; load average now {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores)"
    )
    removed = sum(s.reports_removed for s in with_policy.sweeps)
    files = sum(s.photos_removed for s in with_policy.sweeps)
    orphans = sum(s.orphans_removed for s in with_policy.sweeps)
    print(
        f"removed by the sweeps: {removed} reports, {files} full-size photo files "
        f"(thumbnails kept), {orphans} orphan files; {sum(s.pages_reclaimed for s in with_policy.sweeps)} "
        "database pages given back"
    )
    print(
        f"reports of the last 30 days not readable offline with photos: "
        f"{len(with_policy.unreadable)} {with_policy.unreadable[:3]}"
    )
    print(
        f"unsent photos missing after an evening sweep: {len(with_policy.unsent_lost)}; "
        f"left unsent at the end: {with_policy.left_unsent}, needs attention: "
        f"{with_policy.attention}"
    )
    print(
        f"run time: with policy {with_policy.seconds:.0f} s, without "
        + (f"{without.seconds:.0f} s" if without is not None else "(not run)")
    )


if __name__ == "__main__":
    main()
