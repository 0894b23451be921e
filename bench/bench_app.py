"""App start and report opening in a real browser, with 10,000 reports on the device.

    .venv/bin/python bench/bench_app.py [--reports 10000] [--runs 7]

Builds two devices in the same run: one holding `--reports` reports (stored the way a
pull stores them) and a baseline holding one report. For each, the web build is served
in-process and driven by headless Chromium (phone size):
- start: a fresh page from navigation to the first queue row on screen (signed in,
  the session's first queue read included);
- open: a tap on the most urgent row until the report's status is on screen (the
  tap is a raw pointer event at the row's position).
Prints medians, the ratio against the baseline, and the targets (start < 3 s,
open < 300 ms). Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

import local_db  # noqa: E402
from domain import CATEGORIES, Report, Role, Status  # noqa: E402
from domain.protocol import (  # noqa: E402
    Change,
    ChangeOp,
    Entity,
    PullPage,
    ReportSnapshot,
    TimelineEntry,
    UserInfo,
)
from officer_app.app import make_main  # noqa: E402
from officer_app.device import Device  # noqa: E402
from officer_app.launch import WebApp, free_port  # noqa: E402
from officer_app.profile import Profile  # noqa: E402
from sync import MemoryTokenStore  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
OFFICER = UserInfo("u-1", "petugas.bench", "Petugas Bench", Role.OFFICER, "kel-1", "Kel. Menteng")
STATUSES = (Status.DIDISPOSISIKAN, Status.DITERIMA, Status.DALAM_PROSES, Status.SELESAI)


def build_device(folder: Path, count: int) -> Device:
    url = f"http://127.0.0.1:{free_port()}"  # never contacted: the benchmark is local
    device = Device(Profile().with_server(url), folder, MemoryTokenStore())
    now = datetime.now(UTC)
    local_db.sign_in(device.db, OFFICER, url, now)
    local_db.start_pull(device.db)
    cats = list(CATEGORIES)
    batch: list[Change] = []
    for i in range(count):
        r = Report(
            id=f"r{i:06d}",
            tracking_id=f"CRM-2026-{i:06d}",
            status=STATUSES[i % len(STATUSES)],
            category=cats[zlib.crc32(str(i).encode()) % len(cats)],
            channel="jaki",
            unit_id="kel-1",
            received_at=now - timedelta(minutes=37 * i % (60 * 24 * 30)),
            assignee_id=OFFICER.id,
            title=f"Laporan warga nomor {i} tentang jalan berlubang",
            description="Lubang besar di depan sekolah dasar, membahayakan pengendara motor.",
            address=f"Jl. Teuku Umar No. {i % 200}",
            kelurahan_code="31.71.06.1001",
            latitude=-6.19 - (i % 100) / 10_000,
            longitude=106.83 + (i % 77) / 10_000,
            version=1,
        )
        snap = ReportSnapshot(
            r,
            unit_name="Kelurahan Menteng",
            kelurahan="Menteng",
            timeline=(TimelineEntry(r.received_at, "received", status_to="baru"),),
        )
        batch.append(Change(ChangeOp.UPSERT, Entity.REPORT, r.id, snap.to_wire()))
        if len(batch) == 1000 or i == count - 1:
            local_db.apply_page(device.db, PullPage(tuple(batch), f"f:{i}", True, now), now)
            batch = []
    return device


def ready(page: Page) -> None:
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.evaluate("() => document.querySelector('flt-semantics-placeholder').click()")


def measure(device: Device, runs: int) -> tuple[list[float], list[float]]:
    starts: list[float] = []
    opens: list[float] = []
    with WebApp(make_main(device)) as web, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for run in range(runs + 1):  # the first run warms caches and is not counted
            ctx = browser.new_context(viewport={"width": 360, "height": 740})
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(web.url)
            ready(page)
            row = page.locator('[flt-semantics-identifier^="queue-row-"]').first
            row.wait_for(state="attached", timeout=60_000)
            started = time.perf_counter() - t0
            # Tap where the row is (a plain pointer event: Playwright's click() would
            # add its own waiting for the element to settle to the figure).
            box = row.bounding_box()
            assert box is not None
            time.sleep(0.3)
            t1 = time.perf_counter()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.locator('[flt-semantics-identifier="detail-status"]').first.wait_for(
                state="attached", timeout=60_000
            )
            opened = time.perf_counter() - t1
            if run:
                starts.append(started)
                opens.append(opened)
            ctx.close()
        browser.close()
    return starts, opens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        big = build_device(Path(tmp) / "big", args.reports)
        print(f"stored {args.reports} reports on the device in {time.perf_counter() - t:.1f} s")
        small = build_device(Path(tmp) / "small", 1)
        try:
            base_start, base_open = measure(small, args.runs)
            big_start, big_open = measure(big, args.runs)
        finally:
            big.close()
            small.close()
    med = statistics.median
    print(f"runs per case: {args.runs} (after one warm-up)")
    print(
        f"start to queue visible: {med(big_start):.2f} s with {args.reports} reports, "
        f"{med(base_start):.2f} s with 1 report (ratio {med(big_start) / med(base_start):.2f}x)"
        f"  target < 3 s"
    )
    print(
        f"open a report: {med(big_open) * 1000:.0f} ms with {args.reports} reports, "
        f"{med(base_open) * 1000:.0f} ms with 1 report "
        f"(ratio {med(big_open) / med(base_open):.2f}x)  target < 300 ms"
    )


if __name__ == "__main__":
    main()
