"""Fixtures shared by the browser test folders (tests/ui, tests/ui_roles).

Imported into each folder's conftest.py. The Playwright browser is module-scoped: a
session-scoped sync Playwright fixture breaks asyncio-based tests collected after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from officer_app.photos.testimages import CameraExif, camera_jpeg
from tests.ui.harness import CHROMIUM, CHROMIUM_ARGS, RenderErrors


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
    """A component that fails to render is silent in Flet: fail the test instead."""
    errors = RenderErrors()
    errors.install()
    try:
        yield errors
    finally:
        errors.uninstall()
    assert not errors.errors, "a component failed to render:\n" + "\n".join(errors.errors)


@pytest.fixture(scope="module")
def photo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Camera-like JPEGs (noise, gradients, a real EXIF block) for the file chooser."""
    folder = tmp_path_factory.mktemp("photos")
    files = {}
    for name, meta in (
        ("before", CameraExif()),
        ("after", CameraExif(latitude=None, longitude=None, taken="2024:05:15 10:00:00")),
    ):
        path = folder / f"{name}.jpg"
        path.write_bytes(camera_jpeg(1600, 1200, meta=meta))
        files[name] = path
    return files
