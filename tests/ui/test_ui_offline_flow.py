"""The field officer's day in a real browser: work offline with photos, then sync.

Sign in, open the most urgent report, accept and start it, attach a before photo
through the file chooser with a (fake) GPS position, lose the server, record progress,
see completion refused without an after photo, attach one, complete, see "belum
terkirim", get the server back, sync, and check on the server that the report waits
for validation with both photos byte-identical to the device's files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import local_db
from local_db import Stage
from tests.ui.harness import WAIT_MS

from .harness import Stack, Ui, sha256
from .test_ui_sign_in_queue import server_to_act_order

pytestmark = pytest.mark.browser


def open_report(ui: Ui, tracking_id: str) -> None:
    ui.go(f"queue-row-{tracking_id}", shows="detail-status")


def add_photo(ui: Ui, kind: str, path: Path, where: str) -> None:
    ui.go("detail-add-photo", shows=f"kind-{kind}")  # a tap can be lost under load
    ui.click(f"kind-{kind}")
    ui.pick_photo("capture-gallery", path)
    ui.wait("capture-preview", timeout=WAIT_MS)
    # The position the photo will carry is shown before saving.
    ui.wait_until(lambda: where in ui.text_of("capture-location"))
    ui.click("capture-save")
    ui.wait("detail-status", timeout=WAIT_MS)
    ui.wait_until(lambda: ui.nodes(f"photo-{kind}-").count() >= 1)


def test_offline_progress_and_completion_reach_the_server(
    ui: Ui, stack: Stack, photo_files: dict[str, Path]
) -> None:
    ui.sign_in("petugas.demo")
    tracking_id = server_to_act_order(stack, "petugas.demo", {"didisposisikan"})[0]
    open_report(ui, tracking_id)

    ui.click("action-accept")
    ui.wait_until(lambda: "Diterima" in ui.text_of("detail-status"))
    ui.click("action-start")
    ui.wait_until(lambda: "Dalam proses" in ui.text_of("detail-status"))
    # A gallery photo with its own GPS keeps it (-6.2, 106.8 in its EXIF)...
    add_photo(ui, "before", photo_files["before"], "-6.20000, 106.80000")

    # The connection goes: nothing below can reach the server.
    stack.stop_server()
    ui.click("action-progress")
    ui.type("form-percent", "50")
    ui.type("form-note", "Lubang sudah ditambal separuh")
    ui.click("form-submit")
    ui.wait_until(lambda: "50%" in ui.text_of("detail-progress"))

    # Completion without an after photo is not offered, and the screen says why.
    assert "foto sesudah" in ui.text_of("why-complete")

    # ...one without takes the device's position (the browser's fake GPS, Menteng).
    add_photo(ui, "after", photo_files["after"], "-6.19440, 106.82290")
    ui.click("action-complete")  # asks for a note for the validator, and confirms
    ui.type("form-note", "Lubang sudah ditambal penuh")
    ui.click("form-submit")
    ui.wait_until(lambda: "Menunggu validasi" in ui.text_of("detail-status"))
    assert "belum terkirim" in ui.text_of("detail-not-sent")
    ui.wait_until(lambda: "Offline" in ui.text_of("sync-state"), timeout_s=30)

    # Back in the queue the report sits in its new stage, marked as not sent.
    ui.back()
    ui.click(f"stage-{Stage.WAITING_VALIDATION.value}")
    ui.wait(f"pending-{tracking_id}")

    # The server comes back; one tap on "Sinkronkan" sends everything.
    stack.start_server()
    ui.click("sync-now")
    ui.wait_until(lambda: "Semua data terkirim" in ui.text_of("sync-waiting"), timeout_s=60)
    ui.wait_until(lambda: ui.nodes(f"pending-{tracking_id}").count() == 0)

    # The server's truth, read through its own API as the supervisor.
    supervisor = stack.api("supervisor.demo")
    try:
        changes, _ = supervisor.pull_all()
        report = next(
            c["data"]
            for c in changes
            if c["entity"] == "report" and c["data"] and c["data"]["tracking_id"] == tracking_id
        )
        assert report["status"] == "menunggu_validasi"
        assert report["progress_pct"] == 100
        kinds = {p["kind"]: p["sha256"] for p in report["photos"]}
        assert {"before", "after"} <= set(kinds)
        notes = [t["note"] for t in report["timeline"]]
        assert "Lubang sudah ditambal separuh" in notes

        detail = local_db.get_report(stack.device.db, report["id"], now=stack.device.now())
        assert detail is not None
        on_device = {p.kind.value: p for p in detail.photos if p.from_device}
        for kind in ("before", "after"):
            local = on_device[kind]
            assert local.local_path is not None
            device_bytes = Path(local.local_path).read_bytes()
            response = supervisor.request("GET", f"/v1/photos/{kinds[kind]}/content")
            assert response.status_code == 200
            assert sha256(response.content) == sha256(device_bytes) == kinds[kind]
        assert on_device["before"].latitude == -6.2
        assert on_device["after"].latitude is not None
        assert abs(on_device["after"].latitude - -6.1944) < 1e-6
    finally:
        supervisor.close()
