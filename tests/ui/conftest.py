"""Fixtures of the browser tests: see harness.py for what is real and how it is driven.

The Playwright browser is module-scoped (a session-scoped sync Playwright fixture
breaks asyncio-based tests collected after it); each test gets a fresh server, device,
web app and browser context.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.support.browser_fixtures import browser, photo_files, render_errors

from .harness import JAKARTA, PHONE, RenderErrors, Stack, Ui

__all__ = ["browser", "photo_files", "render_errors"]  # shared fixtures, used by the tests


@pytest.fixture
def stack(tmp_path: Path, render_errors: RenderErrors) -> Iterator[Stack]:
    s = Stack.start(tmp_path)
    try:
        yield s
    finally:
        s.close()
    # The app asked for nothing outside the machine (fonts, renderer: all bundled);
    # only the optional Rive runtime's CDN probe is tolerated, and it was refused.
    outside = [u for u in s.blocked if "rive" not in u]
    assert not outside, f"the app tried to reach the internet: {outside}"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport=PHONE, locale="id-ID")
    ctx.grant_permissions(["geolocation"])
    ctx.set_geolocation(JAKARTA)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def ui(request: pytest.FixtureRequest, context: BrowserContext, stack: Stack) -> Iterator[Ui]:
    page = Ui(context.new_page(), stack).open()
    yield page
    if request.node.stash.get(FAILED, False) and not page.watch.reported:
        # A failure outside the harness's own steps (which report as they fail): keep
        # what the page showed, or where it was stuck, for the failure report.
        print(page.watch.report(stack.tmp / "failure.png"))
