"""The kill-loop's checker judges the file a restarted app would find, nothing more.

A worker SIGKILLed while opening the device (before its first migration committed)
leaves no file, an empty one, or a file without the schema: that is a device with no
work yet, not a broken one. A half-applied first migration would be broken, and is
refused.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from local_db import LocalDb
from tests.support.devicecheck import DeviceFacts, check_device


def test_a_device_killed_before_its_file_existed_holds_nothing(tmp_path: Path) -> None:
    assert check_device(tmp_path / "device.sqlite") == DeviceFacts.nothing()


def test_a_device_killed_before_its_first_migration_committed_holds_nothing(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    assert check_device(empty) == DeviceFacts.nothing()
    journal_only = tmp_path / "wal.sqlite"
    conn = sqlite3.connect(journal_only)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    assert check_device(journal_only) == DeviceFacts.nothing()


def test_a_half_applied_first_migration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "half.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE outbox (id TEXT PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(AssertionError, match="half applied"):
        check_device(path)


def test_a_migrated_device_has_its_id(tmp_path: Path) -> None:
    path = tmp_path / "device.sqlite"
    LocalDb.open(path).close()
    facts = check_device(path)
    assert facts.device_id and not facts.outbox and not facts.unsent
