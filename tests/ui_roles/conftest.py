"""Fixtures of the roles' browser tests (see harness.py): one Chromium for the module,
a fresh server with three signed-in devices per test, render errors fail the test, and
no request may leave the machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser_fixtures import browser, photo_files, render_errors
from tests.ui.harness import RenderErrors

from .harness import Trio

__all__ = ["browser", "photo_files", "render_errors"]  # shared fixtures, used by the tests

pytestmark = pytest.mark.browser


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
