"""Fixtures of the roles' browser tests (see harness.py): one Chromium for the module,
a fresh server with three signed-in devices per test, render errors fail the test, and
no request may leave the machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from officer_app.photos.testimages import CameraExif, camera_jpeg
from tests.ui.harness import CHROMIUM, CHROMIUM_ARGS, RenderErrors

from .harness import Trio

pytestmark = pytest.mark.browser


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
def trio(tmp_path: Path, render_errors: RenderErrors) -> Iterator[Trio]:
    t = Trio.start(tmp_path)
    try:
        yield t
    finally:
        t.close()
    for role, user in t.users.items():
        outside = [u for u in user.blocked if "rive" not in u and "openstreetmap" not in u]
        assert not outside, f"the {role}'s app tried to reach the internet: {outside}"


@pytest.fixture(scope="module")
def photo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
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
