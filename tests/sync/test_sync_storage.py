"""The storage keeper against the real server: it sweeps after a good sync, and a report
that comes back into scope after its files were removed gets them again, byte-identical."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import local_db
from domain import Action, PhotoKind
from local_db import RetentionPolicy
from officer_app.photos import write_thumbnail
from sync import StorageKeeper
from tests.server.kit import OFFICER_A1, OFFICER_A2, SUPERVISOR_A, World
from tests.sync.kit import Device, Devices


def _until(condition: Callable[[], bool], what: str, deadline_s: float = 20.0) -> None:
    end = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for: {what}"
        time.sleep(0.02)


def _keeper(device: Device) -> StorageKeeper:
    keeper = StorageKeeper(
        device.db,
        device.photo_dir,
        RetentionPolicy(orphan_grace_s=0),
        device.engine.now_server,
        make_thumb=write_thumbnail,
    )
    device.engine.add_listener(keeper.on_progress)
    keeper.start()
    return keeper


def test_a_report_back_in_scope_gets_its_removed_photos_again_byte_identical(
    devices: Devices, world: World, tmp_path: Path
) -> None:
    sup = devices(SUPERVISOR_A)
    a1 = devices(OFFICER_A1, "a1", photo_dir=tmp_path / "a1-photos")
    rid = world.rid("a_public")
    sup.ok_sync()
    sup.act(rid, Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sup.ok_sync()
    a1.ok_sync()
    a1.act(rid, Action.ACCEPT)
    a1.act(rid, Action.START)
    taken = a1.photo(rid, PhotoKind.BEFORE).sha256
    reporter = world.reporter_photos["a_public"]
    a1.engine.fetch_photo(reporter)
    a1.ok_sync()
    originals = {sha: (a1.photo_dir / f"{sha}.jpg").read_bytes() for sha in (taken, reporter)}
    keeper = _keeper(a1)
    try:
        # Still in scope and fresh: a good sync sweeps, and nothing of it goes.
        swept = keeper.sweeps
        a1.ok_sync()
        _until(lambda: keeper.sweeps > swept, "a sweep after the sync")
        assert all((a1.photo_dir / f"{sha}.jpg").is_file() for sha in originals)

        # Reassigned to a colleague: the report leaves with its files.
        sup.act(rid, Action.REASSIGN, assignee_id=world.uid(OFFICER_A2))
        sup.ok_sync()
        a1.ok_sync()
        assert local_db.get_report(a1.db, rid, now=a1.engine.now_server()) is None
        _until(
            lambda: not any((a1.photo_dir / f"{sha}.jpg").exists() for sha in originals),
            "the files of the report that left",
        )
        assert not any(a1.photo_dir.glob("*.jpg"))

        # Back to this officer: the record returns, the photos come on demand, same bytes.
        sup.act(rid, Action.REASSIGN, assignee_id=world.uid(OFFICER_A1))
        sup.ok_sync()
        a1.ok_sync()
        detail = local_db.get_report(a1.db, rid, now=a1.engine.now_server())
        assert detail is not None and {p.sha256 for p in detail.photos} >= set(originals)
        for sha, data in originals.items():
            path = a1.engine.fetch_photo(sha)
            assert path.read_bytes() == data
            assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    finally:
        keeper.stop()


def test_a_failed_sync_does_not_sweep(devices: Devices, world: World, tmp_path: Path) -> None:
    a1 = devices(OFFICER_A1, "a1", photo_dir=tmp_path / "a1-photos")
    a1.ok_sync()
    keeper = _keeper(a1)
    try:
        a1.net.offline = True
        assert a1.sync().error is not None
        a1.net.offline = False
        a1.ok_sync()
        _until(lambda: keeper.sweeps == 1, "the sweep of the good sync")
        assert keeper.last is not None
    finally:
        keeper.stop()
    assert keeper.sweeps == 1
