"""Perlu perhatian and Pengaturan in a real browser.

A supervisor reassigns a report on the server while the officer's device still shows it
as theirs; the officer accepts it, the server refuses, and the refusal appears in Perlu
perhatian with the server's reason, to be discarded only after confirming. Then the
language switches to English at runtime.
"""

from __future__ import annotations

import os
import time

import pytest

import local_db
from domain import Refusal, explain
from tests.ui.harness import WAIT_MS

from .harness import Stack, Ui
from .test_ui_sign_in_queue import server_to_act_order

pytestmark = pytest.mark.browser


def test_refused_action_lands_in_attention_with_the_servers_reason(ui: Ui, stack: Stack) -> None:
    ui.sign_in("petugas.demo")
    tracking_id = server_to_act_order(stack, "petugas.demo", {"didisposisikan"})[0]
    ui.wait(f"queue-row-{tracking_id}", timeout=WAIT_MS)

    supervisor = stack.api("supervisor.demo")
    try:
        changes, _ = supervisor.pull_all()
        report = next(
            c["data"]
            for c in changes
            if c["entity"] == "report" and c["data"] and c["data"]["tracking_id"] == tracking_id
        )
        officer = next(
            c["data"]
            for c in changes
            if c["entity"] == "user"
            and c["data"]
            and c["data"]["role"] == "officer"
            and c["data"]["id"] != report["assignee_id"]
        )
        result = supervisor.act("reassign", report["id"], assignee_id=officer["id"])
        assert result["outcome"] == "applied", result
    finally:
        supervisor.close()

    # The device has not heard of it yet: accepting is allowed locally...
    ui.go(f"queue-row-{tracking_id}", shows="action-accept")
    ui.click("action-accept")
    # ...and refused by the server on the next sync.
    ui.back()
    ui.tab("Perlu perhatian", shows="attention-")
    card = ui.wait(f"attention-{tracking_id}", timeout=WAIT_MS)  # a sync round trip
    items = local_db.attention_items(stack.device.db)
    assert [i.tracking_id for i in items] == [tracking_id]
    # The server's own refusal (the report left the officer's scope), in Indonesian.
    assert items[0].code in {Refusal.UNKNOWN_REPORT, Refusal.NOT_ASSIGNEE}
    assert explain(Refusal(items[0].code)).message_id in card.inner_text()

    discard = ui.nodes("attention-discard-").first
    discard.click()
    assert "tidak dikirim" in ui.text_of("confirm-discard-message")
    ui.click("confirm-discard-ok")
    ui.wait("attention-empty", timeout=WAIT_MS)


def test_language_switches_to_english_at_runtime(ui: Ui, stack: Stack) -> None:
    ui.sign_in("petugas.demo")
    ui.wait("stage-to_act", timeout=WAIT_MS)
    assert "Perlu tindakan" in ui.text_of("stage-to_act")
    ui.tab("Pengaturan", shows="settings-language")
    ui.page.get_by_role("button", name="English").first.click()
    ui.wait_until(lambda: "Language" in ui.texts(), timeout_s=30)
    ui.tab("Queue", shows="stage-to_act")
    ui.wait_until(lambda: "To act on" in ui.text_of("stage-to_act"), timeout_s=30)
    assert stack.device.prefs.language == "en"  # kept on the device


def test_penyimpanan_shows_the_space_used_and_cleans_up_now(ui: Ui, stack: Stack) -> None:
    ui.sign_in("petugas.demo")
    ui.wait("stage-to_act", timeout=WAIT_MS)
    # A photo file a killed write left long ago: nothing refers to it.
    leftover = stack.device.photo_dir / f"{'ef' * 32}.jpg"
    leftover.write_bytes(b"\xff" * 300_000)
    os.utime(leftover, (time.time() - 86_400,) * 2)
    ui.tab("Pengaturan", shows="settings-storage")
    ui.click("settings-storage")
    ui.wait("storage-total", timeout=WAIT_MS)
    assert "Laporan (" in ui.text_of("storage-reports")
    assert "MB" in ui.text_of("storage-total") or "KB" in ui.text_of("storage-total")
    assert "terkirim" in ui.text_of("storage-waiting")
    # The background sweep after a sync may get to the leftover first: either way the
    # button runs a sweep of its own and says what it did.
    sweeps = stack.device.keeper.sweeps
    ui.click("storage-clean")
    ui.wait("storage-result", timeout=WAIT_MS)
    assert stack.device.keeper.sweeps > sweeps
    said = ui.text_of("storage-result")
    assert "Dibersihkan: 0 laporan, 1 berkas foto" in said or "Tidak ada yang perlu" in said
    assert not leftover.exists()
