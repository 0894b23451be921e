"""Fixtures of the device-database tests: a real SQLite file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import local_db
from domain import Actor
from local_db import LocalDb
from tests.local_db.factory import NOW, OFFICER


@pytest.fixture
def db(tmp_path: Path) -> Iterator[LocalDb]:
    handle = LocalDb.open(tmp_path / "device.sqlite")
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def officer_db(db: LocalDb) -> LocalDb:
    """A database with the officer signed in."""
    local_db.sign_in(db, OFFICER, "http://server.test", NOW)
    return db


@pytest.fixture
def officer() -> Actor:
    return Actor(OFFICER.id, OFFICER.role, OFFICER.unit_id)
