"""First and incremental syncs against the real server."""

from __future__ import annotations

from pathlib import Path

import httpx

import local_db
from domain import Action, Status
from local_db import Stage
from sync import Offline, Phase, SessionStatus, SyncProgress
from tests.server.kit import (
    OFFICER_A1,
    OFFICER_B1,
    PUBLIC_REPORTER,
    REPORTER,
    SUPERVISOR_A,
    RunningServer,
    World,
)
from tests.sync.kit import Devices, new_report


def _ids(device: object) -> set[str]:
    d = device
    return {i.report.id for i in local_db.queue(d.db, now=d.engine.now_server(), limit=500)}  # type: ignore[attr-defined]


def test_first_sync_brings_the_scope_and_nothing_private(
    devices: Devices, world: World, tmp_path: Path
) -> None:
    sup = devices(SUPERVISOR_A)
    seen: list[SyncProgress] = []
    sup.engine.add_listener(seen.append)
    report = sup.ok_sync()
    assert report.pulled_upserts == 3
    assert _ids(sup) == {world.rid("a_private"), world.rid("a_public"), world.rid("a_new")}
    # Colleagues for dispatching: the unit's officers.
    names = {u.username for u in local_db.colleagues(sup.db)}
    assert {"petugas.a1", "petugas.a2"} <= names and "petugas.b1" not in names
    # The reporter's identity never reaches the device, and the private report's
    # reporter photo neither (the public one's does).
    raw = b"".join(p.read_bytes() for p in tmp_path.glob(f"{sup.name}.sqlite*"))
    for secret in (*REPORTER, *PUBLIC_REPORTER):
        assert secret.encode() not in raw
    private = local_db.get_report(sup.db, world.rid("a_private"), now=sup.engine.now_server())
    public = local_db.get_report(sup.db, world.rid("a_public"), now=sup.engine.now_server())
    assert private is not None and public is not None
    assert [p.kind.value for p in private.photos] == []
    assert [p.kind.value for p in public.photos] == ["reporter"]
    assert private.timeline and private.timeline[0].entry.event == "received"
    # The progress went through the pull phase and ended idle and online.
    assert Phase.PULLING in {p.phase for p in seen}
    assert seen[-1].phase is Phase.IDLE and not seen[-1].running
    assert seen[-1].online is True and seen[-1].session is SessionStatus.ACTIVE
    assert local_db.sync_state(sup.db).last_success_at is not None


def test_an_officer_sees_the_open_queue_only_where_the_unit_allows_it(
    devices: Devices, world: World
) -> None:
    a1 = devices(OFFICER_A1)
    b1 = devices(OFFICER_B1)
    a1.ok_sync()
    b1.ok_sync()
    assert _ids(a1) == set()
    assert _ids(b1) == {world.rid("b_new"), world.rid("b_new2")}


def test_incremental_sync_brings_only_what_changed(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    sup = devices(SUPERVISOR_A)
    a1 = devices(OFFICER_A1)
    sup.ok_sync()
    a1.ok_sync()
    # Nothing new: one request, nothing applied.
    before = len(sup.net.paths)
    quiet = sup.ok_sync()
    assert (quiet.pulled_upserts, quiet.requests) == (0, 1)
    assert sup.net.paths[before:] == [("GET", "/v1/sync/pull")]
    # The supervisor dispatches on the device; the officer's next sync brings it.
    rid = world.rid("a_new")
    sup.act(rid, Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    assert sup.status(rid) == Status.DIDISPOSISIKAN.value
    pushed = sup.ok_sync()
    assert (pushed.pushed, pushed.applied) == (1, 1)
    got = a1.ok_sync()
    assert got.pulled_upserts == 1
    assert _ids(a1) == {rid}
    detail = local_db.get_report(a1.db, rid, now=a1.engine.now_server())
    assert detail is not None and detail.view.stage is Stage.TO_ACT
    assert detail.view.assignee_name == "Andi Petugas"
    # A new report at the unit reaches the supervisor, alone.
    fresh = new_report(sqlite_server, world)
    step = sup.ok_sync()
    assert step.pulled_upserts == 1
    assert fresh in _ids(sup)


def test_a_first_sync_cut_mid_way_resumes_from_the_last_applied_page(
    devices: Devices, world: World
) -> None:
    sup = devices(SUPERVISOR_A, pull_limit=1)
    cursors: list[str | None] = []
    cut_at = 3

    def cut(request: httpx.Request) -> bool:
        if not request.url.path.endswith("/sync/pull"):
            return False
        cursors.append(request.url.params.get("cursor"))
        return len(cursors) == cut_at

    sup.net.fail_when = cut
    assert isinstance(sup.sync().error, Offline)
    applied_cursor = local_db.sync_state(sup.db).cursor
    assert applied_cursor is not None  # the pages before the cut are kept, with their cursor
    assert 1 <= len(_ids(sup)) < 3
    cut_at = 0  # no more cuts
    cursors.clear()
    sup.ok_sync()
    assert cursors[0] == applied_cursor  # resumed, not restarted
    assert _ids(sup) == {world.rid("a_private"), world.rid("a_public"), world.rid("a_new")}
