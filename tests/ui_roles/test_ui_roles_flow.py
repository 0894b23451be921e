"""Three people, three browsers, three devices, one server: a report's whole life.

The supervisor dispatches a new report to the demo officer; the officer syncs, works it
with a before photo, loses the server, completes with an after photo offline, and syncs
when the server is back; the validator sends it back for rework with a note; the
officer sees "Dikembalikan" with the note, is told the rejected photo does not count
again, adds a new after photo and completes with a note; the validator sees the
flags, goes back to the queue and in again, approves (asked to confirm: a red flag),
undoes once within the 5 s, and approves with the keyboard (A); the supervisor's
dashboard and team table show one more report done after their sync. At every step
the server's own answer is checked.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

from domain import JAKARTA as JAKARTA_TZ
from local_db import figures
from officer_app.photos.testimages import CameraExif, camera_jpeg
from tests.ui.harness import DESKTOP, JAKARTA, PHONE, WAIT_MS, Ui

from .harness import Trio

SYNC_TIMEOUT_S = 60
PULL_TRY_S = 15  # one tap's wait in `pull_until` before tapping again
WAIT_S = 45  # a loaded 2-core machine runs three apps, a server and Chromium


def sync(ui: Ui) -> None:
    """Tap "Sinkronkan" and wait until nothing waits to be sent."""
    ui.click("sync-now")
    ui.wait_until(
        lambda: "Semua data terkirim" in ui.text_of("sync-waiting"), timeout_s=SYNC_TIMEOUT_S
    )


def pull_until(ui: Ui, shown: Callable[[], bool]) -> None:
    """Tap "Sinkronkan" until the screen shows what another device did (`shown`).

    One tap is not enough on a loaded machine: a tap can be lost, and "all sent" is
    true before the tap for a device with nothing to send, so tap again until the
    pulled change is on the screen.
    """
    deadline = time.monotonic() + SYNC_TIMEOUT_S
    while time.monotonic() < deadline:
        ui.click("sync-now")
        if ui.poll(shown, timeout_s=PULL_TRY_S):
            return
    ui.click("sync-now")
    ui.wait_until(shown, timeout_s=PULL_TRY_S)  # the last try: its failure says what showed


def sync_until(
    ui: Ui, trio: Trio, role: str, tid: str, check: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Tap "Sinkronkan" until the server's report passes `check`; returns the report.

    (The status bar may say "all sent" a moment before the action just taken is
    counted, so the server's own answer is what this waits for.)
    """
    deadline = time.monotonic() + SYNC_TIMEOUT_S
    while True:
        ui.click("sync-now")
        report = trio.server_report(tid)
        if check(report):
            return report
        attention = trio.device(role).attention()
        assert not attention, [a.message("en") for a in attention]
        device = trio.device(role)
        assert time.monotonic() < deadline, (
            f"the server still shows {report['status']}; device: {device.progress}, "
            f"unsent: {device.unsent_work().mutations}"
        )
        time.sleep(0.5)


def done_count(ui: Ui) -> int:
    """'Selesai N' from the status chart's legend on the dashboard."""
    match = re.search(r"Selesai (\d+)", ui.text_of("chart-status"))
    assert match, ui.text_of("chart-status")
    return int(match.group(1))


def team_done(ui: Ui, officer_name: str) -> int:
    """The officer's "Selesai" cell in the team table."""
    text = ui.text_of("team-table")
    match = re.search(re.escape(officer_name) + r"\s+(\d+)", text)
    assert match, text
    return int(match.group(1))


def add_photo(ui: Ui, kind: str, path: Path) -> None:
    ui.go("detail-add-photo", shows=f"kind-{kind}")  # a tap can be lost under load
    ui.click(f"kind-{kind}")
    ui.pick_photo("capture-gallery", path)
    ui.wait("capture-preview", timeout=WAIT_MS)
    ui.click("capture-save")
    ui.wait("detail-status", timeout=WAIT_MS)
    ui.wait_until(lambda: ui.nodes(f"photo-{kind}-").count() >= 1, timeout_s=WAIT_S)


def complete(ui: Ui, note: str) -> None:
    """Selesaikan: the dialog asks for a note for the validator; submitting confirms."""
    ui.click("action-complete")
    ui.type("form-note", note)
    ui.click("form-submit")


def fresh_photo(folder: Path) -> Path:
    """A picture whose own date is now: taken after the send-back."""
    taken = datetime.now(JAKARTA_TZ).strftime("%Y:%m:%d %H:%M:%S")
    path = folder / "redo.jpg"
    path.write_bytes(camera_jpeg(1600, 1200, meta=CameraExif(taken=taken)))
    return path


def test_dispatch_work_rework_approve_and_the_figures_follow(
    browser: Browser, trio: Trio, photo_files: dict[str, Path], tmp_path: Path
) -> None:
    sup_device = trio.device("supervisor")
    officer = trio.device("officer").account()
    assert officer is not None
    new = figures.dispatch_queue(sup_device.db, now=sup_device.now())
    assert new, "the demo unit has new reports to dispatch"
    tid = new[0].report.tracking_id

    contexts = []
    pages = {}
    for role, viewport in (("supervisor", DESKTOP), ("officer", PHONE), ("validator", DESKTOP)):
        ctx = browser.new_context(viewport=viewport, locale="id-ID")
        ctx.grant_permissions(["geolocation"])
        ctx.set_geolocation(JAKARTA)
        contexts.append(ctx)
        pages[role] = Ui(ctx.new_page(), trio.stack(role))  # type: ignore[arg-type]
    sup, off, val = pages["supervisor"], pages["officer"], pages["validator"]
    try:
        # --- the supervisor: the figures before, then the dispatch ---------------------
        sup.open("/")
        sup.wait("kpi-overdue", timeout=WAIT_MS)
        done_before = done_count(sup)
        sup.go("nav-team", shows="team-table")
        team_before = team_done(sup, officer.user.name)

        sup.go("nav-dispatch", shows=f"check-{tid}")
        sup.click(f"check-{tid}")
        sup.click(f"officer-{officer.user.id}")
        sup.click("dispatch-submit")
        sup.wait_text("1 laporan diproses")
        sup.wait(f"working-{tid}")  # now in hand, on this screen at once
        server = sync_until(sup, trio, "supervisor", tid, lambda r: r["status"] != "baru")
        assert (server["status"], server["assignee_id"]) == ("didisposisikan", officer.user.id)

        # --- the officer: sync, work, complete offline, sync ------------------------------
        off.open("/")
        sync(off)
        off.type("queue-search", tid)  # the queue builds what fits the phone: find it
        off.go(f"queue-row-{tid}", shows="detail-status")
        assert off.nodes("action-dispatch").count() == 0  # never another role's action
        assert off.nodes("action-approve").count() == 0
        off.click("action-accept")
        off.wait_until(lambda: "Diterima" in off.text_of("detail-status"), timeout_s=WAIT_S)
        off.click("action-start")
        off.wait_until(lambda: "Dalam proses" in off.text_of("detail-status"), timeout_s=WAIT_S)
        add_photo(off, "before", photo_files["before"])

        trio.stop_server()
        add_photo(off, "after", photo_files["after"])
        complete(off, "Lubang sudah ditambal")
        off.wait_until(
            lambda: "Menunggu validasi" in off.text_of("detail-status"), timeout_s=WAIT_S
        )
        assert "belum terkirim" in off.text_of("detail-not-sent")
        trio.start_server()
        server = sync_until(off, trio, "officer", tid, lambda r: r["status"] == "menunggu_validasi")
        assert {"before", "after"} <= {p["kind"] for p in server["photos"]}

        # --- the validator: the evidence side by side, send back with a note ------------
        val.open("/")
        pull_until(val, lambda: val.nodes(f"waiting-{tid}").count() == 1)
        val.go(f"waiting-{tid}", shows="review-send-back")
        val.wait_until(lambda: val.nodes("photo-before-").count() == 1, timeout_s=WAIT_S)
        val.wait_until(lambda: val.nodes("photo-after-").count() == 1, timeout_s=WAIT_S)
        # The gallery photos say where and when they were taken: the before photo's own
        # GPS is kilometres away, the after photo's own date is older than the report
        # (so it carries the time of the pick, flagged).
        val.wait("flag-before-too_far")
        val.wait("flag-after-time_before_report")
        val.click("review-send-back")  # no note yet: asked for one, nothing sent
        val.wait_text("Tulis catatan untuk petugas")
        val.wait_focus("review-note")  # the app puts the cursor in the note
        val.page.keyboard.type("Foto sesudah kurang jelas, mohon ulangi.", delay=10)
        val.page.keyboard.press("Escape")
        val.click("review-send-back")
        server = sync_until(
            val, trio, "validator", tid, lambda r: r["status"] != "menunggu_validasi"
        )
        assert (server["status"], server["rework_count"]) == ("dalam_proses", 1)
        notes = [t["note"] for t in server["timeline"] if t["event"] == "send_back"]
        assert notes == ["Foto sesudah kurang jelas, mohon ulangi."]

        # --- the officer reworks and completes again ------------------------------------
        off.back()
        pull_until(off, lambda: off.nodes(f"queue-row-{tid}").count() == 1)
        # "Dikembalikan" on top: the validator's note, who and when; the stage says rework.
        off.go(f"queue-row-{tid}", shows="detail-returned")
        assert "Foto sesudah kurang jelas" in off.text_of("detail-returned")
        assert "Ambil foto sesudah yang baru" in off.text_of("detail-returned")
        assert "Dikerjakan ulang" in off.text_of("detail-status")
        # The rejected photo does not count again: Selesaikan says a new one is needed.
        assert "foto sesudah yang baru" in off.text_of("why-complete")
        add_photo(off, "after", fresh_photo(tmp_path))
        off.wait_until(lambda: off.nodes("photo-after-").count() == 2, timeout_s=WAIT_S)
        off.wait_until(
            lambda: "dapat diselesaikan" in off.text_of("detail-returned"), timeout_s=WAIT_S
        )
        complete(off, "Ditambal ulang, foto baru diambil setelah dikembalikan")
        off.wait_until(
            lambda: "Menunggu validasi" in off.text_of("detail-status"), timeout_s=WAIT_S
        )
        server = sync_until(off, trio, "officer", tid, lambda r: r["status"] == "menunggu_validasi")
        assert server["awaiting_new_after_photo"] is False
        assert [t["note"] for t in server["timeline"] if t["event"] == "complete"][-1] == (
            "Ditambal ulang, foto baru diambil setelah dikembalikan"
        )

        # --- the validator sees the flags, undoes once, then approves --------------------
        val.open("/")
        pull_until(val, lambda: val.nodes(f"waiting-{tid}").count() == 1)
        val.go(f"waiting-{tid}", shows="review-approve")
        val.wait("flag-after-gallery")  # picked from the gallery, beside the photo
        val.wait("flag-after-time_before_report")  # the first after photo is still there
        val.click("nav-back")  # back to the queue, and in again from the list
        val.wait(f"waiting-{tid}", timeout=WAIT_MS)
        assert "tanda merah" in val.text_of(f"waiting-{tid}")
        val.go(f"waiting-{tid}", shows="review-approve")
        val.page.keyboard.press("a")  # a red flag: asked first, nothing held yet
        val.wait("review-confirm")
        val.page.keyboard.press("Enter")
        val.wait("review-held")
        val.click("review-undo")  # changed their mind within the 5 s
        val.wait_text("Dibatalkan")
        val.page.keyboard.press("a")
        val.wait("review-confirm")
        val.click("review-confirm-yes")
        val.wait("review-held")
        sync_until(val, trio, "validator", tid, lambda r: r["status"] == "selesai")
        approvals = [t for t in trio.server_report(tid)["timeline"] if t["event"] == "approve"]
        assert len(approvals) == 1  # the undone one never left the device

        # --- the supervisor's figures follow after their sync ---------------------------
        sup.go("nav-dashboard", shows="kpi-overdue")
        pull_until(sup, lambda: done_count(sup) == done_before + 1)
        sup.go("nav-team", shows="team-table")
        sup.wait_until(
            lambda: team_done(sup, officer.user.name) == team_before + 1, timeout_s=WAIT_S
        )
    finally:
        for ctx in contexts:
            ctx.close()
