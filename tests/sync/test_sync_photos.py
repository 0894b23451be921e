"""Photos: upload then complete, resume after a cut, the validator's rework decision."""

from __future__ import annotations

import httpx

import local_db
from domain import Action, PhotoKind, Status
from domain.protocol import PHOTO_CHUNK
from local_db import Stage, UploadState
from sync import Offline
from tests.server.kit import OFFICER_A1, SUPERVISOR_A, VALIDATOR, RunningServer, World
from tests.sync.kit import Device, Devices


def _working(devices: Devices, world: World) -> tuple[Device, str]:
    sup = devices(SUPERVISOR_A)
    a1 = devices(OFFICER_A1)
    sup.ok_sync()
    rid = world.rid("a_public")
    sup.act(rid, Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sup.ok_sync()
    a1.ok_sync()
    a1.act(rid, Action.ACCEPT)
    a1.act(rid, Action.START)
    return a1, rid


def _server_holds(server: RunningServer, device: Device, sha: str) -> bool:
    token = device.tokens.get(device.engine.transport.base_url, OFFICER_A1)
    assert token is not None
    resp = httpx.get(
        f"{server.base_url}/v1/photos/{sha}",
        headers={"Authorization": f"Bearer {token.access_token}"},
    )
    return bool(resp.status_code == 200 and resp.json()["complete"])


def test_photos_upload_before_the_actions_that_need_them(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    a1, rid = _working(devices, world)
    before = a1.photo(rid, PhotoKind.BEFORE)
    after = a1.photo(rid, PhotoKind.AFTER)
    a1.act(rid, Action.COMPLETE, note="Lubang sudah ditambal")
    # Photos off this run: the actions that need them wait; the others go.
    first = a1.ok_sync(upload_photos=False)
    assert (first.pushed, first.applied) == (2, 2)  # accept, start
    assert first.skipped_phases == ("photos",)
    assert a1.status(rid) == Status.MENUNGGU_VALIDASI.value  # still shown as done locally
    assert local_db.pending_counts(a1.db).held == 3
    second = a1.ok_sync()
    assert second.photos_uploaded == 2
    assert second.photo_bytes == before.size_bytes + after.size_bytes
    assert (second.pushed, second.applied, second.rejected) == (3, 3, 0)
    for p in (before, after):
        assert _server_holds(sqlite_server, a1, p.sha256)
    detail = local_db.get_report(a1.db, rid, now=a1.engine.now_server())
    assert detail is not None
    assert detail.report.status is Status.MENUNGGU_VALIDASI and detail.view.pending == 0
    mine = {p.sha256: p for p in detail.photos if p.from_device}
    assert set(mine) == {before.sha256, after.sha256}
    assert all(p.on_server and p.upload_state is UploadState.DONE for p in mine.values())
    assert local_db.pending_counts(a1.db) == local_db.PendingCounts(0, 0, 0, 0, 0, 0)


def test_an_upload_cut_mid_way_resumes_where_the_server_is(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    a1, rid = _working(devices, world)
    big = a1.photo(rid, PhotoKind.BEFORE, size=(1200, 900))
    assert big.size_bytes > 2 * PHOTO_CHUNK
    puts: list[int] = []

    def cut_second_put(request: httpx.Request) -> bool:
        if request.method != "PUT":
            return False
        puts.append(int(request.url.params["offset"]))
        return len(puts) == 2

    a1.net.fail_when = cut_second_put
    cut = a1.sync()
    assert isinstance(cut.error, Offline)
    (row,) = [p for p in local_db.unsent_work(a1.db).photos]
    assert row.upload_state is UploadState.UPLOADING
    assert row.bytes_confirmed == PHOTO_CHUNK  # only what the server confirmed
    a1.net.fail_when = None
    puts.clear()
    a1.net.fail_when = lambda r: bool(
        r.method == "PUT" and puts.append(int(r.url.params["offset"]))
    )
    done = a1.ok_sync()
    assert puts[0] == PHOTO_CHUNK  # resumed, not restarted
    assert done.photo_bytes == big.size_bytes - PHOTO_CHUNK
    assert _server_holds(sqlite_server, a1, big.sha256)
    assert local_db.unsent_work(a1.db).empty


def test_the_validators_rework_decision_reaches_the_officer(devices: Devices, world: World) -> None:
    a1, rid = _working(devices, world)
    a1.photo(rid, PhotoKind.AFTER)
    a1.act(rid, Action.COMPLETE, note="Selesai")
    a1.ok_sync()
    val = devices(VALIDATOR)
    val.ok_sync()
    assert val.status(rid) == Status.MENUNGGU_VALIDASI.value
    val.act(rid, Action.SEND_BACK, note="Foto sesudah kurang jelas, ulangi dari dekat")
    val.ok_sync()
    assert val.status(rid) is None  # no longer waiting: out of the validator's scope
    a1.ok_sync()
    detail = local_db.get_report(a1.db, rid, now=a1.engine.now_server())
    assert detail is not None
    assert detail.report.status is Status.DALAM_PROSES
    assert detail.view.stage is Stage.REWORK and detail.report.rework_count == 1
    last = detail.timeline[-1].entry
    assert last.event == "send_back" and last.note.startswith("Foto sesudah kurang jelas")
    rework = local_db.queue(a1.db, now=a1.engine.now_server(), stage=Stage.REWORK)
    assert [i.report.id for i in rework] == [rid]
