"""Work done with no server, reassignment while offline, two devices on one report."""

from __future__ import annotations

import local_db
from domain import Action, PhotoKind, Refusal, Status
from local_db import AttentionKind, OutboxState, Stage
from sync import Offline
from tests.server.kit import OFFICER_A1, OFFICER_A2, SUPERVISOR_A, RunningServer, World
from tests.sync.kit import Device, Devices, stopped


def _dispatched(devices: Devices, world: World, label: str = "a_new") -> tuple[Device, Device, str]:
    sup = devices(SUPERVISOR_A)
    a1 = devices(OFFICER_A1)
    sup.ok_sync()
    rid = world.rid(label)
    sup.act(rid, Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sup.ok_sync()
    a1.ok_sync()
    return sup, a1, rid


def test_offline_work_is_kept_and_sent_when_the_server_is_back(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    sup, a1, rid = _dispatched(devices, world)
    with stopped(sqlite_server):
        a1.act(rid, Action.ACCEPT)
        a1.act(rid, Action.START)
        a1.act(rid, Action.PROGRESS, percent=50, note="Separuh lubang sudah ditambal")
        failed = a1.sync()
        assert isinstance(failed.error, Offline)
        assert a1.engine.progress.online is False
        assert a1.engine.progress.last_error is not None
        assert a1.engine.progress.last_error.message_id.startswith("Tidak ada koneksi")
        # The screen shows the work, marked not sent.
        detail = local_db.get_report(a1.db, rid, now=a1.engine.now_server())
        assert detail is not None
        assert detail.report.status is Status.DALAM_PROSES and detail.report.progress_pct == 50
        assert detail.view.pending == 3
        assert a1.engine.progress.pending_mutations == 3
    back = a1.ok_sync()
    assert (back.pushed, back.applied, back.rejected) == (3, 3, 0)
    assert a1.engine.progress.online is True and a1.engine.progress.pending_mutations == 0
    detail = local_db.get_report(a1.db, rid, now=a1.engine.now_server())
    assert detail is not None
    assert detail.view.pending == 0 and all(t.sent for t in detail.timeline)
    assert detail.outbox == ()
    # The supervisor sees the officer's progress and note.
    sup.ok_sync()
    seen = local_db.get_report(sup.db, rid, now=sup.engine.now_server())
    assert seen is not None and seen.report.progress_pct == 50
    assert any(t.entry.note == "Separuh lubang sudah ditambal" for t in seen.timeline)


def test_reassigned_away_while_offline(devices: Devices, world: World) -> None:
    sup, a1, rid = _dispatched(devices, world)
    # The officer had a second report too, on which they will have unsent work.
    rid2 = world.rid("a_private")
    sup.act(rid2, Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sup.ok_sync()
    a1.ok_sync()
    a1.net.offline = True
    a1.act(rid, Action.ACCEPT)  # will be refused: the report moved on
    a1.photo(rid2, PhotoKind.BEFORE)  # unsent evidence on the second report
    # Meanwhile the supervisor gives both reports to another officer.
    sup.act(rid, Action.REASSIGN, assignee_id=world.uid(OFFICER_A2))
    sup.act(rid2, Action.REASSIGN, assignee_id=world.uid(OFFICER_A2))
    sup.ok_sync()
    assert isinstance(a1.sync().error, Offline)
    a1.net.offline = False
    report = a1.ok_sync(upload_photos=False)  # e.g. Wi-Fi only, on mobile data
    assert report.rejected == 1
    # The first report left the device; the refused action is in needs-attention.
    assert a1.status(rid) is None
    items = local_db.attention_items(a1.db)
    refused = [i for i in items if i.kind is AttentionKind.REJECTED]
    assert [(i.report_id, i.action, i.code) for i in refused] == [
        (rid, Action.ACCEPT, Refusal.UNKNOWN_REPORT.value)  # no longer in scope
    ]
    # The second stays (its photo is not sent), out of scope, listed in needs-attention.
    kept = local_db.get_report(a1.db, rid2, now=a1.engine.now_server())
    assert kept is not None and kept.view.stage is Stage.OUT_OF_SCOPE
    assert any(i.kind is AttentionKind.OUT_OF_SCOPE and i.report_id == rid2 for i in items)
    assert rid2 not in {i.report.id for i in local_db.queue(a1.db, now=a1.engine.now_server())}
    unsent = local_db.unsent_work(a1.db)
    assert len(unsent.photos) == 1 and unsent.mutations[0].state is OutboxState.HELD


def test_two_devices_of_one_officer_the_loser_keeps_its_work(
    devices: Devices, world: World
) -> None:
    _sup, phone, rid = _dispatched(devices, world)
    tablet = devices(OFFICER_A1, "tablet")
    tablet.ok_sync()
    phone.act(rid, Action.ACCEPT)
    phone.ok_sync()
    tablet.ok_sync()
    phone.act(rid, Action.START)
    phone.ok_sync()
    tablet.ok_sync()
    # Both offline now: the phone completes, the tablet (same state) records progress.
    phone.photo(rid, PhotoKind.AFTER)
    phone.act(rid, Action.COMPLETE, note="Selesai ditambal")
    tablet.act(rid, Action.PROGRESS, percent=80, note="Tinggal merapikan")
    tablet.act(
        rid,
        Action.REQUEST_EXTENSION,
        reason="Menunggu aspal",
        proposed_deadline="2026-12-31T00:00:00+00:00",
    )
    phone.ok_sync()
    lost = tablet.ok_sync()
    # Both went in one batch, so each carries the server's own answer: too late.
    assert lost.rejected == 2
    assert tablet.status(rid) == Status.MENUNGGU_VALIDASI.value  # the server wins
    items = local_db.attention_items(tablet.db)
    assert [(i.kind, i.code) for i in items] == [
        (AttentionKind.REJECTED, Refusal.WRONG_STATUS.value),
        (AttentionKind.REJECTED, Refusal.WRONG_STATUS.value),
    ]
    assert items[0].payload == {"percent": 80, "note": "Tinggal merapikan"}  # nothing lost
    assert items[1].payload["reason"] == "Menunggu aspal"
    assert "Menunggu validasi" in items[0].message_id
    assert local_db.unsent_work(tablet.db).mutations == ()


def test_work_queued_behind_a_refusal_is_held_not_sent(devices: Devices, world: World) -> None:
    sup, a1, rid = _dispatched(devices, world)
    a1.act(rid, Action.ACCEPT)
    a1.act(rid, Action.START)
    sup.act(rid, Action.REASSIGN, assignee_id=world.uid(OFFICER_A2))
    sup.ok_sync()
    # A poor network: one mutation per request, so the refusal arrives before START goes.
    a1.engine.settings = type(a1.engine.settings)(push_batch=1)
    report = a1.ok_sync()
    assert (report.pushed, report.rejected) == (1, 1)
    items = local_db.attention_items(a1.db)
    assert [(i.kind, i.action) for i in items] == [
        (AttentionKind.REJECTED, Action.ACCEPT),
        (AttentionKind.DEPENDS_ON_REJECTED, Action.START),
        # The report left the officer's scope while START was still unsent.
        (AttentionKind.OUT_OF_SCOPE, None),
    ]
    assert "ditolak" in items[1].message_id
    # Held work is listed as unsent (a wipe would lose it) until the officer decides.
    (held,) = local_db.unsent_work(a1.db).mutations
    assert held.state is OutboxState.HELD and held.action is Action.START
    for item in items:
        local_db.dismiss_attention(a1.db, item.id)
    assert local_db.unsent_work(a1.db).empty
    assert a1.status(rid) is None  # nothing refers to it any more: it leaves the device
