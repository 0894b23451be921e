"""Fixtures of the browser tests: see harness.py for what is real and how it is driven.

The Playwright browser is module-scoped (a session-scoped sync Playwright fixture
breaks asyncio-based tests collected after it); each test gets a fresh server, device,
web app and browser context.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from officer_app.photos.testimages import CameraExif, camera_jpeg

from .harness import CHROMIUM, CHROMIUM_ARGS, JAKARTA, PHONE, RenderErrors, Stack, Ui


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (scripts/setup installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def render_errors() -> Iterator[RenderErrors]:
    errors = RenderErrors()
    errors.install()
    try:
        yield errors
    finally:
        errors.uninstall()
    assert not errors.errors, "a component failed to render:\n" + "\n".join(errors.errors)


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
    if request.node.stash.get(FAILED, False):
        # Keep what the screen showed for the failure report.
        shot = stack.tmp / "failure.png"
        page.page.screenshot(path=str(shot))
        print(f"screenshot of the failure: {shot}\n{page.texts()[:2000]}")


@pytest.fixture(scope="module")
def photo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Camera-like JPEGs (noise, gradients, a real EXIF block) for the file chooser."""
    folder = tmp_path_factory.mktemp("photos")
    files = {}
    for name, meta in (
        ("before", CameraExif()),
        ("after", CameraExif(latitude=None, longitude=None, taken="2024:05:15 10:00:00")),
    ):
        data = camera_jpeg(1600, 1200, meta=meta)
        path = folder / f"{name}.jpg"
        path.write_bytes(data)
        files[name] = path
    return files
