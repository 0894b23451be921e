"""Renders the supervisor's and validator's screens to docs/screenshots/*.png at desktop
size (1280x800); run by scripts/screenshots after the officer's screens.

The same real stack as the roles' browser tests (`Trio`: the reference server with demo
data, a signed-in device per role, the app's web build, headless Chromium). Every
screen is reached by using the app (the navigation rail, a tap on a queue row), and
a report opens from the SLA watch; the map is shown as it is here: its tiles cannot be
reached, so the kelurahan outlines under the markers.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from local_db import Stage
from tests.ui.harness import CHROMIUM, CHROMIUM_ARGS, DESKTOP, Ui

from .harness import Trio

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def capture(out: Path) -> list[Path]:
    made: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        trio = Trio.start(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                ctx = browser.new_context(viewport=DESKTOP, locale="id-ID")

                def shot(ui: Ui, name: str) -> None:
                    path = out / f"{name}-desktop.png"
                    ui.shot(path)
                    made.append(path)

                sup = Ui(ctx.new_page(), trio.stack("supervisor")).open("/")  # type: ignore[arg-type]
                sup.wait("chart-kelurahan", timeout=30_000)
                shot(sup, "10-supervisor-dasbor")
                sup.go("nav-dispatch", shows="dispatch-submit")
                shot(sup, "11-supervisor-disposisi")
                sup.click("nav-extensions")
                time.sleep(1.0)
                shot(sup, "12-supervisor-perpanjangan")
                sup.go("nav-sla", shows="sla-at-risk")
                shot(sup, "13-supervisor-pantauan-sla")
                sup.nodes("breach-").first.click()  # the report, with the supervisor's actions
                sup.wait("action-reassign", timeout=20_000)
                shot(sup, "16-supervisor-laporan")
                sup.back()
                sup.wait("sla-breaches")
                sup.go("nav-team", shows="team-table")
                shot(sup, "14-supervisor-tim")
                sup.go("nav-map", shows="map-canvas")
                sup.nodes("map-marker-").first.wait_for(state="attached", timeout=20_000)
                time.sleep(1.5)
                shot(sup, "15-supervisor-peta-offline")

                val = Ui(ctx.new_page(), trio.stack("validator")).open("/")  # type: ignore[arg-type]
                val.wait_until(lambda: val.nodes("waiting-").count() >= 1, timeout_s=30)
                shot(val, "20-validator-antrian")
                val.nodes("waiting-").first.click()
                val.wait("review-approve", timeout=20_000)
                val.wait_until(lambda: val.nodes("photo-").count() >= 2, timeout_s=30)
                shot(val, "21-validator-pemeriksaan")
                # The safe decision: approving asks first when a photo has a red flag,
                # then holds the decision with "Batalkan"; shown (the question only when the
                # first report has a red flag), then undone.
                val.page.keyboard.press("a")
                if val.nodes("review-confirm").count():
                    shot(val, "22-validator-konfirmasi")
                    val.page.keyboard.press("Enter")
                val.wait("review-held")
                shot(val, "23-validator-batalkan")
                val.click("review-undo")
                val.wait("review-flash")
                val.nodes("zoom-").first.click()  # a photo full size, zoom and pan
                val.wait("photo-full")
                time.sleep(1.0)
                shot(val, "24-validator-foto-penuh")
                val.click("photo-close")
                val.click("nav-back")
                val.wait("filter-flagged", timeout=20_000)
                val.click("filter-flagged")
                time.sleep(0.8)
                shot(val, "25-validator-antrian-tanda-merah")

                # The officer's report after a send-back: "Dikembalikan" on top.
                officer = trio.device("officer")
                returned = [
                    i.report.tracking_id
                    for i in officer.queue(
                        stage=Stage.REWORK, category=None, kelurahan_code=None, limit=5, offset=0
                    )
                ]
                if returned:
                    off = Ui(ctx.new_page(), trio.stack("officer")).open("/")  # type: ignore[arg-type]
                    off.type("queue-search", returned[0])
                    off.click(f"queue-row-{returned[0]}", timeout=30_000)
                    off.wait("detail-returned", timeout=20_000)
                    time.sleep(1.0)
                    shot(off, "26-petugas-dikembalikan")
                ctx.close()
                browser.close()
        finally:
            trio.close()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in capture(args.out):
        print(path)


if __name__ == "__main__":
    main()
