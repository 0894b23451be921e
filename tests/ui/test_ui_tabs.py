"""`tindak demo` in several browser tabs: each tab is its own device, so the officer
keeps working in one tab while the supervisor signs in in another (README's words)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from officer_app.app import make_main
from officer_app.device import Device
from officer_app.launch import WebApp
from officer_app.profile import Profile
from officer_app.tabs import TabDevices
from sync import MemoryTokenStore
from tests.ui.harness import WAIT_MS

from .harness import DESKTOP, PHONE, Stack, Ui
from .test_ui_sign_in_queue import server_to_act_order

pytestmark = pytest.mark.browser


@pytest.fixture
def tabbed(stack: Stack) -> Iterator[Stack]:
    """The same server and demo device, served the way `tindak demo --web` serves it."""
    profile = Profile().with_server(stack.base_url)
    tabs = TabDevices(
        stack.device,
        stack.tmp / "tabs",
        lambda path: Device(profile, path, MemoryTokenStore()),
    )
    stack.web.stop()  # one web build per process, as in the demo
    web = WebApp(make_main(stack.device, tabs)).start()
    try:
        yield dataclasses.replace(stack, web=web)
    finally:
        tabs.close()
        # Stack.close stops `stack.web` (already stopped) and closes the demo device.
        web.stop()


def test_a_second_tab_is_a_second_device(browser: Browser, tabbed: Stack, tmp_path: Path) -> None:
    officer_ctx = browser.new_context(viewport=PHONE, locale="id-ID")
    supervisor_ctx = browser.new_context(viewport=DESKTOP, locale="id-ID")
    try:
        officer = Ui(officer_ctx.new_page(), tabbed).open()
        officer.sign_in("petugas.demo")
        officer.nodes("queue-row-").first.wait_for(timeout=WAIT_MS)

        # Tab 2 starts at Masuk on a device of its own, and signs in as the supervisor.
        supervisor = Ui(supervisor_ctx.new_page(), tabbed).open()
        supervisor.sign_in("supervisor.demo")
        supervisor.wait("nav-dashboard", timeout=WAIT_MS)
        assert (tabbed.tmp / "tabs" / "tab-1" / "tindak.sqlite").exists()

        # Tab 1 is still the officer's, and its buttons still act.
        first = server_to_act_order(tabbed, "petugas.demo")[0]
        officer.go(f"queue-row-{first}", shows="detail-status")
        if "Diterima" in officer.text_of("detail-status"):  # accepted in the demo data
            officer.click("action-start", timeout=WAIT_MS)
            officer.wait_until(lambda: "Dalam proses" in officer.text_of("detail-status"))
        else:
            officer.click("action-accept", timeout=WAIT_MS)
            officer.wait_until(lambda: "Diterima" in officer.text_of("detail-status"))
        assert tabbed.device.account() is not None
        assert tabbed.device.account().user.username == "petugas.demo"  # type: ignore[union-attr]
    finally:
        officer_ctx.close()
        supervisor_ctx.close()
