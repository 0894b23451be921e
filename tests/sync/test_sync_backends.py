"""The same device round trip against each server backend (SQLite, and PostgreSQL when
TINDAK_TEST_PG_URL is set)."""

from __future__ import annotations

from pathlib import Path

import local_db
from domain import Action, PhotoKind, Status
from tests.server.kit import OFFICER_A1, SUPERVISOR_A, RunningServer, seed_world
from tests.sync.kit import Devices


def test_dispatch_work_and_complete_round_trip(server: RunningServer, tmp_path: Path) -> None:
    world = seed_world(server.engine, server.settings, server.clock())
    devices = Devices(server, tmp_path)
    try:
        sup = devices(SUPERVISOR_A)
        a1 = devices(OFFICER_A1)
        sup.ok_sync()
        rid = world.rid("a_new")
        sup.act(rid, Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
        sup.ok_sync()
        a1.ok_sync()
        a1.act(rid, Action.ACCEPT)
        a1.act(rid, Action.START)
        a1.photo(rid, PhotoKind.AFTER)
        a1.act(rid, Action.COMPLETE, note="Selesai")
        done = a1.ok_sync()
        assert (done.applied, done.rejected, done.photos_uploaded) == (4, 0, 1)
        sup.ok_sync()
        seen = local_db.get_report(sup.db, rid, now=sup.engine.now_server())
        assert seen is not None and seen.report.status is Status.MENUNGGU_VALIDASI
        assert [p.kind for p in seen.photos] == [PhotoKind.AFTER]
    finally:
        devices.close()
