"""Load test: simulated officer devices against real server processes, with Locust.

    .venv/bin/python bench/load_locust.py --db sqlite --users 50 --duration 60
    .venv/bin/python bench/load_locust.py --db postgresql --users 50 --duration 60 --workers 2
    .venv/bin/python bench/load_locust.py --db sqlite --users 4 --duration 30 --json out.json

What it does, all on loopback:
1. a fresh database (a SQLite file in a temporary folder, or a new database on the
   PostgreSQL of `--pg-url`, dropped at the end), migrated and seeded: `--units`
   kelurahan, one supervisor each, `--users` officers spread over them, and
   `--reports-per-user` reports per officer, dispatched to them by their supervisor
   through the real push API;
2. the server: `tindak-server serve --workers N` (N uvicorn processes on one address,
   the kernel spreading the connections over them, as in production behind a reverse
   proxy), migrating the database on start;
3. Locust as a library (`Environment` + a local runner, `FastHttpUser`), bounded by
   `--duration` (`--code DIR` runs the servers from another checkout, e.g. the commit
   before a change, with the same scenario): each user is a device that logs in, pulls its first snapshot, accepts
   and starts its reports, then loops over the kinds of a day's sync (weights in
   `TASKS`): a quiet pull (the usual sync pass when nothing changed for it), a push of
   1-5 progress actions, a photo upload in `PHOTO_CHUNK` chunks (the app's resumable
   PUT, `sync/photos.py`) followed by the `add_photo` push that uses it, and a login;
   between tasks a think time drawn from `--wait LOW HIGH` seconds (0 0: closed loop,
   to measure capacity);
4. the figures, once every device is through its start (the login storm and first
   snapshots are shown apart, as the warm-up), over `--duration` seconds of steady
   sync: per request kind requests/s, p50/p95/p99 and failures; errors; the completed
   sync cycles (tasks) per second; the server processes' CPU time (user + system,
   children included) per request and the load generator's own CPU (both run on this
   machine); the load average before and after.

A request "fails" on any non-2xx answer and on a push whose answer is not every
mutation `applied` (the scenario only sends actions the rules allow). Exit code 1 when
anything failed (warm-up included), so the 30-second smoke test
(`tests/server/test_load_smoke.py`) only checks that.
"""

# Locust patches the standard library with gevent when imported: first, before any
# module that opens sockets or starts threads.
import locust  # noqa: I001  (must come first)

import argparse
import io
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
import httpx
import psutil
from locust import FastHttpUser, between, constant, task
from locust.env import Environment
from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serving import cpu_seconds, start_server, stop_server  # noqa: E402

from domain.protocol import PHOTO_CHUNK  # noqa: E402
from server.admin import create_unit, create_user  # noqa: E402
from server.config import Settings  # noqa: E402
from server.db import make_engine, write_tx  # noqa: E402
from server.migrations import migrate  # noqa: E402
from server.reports import create_report  # noqa: E402

PASSWORD = "sandi-beban-2024"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
API = "/v1"
# Task weights: a device mostly finds nothing new; pushes are a third as frequent, photo
# uploads rarer, logins rarest (a token refresh is not a login).
TASKS = {"pull": 24, "push": 12, "photo": 4, "login": 1}


@dataclass
class Account:
    username: str
    device_id: str
    report_ids: list[str]


@dataclass
class Plan:
    """What the seeded world hands to the simulated devices."""

    host: str
    accounts: list[Account]
    photos: list[bytes]
    photo_side: int
    next_account: Iterator[int] = field(default_factory=itertools.count)
    next_photo: Iterator[int] = field(default_factory=itertools.count)
    started: int = 0  # devices through their start (login, first snapshot, first push)
    cycles: int = 0


PLAN: Plan | None = None


# --- the database ------------------------------------------------------------------


@contextmanager
def database(kind: str, pg_url: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'load.sqlite'}"
        return
    admin_url = make_url(pg_url)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"tindak_load_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(db_url: str, photo_dir: Path, units: int, users: int) -> list[tuple[str, str]]:
    """Units, supervisors and officers; returns (officer, supervisor) usernames."""
    settings = Settings(db_url=db_url, photo_dir=photo_dir)
    engine = make_engine(db_url)
    migrate(engine)
    pairs: list[tuple[str, str]] = []
    with write_tx(engine) as conn:
        create_unit(conn, id="kota-load", kind="kota", name="Kota Beban", kota="Kota Beban")
        create_unit(
            conn, id="kec-load", kind="kecamatan", name="Kecamatan Beban", parent_id="kota-load"
        )
        for u in range(units):
            unit = f"kel-load-{u}"
            create_unit(
                conn,
                id=unit,
                kind="kelurahan",
                name=f"Kelurahan Beban {u}",
                parent_id="kec-load",
                kota="Kota Beban",
                kelurahan_code=f"99.99.99.{1000 + u}",
            )
            create_user(
                conn, f"kasi.{u}", PASSWORD, f"Kasi {u}", "supervisor", unit, settings=settings
            )
        for i in range(users):
            u = i % units
            create_user(
                conn,
                f"petugas.{i}",
                PASSWORD,
                f"Petugas {i}",
                "officer",
                f"kel-load-{u}",
                settings=settings,
            )
            pairs.append((f"petugas.{i}", f"kasi.{u}"))
    engine.dispose()
    return pairs


def seed_reports(db_url: str, pairs: list[tuple[str, str]], per_user: int) -> dict[str, list[str]]:
    """`per_user` new reports in each officer's unit; returns them per officer."""
    engine = make_engine(db_url)
    now = datetime.now(UTC)
    made: dict[str, list[str]] = {}
    with write_tx(engine) as conn:
        for officer, supervisor in pairs:
            unit = f"kel-load-{supervisor.split('.')[1]}"
            made[officer] = [
                create_report(
                    conn,
                    report_id=None,
                    tracking_id=None,
                    category="jalan",
                    channel="jaki",
                    unit_id=unit,
                    received_at=now - timedelta(hours=1),
                    title=f"Jalan berlubang {officer} #{n}",
                    description="Lubang besar di depan sekolah, membahayakan pengendara motor.",
                    address="Jl. Teuku Umar No. 10",
                    latitude=-6.1962,
                    longitude=106.8325,
                    kelurahan_code=None,
                    is_public=False,
                    reporter=None,
                    reporter_photo=None,
                    now=now,
                )
                for n in range(per_user)
            ]
    engine.dispose()
    return made


def dispatch_all(base_url: str, pairs: list[tuple[str, str]], made: dict[str, list[str]]) -> None:
    """Each supervisor dispatches its officers' reports through the real push API."""
    by_supervisor: dict[str, list[dict[str, Any]]] = {}
    with httpx.Client(base_url=base_url, timeout=120) as http:
        ids = {}
        for officer, supervisor in pairs:
            by_supervisor.setdefault(supervisor, [])
            ids.setdefault(supervisor, _login(http, supervisor, str(uuid.uuid4())))
            officer_id = _user_id(http, officer)
            for rid in made[officer]:
                by_supervisor[supervisor].append(_mutation("dispatch", rid, assignee_id=officer_id))
        for supervisor, batch in by_supervisor.items():
            token = ids[supervisor]
            for start in range(0, len(batch), 200):
                answer = http.post(
                    f"{API}/sync/push",
                    json={"mutations": batch[start : start + 200]},
                    headers={"Authorization": f"Bearer {token}"},
                )
                answer.raise_for_status()
                refused = [r for r in answer.json()["results"] if r["outcome"] != "applied"]
                if refused:
                    raise SystemExit(f"dispatch refused: {refused[:2]}")


_USER_IDS: dict[str, str] = {}


def _login(http: httpx.Client, username: str, device_id: str) -> str:
    answer = http.post(
        f"{API}/auth/login",
        json={
            "username": username,
            "password": PASSWORD,
            "device_id": device_id,
            "device_name": "Ponsel beban",
        },
    )
    answer.raise_for_status()
    body = answer.json()
    _USER_IDS[username] = body["user"]["id"]
    return str(body["access_token"])


def _user_id(http: httpx.Client, username: str) -> str:
    if username not in _USER_IDS:
        _login(http, username, str(uuid.uuid4()))
    return _USER_IDS[username]


_SEQ = itertools.count(1)


def _mutation(action: str, report_id: str, **payload: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "device_seq": next(_SEQ),
        "action": action,
        "report_id": report_id,
        "payload": payload,
    }


def make_photos(count: int, side: int, seed: int = 14) -> list[bytes]:
    """Distinct JPEGs of about 0.5 byte per pixel: windows of one noise field at random
    offsets, each tinted its own colour (no two alike, cheap to make)."""
    rng = random.Random(seed)
    field = Image.effect_noise((side * 2, side * 2), 55).convert("RGB")
    made = []
    for _ in range(count):
        x, y = rng.randrange(side), rng.randrange(side)
        window = field.crop((x, y, x + side, y + side))
        tint = Image.new("RGB", (side, side), tuple(rng.randrange(256) for _ in range(3)))
        buffer = io.BytesIO()
        Image.blend(window, tint, 0.4).save(buffer, "JPEG", quality=85)
        made.append(buffer.getvalue())
    return made


# --- the server processes ----------------------------------------------------------


def machine_busy_cpu() -> float:
    """CPU-seconds the whole machine spent busy (all cores, from /proc/stat): what is not
    the server's or the load generator's went to PostgreSQL (whose backends come and
    go, so it is not summed per process) and the rest of the machine."""
    t = psutil.cpu_times()
    return float(t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0))


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


# --- the simulated device ----------------------------------------------------------


class Device(FastHttpUser):
    """One officer's phone: login, first snapshot, then quiet pulls, pushes, photos."""

    host = "http://127.0.0.1"  # replaced per device in __init__
    wait_time = constant(0)

    def __init__(self, environment: Environment) -> None:
        assert PLAN is not None
        index = next(PLAN.next_account)
        self.account = PLAN.accounts[index % len(PLAN.accounts)]
        self.host = PLAN.host
        super().__init__(environment)
        self.token = ""
        self.cursor = ""
        self.percent = 0

    def on_start(self) -> None:
        self._login()
        self._pull("pull first")
        mutations = []
        for rid in self.account.report_ids:
            mutations += [_mutation("accept", rid), _mutation("start", rid)]
        self._push(mutations, name="push first")
        assert PLAN is not None
        PLAN.started += 1

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _login(self) -> None:
        with self.client.post(
            f"{API}/auth/login",
            json={
                "username": self.account.username,
                "password": PASSWORD,
                "device_id": self.account.device_id,
                "device_name": "Ponsel beban",
            },
            name="login",
            catch_response=True,
        ) as answer:
            if answer.status_code == 200:
                self.token = answer.json()["access_token"]
            else:
                answer.failure(f"login {answer.status_code}")

    def _pull(self, name: str) -> None:
        while True:
            query = urlencode({"cursor": self.cursor, "limit": 200})
            with self.client.get(
                f"{API}/sync/pull?{query}", headers=self._auth(), name=name, catch_response=True
            ) as answer:
                if answer.status_code != 200:
                    answer.failure(f"pull {answer.status_code}")
                    return
                page = answer.json()
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return

    def _push(self, mutations: list[dict[str, Any]], name: str = "push") -> None:
        with self.client.post(
            f"{API}/sync/push",
            json={"mutations": mutations},
            headers=self._auth(),
            name=name,
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"push {answer.status_code}")
                return
            results = answer.json()["results"]
            refused = [r for r in results if r["outcome"] != "applied"]
            if len(results) != len(mutations) or refused:
                answer.failure(f"push refused: {refused[:1]}")

    def _cycle_done(self) -> None:
        assert PLAN is not None
        PLAN.cycles += 1

    @task(TASKS["pull"])
    def quiet_pull(self) -> None:
        self._pull("pull")
        self._cycle_done()

    @task(TASKS["push"])
    def push_actions(self) -> None:
        mutations = []
        for _ in range(random.randint(1, 5)):
            self.percent = self.percent % 99 + 1
            rid = random.choice(self.account.report_ids)
            mutations.append(_mutation("progress", rid, percent=self.percent))
        self._push(mutations)
        self._cycle_done()

    @task(TASKS["photo"])
    def photo(self) -> None:
        assert PLAN is not None
        index = next(PLAN.next_photo)
        # Never the same bytes twice: a photo another device uploaded is not this
        # device's to attach (`photo_not_owned`). Past the pool made before the run, one
        # is made now (~40 ms of the load generator's time).
        data = (
            PLAN.photos[index]
            if index < len(PLAN.photos)
            else make_photos(1, PLAN.photo_side, seed=index)[0]
        )
        sha = _sha256(data)
        offset = 0
        while offset < len(data):
            query = urlencode({"offset": offset, "size": len(data)})
            with self.client.put(
                f"{API}/photos/{sha}?{query}",
                data=data[offset : offset + PHOTO_CHUNK],
                headers={**self._auth(), "Content-Type": "application/octet-stream"},
                name="photo chunk",
                catch_response=True,
            ) as answer:
                if answer.status_code != 200:
                    answer.failure(f"photo {answer.status_code}")
                    return
                status = answer.json()
            if status["complete"]:
                break
            offset = status["received"]
        photo = {"sha256": sha, "kind": "during", "latitude": -6.1962, "longitude": 106.8325}
        rid = random.choice(self.account.report_ids)
        self._push([_mutation("add_photo", rid, photo=photo)], name="push photo")
        self._cycle_done()

    @task(TASKS["login"])
    def login(self) -> None:
        self._login()
        self._cycle_done()


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


# --- the run -----------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    global PLAN
    folder = Path(tempfile.mkdtemp(prefix="tindak-load-"))
    photo_dir = folder / "photos"
    servers: list[subprocess.Popen[bytes]] = []
    try:
        with database(args.db, args.pg_url, folder) as db_url:
            pairs = seed(db_url, photo_dir, args.units, args.users)
            made = seed_reports(db_url, pairs, args.reports_per_user)
            process, base = start_server(
                db_url, photo_dir, folder / "server.log", args.code, workers=args.workers
            )
            servers.append(process)
            dispatch_all(base, pairs, made)
            uploads = max(4, int(args.users * args.duration / 15))
            PLAN = Plan(
                host=base,
                accounts=[
                    Account(officer, str(uuid.uuid4()), made[officer]) for officer, _ in pairs
                ],
                photos=make_photos(uploads, args.photo_side),
                photo_side=args.photo_side,
            )
            Device.wait_time = (
                constant(0) if args.wait[1] <= 0 else between(args.wait[0], args.wait[1])
            )
            return measure(args, servers)
    finally:
        for process in servers:
            stop_server(process)
        shutil.rmtree(folder, ignore_errors=True)


def measure(args: argparse.Namespace, servers: list[subprocess.Popen[bytes]]) -> dict[str, Any]:
    """Start every device, then measure `--duration` seconds of steady sync (the start's
    login storm and first snapshots are reported apart, as the warm-up)."""
    assert PLAN is not None
    env = Environment(user_classes=[Device], events=locust.events)
    runner = env.create_local_runner()
    warm_started = time.monotonic()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    deadline = warm_started + 600
    while PLAN.started < args.users and time.monotonic() < deadline:
        gevent.sleep(0.2)
    warm = _figures(env, time.monotonic() - warm_started)
    warm["devices_started"] = PLAN.started
    env.stats.reset_all()
    PLAN.cycles = 0
    load_before = load_average()
    me = psutil.Process()
    cpu_server, cpu_client, busy = cpu_seconds(servers), me.cpu_times(), machine_busy_cpu()
    started = time.monotonic()
    gevent.sleep(args.duration)
    elapsed = time.monotonic() - started
    cycles = PLAN.cycles
    server_cpu = cpu_seconds(servers) - cpu_server
    busy = machine_busy_cpu() - busy
    after = me.cpu_times()
    client_cpu = (after.user + after.system) - (cpu_client.user + cpu_client.system)
    load_after = load_average()
    result = _figures(env, elapsed)
    runner.quit()
    return {
        "code": str(args.code),
        "db": args.db,
        "workers": args.workers,
        "users": args.users,
        "wait_s": args.wait,
        **result,
        "cycles_per_s": cycles / elapsed,
        "server_cpu_s": server_cpu,
        "server_cpu_ms_per_request": 1000 * server_cpu / max(1, result["requests"]),
        "client_cpu_s": client_cpu,
        "machine_busy_cpu_s": busy,
        "warm_up": warm,
        "load_before": load_before,
        "load_after": load_after,
        "cores": os.cpu_count(),
    }


def _figures(env: Environment, elapsed: float) -> dict[str, Any]:
    kinds = {}
    for (name, _method), entry in sorted(env.stats.entries.items()):
        kinds[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.num_requests / elapsed,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
            "max_ms": entry.max_response_time,
        }
    total = env.stats.total
    errors = [
        {"kind": e.name, "error": str(e.error), "count": e.occurrences}
        for e in env.stats.errors.values()
    ]
    return {
        "duration_s": round(elapsed, 1),
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": total.num_requests / elapsed,
        "kinds": kinds,
        "errors": errors,
    }


def show(result: dict[str, Any]) -> None:
    warm = result["warm_up"]
    print(
        f"\n{result['code']}: {result['db']}, {result['workers']} server process(es), "
        f"{result['users']} devices, think time {result['wait_s']} s, {result['cores']} cores"
    )
    print(f"warm-up ({warm['devices_started']} devices started in {warm['duration_s']} s):")
    _table(warm)
    print(f"steady sync, {result['duration_s']} s:")
    _table(result)
    print(
        f"total: {result['requests']} requests, {result['rps']:.1f} req/s, "
        f"{result['cycles_per_s']:.1f} sync cycles/s, {result['failures']} failures"
    )
    print(
        f"server CPU {result['server_cpu_s']:.1f} s = "
        f"{result['server_cpu_ms_per_request']:.2f} ms per request; "
        f"load generator CPU {result['client_cpu_s']:.1f} s; the machine was busy "
        f"{result['machine_busy_cpu_s']:.1f} of {result['cores'] * result['duration_s']:.0f} "
        f"CPU-s (the rest of it: PostgreSQL and the system, "
        f"{result['machine_busy_cpu_s'] - result['server_cpu_s'] - result['client_cpu_s']:.1f} s)"
    )
    print(f"machine: before {result['load_before']}, after {result['load_after']}")
    for error in [*warm["errors"], *result["errors"]]:
        print(f"error: {error['kind']}: {error['error']} x{error['count']}")


def _table(figures: dict[str, Any]) -> None:
    print(
        f"  {'kind':<12} {'req':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}",
        end="",
    )
    print(f" {'max':>7}")
    for name, k in figures["kinds"].items():
        if not k["requests"]:
            continue
        print(
            f"  {name:<12} {k['requests']:>7} {k['failures']:>5} {k['rps']:>7.1f} "
            f"{k['p50_ms']:>6.0f} {k['p95_ms']:>6.0f} {k['p99_ms']:>6.0f} {k['max_ms']:>7.0f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("TINDAK_TEST_PG_URL") or PG_URL)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--workers", type=int, default=1, choices=[1, 2, 3, 4])
    parser.add_argument("--wait", type=float, nargs=2, default=[1.0, 3.0], metavar=("LOW", "HIGH"))
    # Logins from one address in flight at once count against its throttle (30) until
    # their argon2 check ends: a faster start than this gets 429s on a loaded machine.
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="devices started per s")
    parser.add_argument("--units", type=int, default=5)
    parser.add_argument("--reports-per-user", type=int, default=10)
    parser.add_argument("--photo-side", type=int, default=900, help="pixels (~0.5 B/px)")
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="run the servers from another checkout"
    )
    parser.add_argument("--json", type=Path, help="also write the figures there")
    args = parser.parse_args(argv)
    result = run(args)
    show(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    failed = result["failures"] or result["warm_up"]["failures"] or result["errors"]
    return 1 if failed or result["warm_up"]["devices_started"] < args.users else 0


if __name__ == "__main__":
    sys.exit(main())
