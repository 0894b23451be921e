"""Renders the app's main screens to docs/screenshots/*.png (run by scripts/screenshots).

Uses the same real stack as the browser tests: the reference server with demo data, a
device, the web build and headless Chromium, at phone (360x740) and desktop (1280x800)
size. Each screen is reached by using the app (signing in, tapping), not by faking state.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from .harness import CHROMIUM, CHROMIUM_ARGS, DESKTOP, JAKARTA, PHONE, Stack, Ui
from .test_ui_sign_in_queue import server_to_act_order

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def reassign_away(stack: Stack, tracking_id: str) -> None:
    """The supervisor gives a report to another officer on the server."""
    supervisor = stack.api("supervisor.demo")
    try:
        changes, _ = supervisor.pull_all()
        data = [c["data"] for c in changes if c["data"]]
        report = next(d for d in data if d.get("tracking_id") == tracking_id)
        officer = next(
            d for d in data if d.get("role") == "officer" and d.get("id") != report["assignee_id"]
        )
        supervisor.act("reassign", report["id"], assignee_id=officer["id"])
    finally:
        supervisor.close()


def capture_size(out: Path, photo: Path, size_name: str, viewport: dict[str, int]) -> list[Path]:
    made: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack.start(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                ctx = browser.new_context(viewport=viewport, locale="id-ID")
                ctx.grant_permissions(["geolocation"])
                ctx.set_geolocation(JAKARTA)
                ui = Ui(ctx.new_page(), stack).open()

                def shot(name: str) -> None:
                    path = out / f"{name}-{size_name}.png"
                    ui.shot(path)
                    made.append(path)

                ui.wait("login-username")
                shot("01-masuk")
                ui.sign_in("petugas.demo")
                order = server_to_act_order(stack, "petugas.demo")
                ui.wait(f"queue-row-{order[0]}", timeout=30_000)
                time.sleep(1.0)
                shot("02-antrian")

                # A report in progress with a before photo.
                ui.click(f"queue-row-{order[0]}")
                ui.click("action-accept")
                ui.wait_until(lambda: "Diterima" in ui.text_of("detail-status"))
                ui.click("action-start")
                ui.wait_until(lambda: "Dalam proses" in ui.text_of("detail-status"))
                ui.click("detail-add-photo")
                ui.pick_photo("capture-gallery", photo)
                ui.wait("capture-preview", timeout=20_000)
                time.sleep(1.0)
                shot("04-foto")
                ui.click("capture-save")
                ui.wait("detail-status", timeout=30_000)
                ui.wait_until(lambda: ui.nodes("photo-before-").count() >= 1)
                ui.page.mouse.move(180, 300)
                ui.page.mouse.wheel(0, -5000)  # back to the top of the report
                time.sleep(3.5)  # let the snack bar go
                shot("03-detail")
                ui.back()

                # A refusal: the report was given to someone else meanwhile.
                reassign_away(stack, order[1])
                ui.click(f"queue-row-{order[1]}")
                ui.click("action-accept")
                ui.back()
                ui.tab("Perlu perhatian", shows="attention-")
                ui.nodes("attention-CRM").first.wait_for(timeout=30_000)
                time.sleep(3.5)  # let the snack bar go
                shot("05-perlu-perhatian")
                ui.tab("Pengaturan", shows="settings-about")
                shot("06-pengaturan")

                # Peta with no tiles (no internet here): outlines, numbered markers.
                ui.tab("Peta", shows="map-canvas")
                ui.nodes("map-marker-").first.wait_for(state="attached", timeout=20_000)
                time.sleep(1.5)
                shot("08-peta-offline")
                ui.tab("Pengaturan", shows="settings-about")
                ui.click("settings-storage")
                ui.wait("storage-total", timeout=20_000)
                time.sleep(1.0)
                shot("07-penyimpanan")
                ctx.close()
                browser.close()
        finally:
            stack.close()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from officer_app.photos.testimages import camera_jpeg

    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "foto.jpg"
        photo.write_bytes(camera_jpeg(1600, 1200))
        for size_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            for path in capture_size(args.out, photo, size_name, viewport):
                print(path)


if __name__ == "__main__":
    main()
