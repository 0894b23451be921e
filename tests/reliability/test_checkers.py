"""The verdicts can fail: each check catches the damage it exists for.

The scenarios end with "nothing lost, nothing doubled, converged". That is worth
something only if the checks would say otherwise when it is not so: here the device
file or the server's database is damaged by hand, and each check must object.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from domain import Action
from server.db import write_tx
from server.schema import mutations, timeline
from tests.support.device import Device
from tests.support.devicecheck import check_device
from tests.support.verify import verify_after_faults
from tests.support.world import World


@pytest.fixture
def worked(device: Device, rnd: random.Random) -> Iterator[Device]:
    """A device with unsent work, a photo among it."""
    assert device.act(rnd, only=Action.ADD_PHOTO) is not None
    for _ in range(4):
        device.act(rnd)
    yield device


def tamper(path: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(sql, args)
        conn.commit()
    finally:
        conn.close()


def test_a_clean_device_passes(worked: Device) -> None:
    facts = check_device(worked.path)
    assert facts.unsent and facts.device_photos


def test_an_outbox_entry_without_its_local_change_is_caught(worked: Device) -> None:
    victim = worked.created[-1]
    tamper(worked.path, "DELETE FROM timeline WHERE mutation_id = ?", victim)
    with pytest.raises(AssertionError, match="local timeline entries"):
        check_device(worked.path)


def test_a_local_change_without_its_outbox_entry_is_caught(worked: Device) -> None:
    conn = sqlite3.connect(worked.path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")  # as a buggy writer might leave it
        conn.execute("DELETE FROM outbox WHERE id = ?", (worked.created[-1],))
        conn.commit()
    finally:
        conn.close()
    with pytest.raises(AssertionError, match="foreign_key_check"):
        check_device(worked.path)


def test_a_wrong_pending_marker_is_caught(worked: Device) -> None:
    tamper(worked.path, "UPDATE reports SET pending = 0")
    with pytest.raises(AssertionError, match="pending="):
        check_device(worked.path)


def test_a_missing_or_changed_photo_file_is_caught(worked: Device) -> None:
    path = next(iter(check_device(worked.path).device_photos.values()))
    Path(path).write_bytes(b"not the photo")
    with pytest.raises(AssertionError, match="does not hash"):
        check_device(worked.path)
    Path(path).unlink()
    with pytest.raises(AssertionError, match="missing"):
        check_device(worked.path)


def test_a_double_application_on_the_server_is_caught(world: World, worked: Device) -> None:
    assert world.server.engine is not None
    worked.sync_clean()
    with write_tx(world.server.engine) as conn:
        row = conn.execute(
            timeline.select().where(timeline.c.actor_id == world.officer.id).limit(1)
        ).one()
        values = dict(row._mapping)
        values.pop("id")
        conn.execute(timeline.insert().values(**values))  # the same action written twice
    with pytest.raises(AssertionError, match="applied mutations, timeline entries"):
        verify_after_faults(world, worked)


def test_a_lost_mutation_is_caught(world: World, worked: Device) -> None:
    assert world.server.engine is not None
    worked.sync_clean()
    with write_tx(world.server.engine) as conn:
        conn.execute(delete(mutations).where(mutations.c.id == worked.created[0]))
    with pytest.raises(AssertionError, match="LOST"):
        verify_after_faults(world, worked)


def test_a_device_that_shows_something_else_is_caught(world: World, worked: Device) -> None:
    worked.sync_clean()
    tamper(worked.path, "UPDATE reports SET progress_pct = 77 WHERE rid = 1")
    with pytest.raises(AssertionError, match="disagree"):
        verify_after_faults(world, worked)


def test_a_photo_missing_on_the_server_is_caught(world: World, worked: Device) -> None:
    worked.sync_clean()
    sha = next(iter(check_device(worked.path).device_photos))
    stored = world.settings.photo_dir / sha[:2] / sha
    stored.write_bytes(stored.read_bytes()[:-10])
    with pytest.raises(AssertionError, match="corrupt"):
        verify_after_faults(world, worked)
