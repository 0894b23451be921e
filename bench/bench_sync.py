"""Benchmark: the sync engine against the real reference server over loopback.

    .venv/bin/python bench/bench_sync.py [--reports 10000] [--push 500]
    .venv/bin/python bench/bench_sync.py --scale [--sizes 1000,10000,100000] [--pg URL]

Measures, in one run:
- initial sync of N reports (a supervisor's whole unit): time, requests, bytes on the
  wire per report (bodies as sent, i.e. gzip-compressed, plus headers); the baseline is
  a raw httpx pull of the same pages that only decodes the JSON, so the ratio is the
  device-side cost (applying pages to SQLite);
- a sync with nothing new: requests and bytes;
- pushing M queued mutations (dispatches): requests and time of the pass.

Targets: initial sync of 10,000 reports < 10 s and < 1 KB per report; a quiet sync one
round trip and < 2 KB; 500 mutations in <= 5 push requests and < 3 s.

`--scale` instead runs the initial sync at each of `--sizes` in one process
(`bench/sync_scale.py`): reports/s, the device's time per page at the start and the end,
and the growth from one size to the next (targets: >= 4,000 reports/s at 100k, and
10k -> 100k <= 11x). `--pg ADMIN_URL` runs it on fresh PostgreSQL databases instead of
SQLite files.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sync_scale import PASSWORD, UNIT, run_scale, seed_unit

import local_db
from domain import Action
from server.admin import create_user
from server.config import Settings
from server.db import write_tx
from server.embedded import EmbeddedServer
from server.reports import create_report
from sync import MemoryTokenStore, SyncEngine, SyncSettings, Transport


class PathCounter(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.paths: list[str] = []
        self.seconds: dict[str, float] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        t0 = time.perf_counter()
        resp = self.inner.handle_request(request)
        resp.read()
        path = request.url.path
        self.seconds[path] = self.seconds.get(path, 0.0) + time.perf_counter() - t0
        return resp


def seed(server: EmbeddedServer, n: int) -> tuple[float, str]:
    settings = server.settings
    now = datetime.now(UTC)
    started = time.perf_counter()
    assert server.engine is not None
    with write_tx(server.engine) as conn:
        seed_unit(conn, settings, now)
        officer = create_user(
            conn, "petugas", PASSWORD, "Andi Petugas", "officer", UNIT, settings=settings, now=now
        )
        for i in range(n):
            create_report(
                conn,
                report_id=None,
                tracking_id=None,
                category=("jalan", "pohon", "sampah", "parkir_liar")[i % 4],
                channel="jaki",
                unit_id=UNIT,
                received_at=now - timedelta(minutes=7 * i),
                title=f"Jalan berlubang di depan sekolah nomor {i}",
                description="Lubang besar membahayakan pengendara motor, mohon segera ditambal.",
                address=f"Jl. Teuku Umar No. {i % 300}, Menteng",
                latitude=-6.1962,
                longitude=106.8325,
                kelurahan_code="31.71.06.1001",
                is_public=i % 3 == 0,
                reporter=("Pelapor", "p@contoh.id", "0812"),
                reporter_photo=None,
                now=now,
            )
    return time.perf_counter() - started, officer


def raw_pull(base_url: str, limit: int) -> tuple[float, int, int]:
    """Baseline: every page, JSON decoded, nothing stored."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        login = http.post(
            "/v1/auth/login",
            json={
                "username": "kasi",
                "password": PASSWORD,
                "device_id": "raw",
                "device_name": "raw",
            },
        ).json()
        headers = {"Authorization": f"Bearer {login['access_token']}"}
        started = time.perf_counter()
        cursor, wire, changes = "", 0, 0
        while True:
            resp = http.get(
                "/v1/sync/pull", params={"cursor": cursor, "limit": limit}, headers=headers
            )
            wire += resp.num_bytes_downloaded
            body = resp.json()
            changes += len(body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                break
        return time.perf_counter() - started, wire, changes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--push", type=int, default=500)
    parser.add_argument("--limit", type=int, default=500, help="pull page size")
    parser.add_argument("--scale", action="store_true", help="initial sync at --sizes")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--pg", help="PostgreSQL admin URL for --scale (default: SQLite)")
    args = parser.parse_args()
    if args.scale:
        run_scale([int(s) for s in args.sizes.split(",")], args.limit, args.pg)
        return
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            db_url=f"sqlite:///{tmp}/server.sqlite",
            photo_dir=Path(tmp) / "photos",
            argon2_time_cost=1,
            argon2_memory_kib=1024,
        )
        with EmbeddedServer(settings) as server:
            seed_s, officer = seed(server, args.reports)
            print(f"server seeded with {args.reports:,} reports in {seed_s:.1f} s")
            raw_s, raw_bytes, raw_changes = raw_pull(server.base_url, args.limit)
            print(
                f"baseline raw pull: {raw_s:.2f} s, {raw_changes:,} changes, "
                f"{raw_bytes / max(1, raw_changes):.0f} B body/report"
            )

            net = PathCounter()
            transport = Transport(server.base_url, transport=net)
            db = local_db.LocalDb.open(Path(tmp) / "device.sqlite")
            engine = SyncEngine(
                db, transport, MemoryTokenStore(), SyncSettings(pull_limit=args.limit)
            )
            engine.login("kasi", PASSWORD)
            b0, r0 = transport.bytes_received, transport.requests
            t0 = time.perf_counter()
            first = engine.sync_once()
            first.raise_for_error()
            init_s = time.perf_counter() - t0
            got = first.pulled_upserts
            per_report = (transport.bytes_received - b0) / max(1, got)
            print(
                f"initial sync: {got:,} reports in {init_s:.2f} s "
                f"({init_s / raw_s:.1f}x baseline), {transport.requests - r0} requests, "
                f"{per_report:.0f} B/report on the wire "
                f"-> {'OK' if init_s < 10 and per_report < 1024 else 'OVER'} (< 10 s, < 1 KB)"
            )

            s0, b0, r0 = transport.bytes_sent, transport.bytes_received, transport.requests
            quiet = engine.sync_once()
            quiet.raise_for_error()
            q_bytes = transport.bytes_sent - s0 + transport.bytes_received - b0
            q_req = transport.requests - r0
            print(
                f"quiet sync: {q_req} request(s), {q_bytes} B both ways "
                f"-> {'OK' if q_req == 1 and q_bytes < 2048 else 'OVER'} (1 round trip, < 2 KB)"
            )

            actor = local_db.actor(db)
            assert actor is not None
            todo = [
                i.report.id for i in local_db.queue(db, now=engine.now_server(), limit=args.push)
            ]
            t0 = time.perf_counter()
            for rid in todo:
                local_db.record_action(
                    db, actor, rid, Action.DISPATCH, {"assignee_id": officer}, engine.now_server()
                )
            record_s = time.perf_counter() - t0
            print(
                f"recorded {len(todo)} actions locally in {record_s:.2f} s "
                f"({record_s / len(todo) * 1000:.2f} ms each, one transaction each)"
            )
            net.paths.clear()
            net.seconds.clear()
            t0 = time.perf_counter()
            pushed = engine.sync_once()
            pushed.raise_for_error()
            push_s = time.perf_counter() - t0
            pushes = net.paths.count("/v1/sync/push")
            print(
                f"push {pushed.pushed} mutations: {pushes} push requests "
                f"({len(net.paths)} requests with the pull), pass {push_s:.2f} s, "
                f"applied {pushed.applied} -> {'OK' if pushes <= 5 and push_s < 3 else 'OVER'} "
                "(<= 5 requests, < 3 s)"
            )
            waits = ", ".join(f"{p.rsplit('/', 1)[-1]} {t:.2f} s" for p, t in net.seconds.items())
            print(f"  of which waiting on the server: {waits}")
            engine.stop()
            transport.close()
            db.close()


if __name__ == "__main__":
    main()
