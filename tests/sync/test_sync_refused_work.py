"""Refused work, cleaned up honestly: what a refused photo shows, what dismissing it
removes, retrying on a report that went to someone else, and a photo the server took
on a report kept out of scope.

Real devices (SQLite files + the real engine) against the real server over loopback.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

import local_db
from domain import Action, PhotoKind, Refusal, Status
from local_db import ActionRefusedLocally, AttentionKind, LocalPhoto, Stage
from tests.server.kit import OFFICER_A1, OFFICER_A2, SUPERVISOR_A, World
from tests.sync.kit import Device, Devices


class GatewayDown(httpx.BaseTransport):
    """A gateway in front of the server that answers 503 to one photo's upload."""

    def __init__(self, inner: httpx.BaseTransport, sha256: str) -> None:
        self.inner = inner
        self.sha256 = sha256

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(self.sha256):
            return httpx.Response(503, text="Service Unavailable", request=request)
        return self.inner.handle_request(request)


def _started_on_two_devices(devices: Devices, world: World) -> tuple[Device, Device, Device, str]:
    """A report dispatched to officer A1, accepted and started; A1 has a phone and a
    desktop, both synced."""
    sup = devices(SUPERVISOR_A)
    phone = devices(OFFICER_A1, "phone")
    desktop = devices(OFFICER_A1, "desktop")
    sup.ok_sync()
    rid = world.rid("a_new")
    sup.act(rid, Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sup.ok_sync()
    phone.ok_sync()
    phone.act(rid, Action.ACCEPT)
    phone.act(rid, Action.START)
    phone.ok_sync()
    desktop.ok_sync()
    return sup, phone, desktop, rid


def _photos(device: Device, rid: str) -> dict[str, LocalPhoto]:
    detail = local_db.get_report(device.db, rid, now=device.engine.now_server())
    assert detail is not None
    return {p.sha256: p for p in detail.photos}


def test_a_refused_photo_says_so_and_dismissing_it_removes_row_and_file(
    devices: Devices, world: World
) -> None:
    _sup, phone, desktop, rid = _started_on_two_devices(devices, world)
    phone.net.offline = True
    during = phone.photo(rid, PhotoKind.DURING)
    # Meanwhile the same officer finishes the job on the desktop.
    desktop.photo(rid, PhotoKind.AFTER)
    desktop.act(rid, Action.COMPLETE, note="Selesai")
    desktop.ok_sync()
    phone.net.offline = False
    report = phone.ok_sync()
    assert report.rejected == 1
    assert phone.status(rid) == Status.MENUNGGU_VALIDASI.value
    [item] = local_db.attention_items(phone.db)
    assert (item.kind, item.action, item.code) == (
        AttentionKind.REJECTED,
        Action.ADD_PHOTO,
        Refusal.WRONG_STATUS.value,
    )
    # While the item waits for the officer, the photo is shown as refused, not as
    # waiting for an upload that will never make it part of the report.
    shown = _photos(phone, rid)[during.sha256]
    assert shown.refused and not shown.on_server
    assert Path(during.path).exists()  # the evidence is kept until the officer decides

    local_db.dismiss_attention(phone.db, item.id)
    assert during.sha256 not in _photos(phone, rid)
    assert not Path(during.path).exists()
    assert local_db.unsent_work(phone.db).empty
    # Nothing on the phone claims a photo the report does not have.
    phone.ok_sync()
    desktop.ok_sync()
    assert set(_photos(phone, rid)) == set(_photos(desktop, rid))


def test_dismissing_held_work_behind_a_refusal_removes_its_photo_too(
    devices: Devices, world: World
) -> None:
    sup, phone, _desktop, rid = _started_on_two_devices(devices, world)
    phone.act(rid, Action.PROGRESS, percent=40, note="Separuh")
    before = phone.photo(rid, PhotoKind.BEFORE)
    other = phone.photo(rid, PhotoKind.DURING)
    sup.act(rid, Action.REASSIGN, assignee_id=world.uid(OFFICER_A2))
    sup.ok_sync()
    # One mutation per request: the refusal comes back before the photos go.
    phone.engine.settings = type(phone.engine.settings)(push_batch=1)
    phone.ok_sync(upload_photos=False)
    kinds = sorted(i.kind.value for i in local_db.attention_items(phone.db))
    assert kinds == ["depends_on_rejected", "depends_on_rejected", "out_of_scope", "rejected"]
    for item in local_db.attention_items(phone.db):
        local_db.dismiss_attention(phone.db, item.id)
    assert local_db.unsent_work(phone.db).empty
    assert phone.status(rid) is None  # nothing refers to it: it left the device
    assert not Path(before.path).exists() and not Path(other.path).exists()


def test_dismissing_keeps_a_photo_other_work_still_needs(devices: Devices, world: World) -> None:
    _sup, phone, desktop, rid = _started_on_two_devices(devices, world)
    phone.net.offline = True
    during = phone.photo(rid, PhotoKind.DURING)
    desktop.photo(rid, PhotoKind.AFTER)
    desktop.act(rid, Action.COMPLETE, note="Selesai")
    desktop.ok_sync()
    phone.net.offline = False
    phone.ok_sync()
    [item] = local_db.attention_items(phone.db)
    # The same picture on another report of the officer (content-addressed: one file).
    rid2 = world.rid("a_private")
    sup = devices(SUPERVISOR_A)
    sup.ok_sync()
    sup.act(rid2, Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sup.ok_sync()
    phone.ok_sync()
    phone.act(rid2, Action.ACCEPT)
    phone.act(rid2, Action.START)
    actor = local_db.actor(phone.db)
    assert actor is not None
    local_db.add_photo(phone.db, actor, rid2, during, phone.engine.now_server())
    local_db.dismiss_attention(phone.db, item.id)
    assert during.sha256 not in _photos(phone, rid)
    assert during.sha256 in _photos(phone, rid2)
    assert Path(during.path).exists()  # the other report's unsent photo needs it
    phone.ok_sync()
    assert _photos(phone, rid2)[during.sha256].on_server


def test_retry_on_a_report_now_someone_elses_says_so_and_keeps_the_item(
    devices: Devices, world: World
) -> None:
    sup, phone, desktop, rid = _started_on_two_devices(devices, world)
    # The phone's extension request loses the race against the desktop's.
    later = "2026-12-31T00:00:00+00:00"
    desktop.act(rid, Action.REQUEST_EXTENSION, reason="Alat berat", proposed_deadline=later)
    desktop.ok_sync()
    phone.act(rid, Action.REQUEST_EXTENSION, reason="Menunggu pompa", proposed_deadline=later)
    assert phone.ok_sync().rejected == 1
    [item] = local_db.attention_items(phone.db)
    assert item.code == Refusal.EXTENSION_PENDING.value  # resending may help later...
    # ...but the supervisor gives the report to another officer, and it leaves the phone.
    sup.ok_sync()
    sup.act(rid, Action.REASSIGN, assignee_id=world.uid(OFFICER_A2))
    sup.ok_sync()
    phone.ok_sync()
    assert phone.status(rid) is None
    with pytest.raises(ActionRefusedLocally) as refused:
        local_db.retry_attention(phone.db, item.id, phone.engine.now_server())
    assert refused.value.refusal.code is Refusal.NOT_ASSIGNEE
    assert "milik petugas atau unit lain" in refused.value.refusal.message_id
    assert "belongs to another officer" in refused.value.refusal.message_en
    # The item stays, now saying why (so the screen offers discarding, not resending).
    [kept] = local_db.attention_items(phone.db)
    assert kept.id == item.id and kept.code == Refusal.NOT_ASSIGNEE.value
    assert kept.payload["reason"] == "Menunggu pompa"  # nothing of the officer's lost
    assert kept.message_id == refused.value.refusal.message_id


def test_a_photo_the_server_took_on_a_report_kept_out_of_scope_is_shown_as_uploaded(
    devices: Devices, world: World
) -> None:
    sup, phone, _desktop, rid = _started_on_two_devices(devices, world)
    first = phone.photo(rid, PhotoKind.DURING)
    second = phone.photo(rid, PhotoKind.DURING)
    # The gateway answers 503 to the second photo's upload (retried after a backoff), so
    # its action waits; the first photo and its action go; the pull's answer is lost.
    real = phone.net.inner
    phone.net.inner = GatewayDown(real, second.sha256)
    phone.net.lose_when = lambda r: r.url.path == "/v1/sync/pull"
    failed = phone.sync()
    assert failed.error is not None and failed.applied == 1
    phone.net.inner, phone.net.lose_when = real, None
    # The supervisor gives the report away; the phone still has the second photo unsent.
    sup.ok_sync()
    sup.act(rid, Action.REASSIGN, assignee_id=world.uid(OFFICER_A2))
    sup.ok_sync()
    phone.ok_sync(upload_photos=False)
    view = local_db.get_report(phone.db, rid, now=phone.engine.now_server())
    assert view is not None and view.view.stage is Stage.OUT_OF_SCOPE
    photos = _photos(phone, rid)
    assert photos[first.sha256].on_server  # the server has it on the report
    assert not photos[first.sha256].refused
    assert not photos[second.sha256].on_server
