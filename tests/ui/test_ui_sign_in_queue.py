"""Masuk and Antrian in a real browser: wrong password, sign in, SLA order, search."""

from __future__ import annotations

from datetime import datetime

import pytest

from local_db import Stage
from tests.ui.harness import WAIT_MS

from .harness import Stack, Ui

TO_ACT = {"didisposisikan", "diterima"}

pytestmark = pytest.mark.browser


def server_to_act_order(stack: Stack, username: str, statuses: set[str] = TO_ACT) -> list[str]:
    """What the server says the officer must act on, in SLA urgency order.

    `statuses={"didisposisikan"}` keeps the ones still to accept: the demo data is made
    relative to the current time, so the most urgent report may be accepted already.
    """
    client = stack.api(username)
    try:
        changes, _ = client.pull_all()
    finally:
        client.close()
    reports = [
        c["data"]
        for c in changes
        if c["entity"] == "report" and c["op"] == "upsert" and c["data"]["status"] in statuses
    ]
    reports.sort(
        key=lambda r: (
            datetime.fromisoformat(r["deadline"]),
            datetime.fromisoformat(r["received_at"]),
            r["id"],
        )
    )
    return [r["tracking_id"] for r in reports]


def shown_tracking_ids(ui: Ui) -> list[str]:
    idents = ui.nodes("queue-row-").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('flt-semantics-identifier'))"
    )
    return [str(i).removeprefix("queue-row-") for i in idents]


def test_wrong_password_then_sign_in_shows_the_queue_in_sla_order(ui: Ui, stack: Stack) -> None:
    ui.sign_in("petugas.demo", "salah-sekali")
    assert "salah" in ui.text_of("login-error").lower()  # "Nama pengguna atau kata sandi salah."

    ui.type("login-password", "tindak123")
    ui.click("login-submit")
    ui.wait(f"stage-{Stage.TO_ACT.value}", timeout=WAIT_MS)
    expected = server_to_act_order(stack, "petugas.demo")
    assert expected, "the demo officer has reports to act on"
    ui.wait(f"queue-row-{expected[0]}", timeout=WAIT_MS)
    shown = shown_tracking_ids(ui)
    # The rows on screen (the list builds lazily: what fits the phone) are exactly the
    # server's most urgent reports, in order.
    assert len(shown) >= 3
    assert shown == expected[: len(shown)]
    # Overdue ones are marked as such in the row.
    assert "terlambat" in ui.texts()


def test_search_by_tracking_id_prefix_and_words(ui: Ui, stack: Stack) -> None:
    ui.sign_in("petugas.demo")
    expected = server_to_act_order(stack, "petugas.demo")
    target = expected[-1]
    ui.wait(f"queue-row-{expected[0]}", timeout=WAIT_MS)
    ui.type("queue-search", target)
    ui.wait_until(lambda: shown_tracking_ids(ui) == [target])
    ui.type("queue-search", "zzzz-tidak-ada")
    ui.wait("queue-empty")


def test_a_supervisor_gets_the_role_screens_with_the_shared_ones(ui: Ui) -> None:
    ui.sign_in("supervisor.demo")
    ui.wait("nav-dashboard", timeout=WAIT_MS)  # the supervisor's own home, not the queue
    assert ui.node("stage-to_act").count() == 0
    ui.go("nav-attention", shows="attention-empty")
    # The shared screen keeps the supervisor's navigation rail.
    assert ui.node("nav-dashboard").count() == 1
