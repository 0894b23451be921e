"""Fixtures of the sync scenarios: the real server (SQLite) and device factories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.kit import RunningServer, World, seed_world
from tests.sync.kit import Devices


@pytest.fixture
def world(sqlite_server: RunningServer) -> World:
    return seed_world(sqlite_server.engine, sqlite_server.settings, sqlite_server.clock())


@pytest.fixture
def devices(sqlite_server: RunningServer, tmp_path: Path) -> Iterator[Devices]:
    made = Devices(sqlite_server, tmp_path)
    try:
        yield made
    finally:
        made.close()
