"""Every workflow path through push, with the server's own checks and the timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from server.schema import reports, timeline
from tests.server.kit import (
    COORDINATOR,
    OFFICER_A1,
    OFFICER_A2,
    OFFICER_B1,
    SUPERVISOR_A,
    T0,
    VALIDATOR,
    ApiClient,
    RunningServer,
    World,
    make_jpeg,
    sha256,
    visible_reports,
)

Api = Callable[..., ApiClient]


def snapshot(client: ApiClient, report_id: str) -> dict[str, Any]:
    changes, _ = client.pull_all()
    return visible_reports(changes)[report_id]


def photo_ref(sha: str, kind: str) -> dict[str, Any]:
    return {
        "sha256": sha,
        "kind": kind,
        "latitude": -6.1963,
        "longitude": 106.8326,
        "accuracy_m": 8.5,
        "captured_at": "2026-11-20T00:30:00+00:00",
    }


def applied(result: dict[str, Any]) -> dict[str, Any]:
    assert result["outcome"] == "applied", result
    assert result["code"] is None
    return result


def rejected(result: dict[str, Any], code: str) -> dict[str, Any]:
    assert result["outcome"] == "rejected", result
    assert result["code"] == code
    assert result["message_id"] and result["message_en"]
    return result


def test_full_path_dispatch_to_selesai_with_rework(
    server: RunningServer, world: World, api: Api
) -> None:
    rid = world.rid("a_new")
    sup, officer, validator = api(SUPERVISOR_A), api(OFFICER_A1), api(VALIDATOR)
    assert (
        applied(sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1)))["report_version"] == 1
    )
    applied(officer.act("accept", rid))
    applied(officer.act("start", rid))
    applied(officer.act("progress", rid, percent=50, note="Separuh lubang sudah ditambal"))
    before = make_jpeg(seed=11)
    assert officer.upload(before)["complete"]
    applied(officer.act("add_photo", rid, photo=photo_ref(sha256(before), "before")))
    rejected(officer.act("complete", rid), "needs_after_photo")
    after = make_jpeg(seed=12)
    officer.upload(after)
    applied(officer.act("complete", rid, photo=photo_ref(sha256(after), "after"), note="Selesai"))

    snap = snapshot(validator, rid)
    assert snap["status"] == "menunggu_validasi" and snap["progress_pct"] == 100
    kinds = {p["kind"]: p for p in snap["photos"]}
    assert set(kinds) == {"before", "after"}
    assert kinds["after"]["taken_by"] == "Andi Petugas"
    assert kinds["after"]["latitude"] == -6.1963 and kinds["after"]["accuracy_m"] == 8.5
    assert kinds["after"]["captured_at"] == "2026-11-20T00:30:00+00:00"
    assert kinds["after"]["width"] == 64 and kinds["after"]["size_bytes"] == len(after)

    rejected(validator.act("send_back", rid), "needs_note")
    applied(validator.act("send_back", rid, note="Foto sesudah kurang jelas"))
    sent_back_at = server.clock()
    snap = snapshot(officer, rid)
    assert snap["status"] == "dalam_proses" and snap["rework_count"] == 1
    assert snap["awaiting_new_after_photo"] is True
    assert snap["sent_back_at"] == sent_back_at.isoformat()
    # The rejected evidence does not count again: a new after photo is owed.
    rejected(officer.act("complete", rid), "needs_new_after_photo")
    again = photo_ref(sha256(after), "after") | {"captured_at": _later(sent_back_at, 30)}
    rejected(officer.act("complete", rid, photo=again), "needs_new_after_photo")
    server.clock.advance(timedelta(minutes=1))
    new_after = make_jpeg(seed=13)
    officer.upload(new_after)
    fresh = photo_ref(sha256(new_after), "after") | {"captured_at": _later(sent_back_at, 45)}
    applied(officer.act("add_photo", rid, photo=fresh))
    assert snapshot(officer, rid)["awaiting_new_after_photo"] is False
    applied(officer.act("complete", rid, note="Ditambal ulang, foto baru"))
    result = applied(validator.act("approve", rid))
    snap = snapshot(officer, rid)
    assert snap["status"] == "selesai" and snap["version"] == result["report_version"]

    events = [(t["event"], t["status_to"]) for t in snap["timeline"]]
    assert events == [
        ("received", "baru"),
        ("dispatch", "didisposisikan"),
        ("accept", "diterima"),
        ("start", "dalam_proses"),
        ("progress", "dalam_proses"),
        ("add_photo", "dalam_proses"),
        ("complete", "menunggu_validasi"),
        ("send_back", "dalam_proses"),
        ("add_photo", "dalam_proses"),
        ("complete", "menunggu_validasi"),
        ("approve", "selesai"),
    ]
    progress = snap["timeline"][4]
    assert progress["percent"] == 50 and progress["note"] == "Separuh lubang sudah ditambal"
    assert progress["actor_name"] == "Andi Petugas" and progress["actor_role"] == "officer"
    assert snap["timeline"][7]["actor_role"] == "validator"
    with server.engine.connect() as conn:
        row = conn.execute(select(reports).where(reports.c.id == rid)).one()
    assert row.dispatched_at is not None and row.completed_at is not None
    assert row.validated_at == server.clock()


def _later(at: datetime, minutes: int) -> str:
    return (at + timedelta(minutes=minutes)).isoformat()


def test_rework_refuses_an_old_picture_and_a_re_added_photo(
    server: RunningServer, world: World, api: Api
) -> None:
    """After a send-back: a photo captured before it, or one already on the report (as
    any kind), does not count; the refusal is stored like any other."""
    rid, _, officer = _working(world, api)
    validator = api(VALIDATOR)
    applied(officer.act("start", rid))
    before, after = make_jpeg(seed=21), make_jpeg(seed=22)
    for data in (before, after):
        officer.upload(data)
    applied(officer.act("add_photo", rid, photo=photo_ref(sha256(before), "before")))
    applied(officer.act("complete", rid, photo=photo_ref(sha256(after), "after")))
    server.clock.advance(timedelta(minutes=2))
    applied(validator.act("send_back", rid, note="Masih berlubang"))
    sent_back_at = server.clock()
    server.clock.advance(timedelta(minutes=1))
    old_picture = make_jpeg(seed=23)
    officer.upload(old_picture)
    stale = photo_ref(sha256(old_picture), "after") | {"captured_at": _later(sent_back_at, -5)}
    rejected(officer.act("complete", rid, photo=stale), "needs_new_after_photo")
    as_after = photo_ref(sha256(before), "after") | {"captured_at": _later(sent_back_at, 5)}
    rejected(officer.act("complete", rid, photo=as_after), "needs_new_after_photo")
    # Attaching the old picture is allowed (it is evidence too) but pays nothing.
    applied(officer.act("add_photo", rid, photo=stale))
    rejected(officer.act("complete", rid), "needs_new_after_photo")
    with server.engine.connect() as conn:
        status = conn.execute(select(reports.c.status).where(reports.c.id == rid)).scalar()
    assert status == "dalam_proses"


def _working(world: World, api: Api, label: str = "a_new") -> tuple[str, ApiClient, ApiClient]:
    rid = world.rid(label)
    sup, officer = api(SUPERVISOR_A), api(OFFICER_A1)
    applied(sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1)))
    applied(officer.act("accept", rid))
    return rid, sup, officer


def test_extension_request_approve_moves_the_deadline(
    server: RunningServer, world: World, api: Api
) -> None:
    rid, sup, officer = _working(world, api)
    deadline = datetime.fromisoformat(snapshot(officer, rid)["deadline"])
    proposed = (deadline + timedelta(days=14)).isoformat()
    rejected(officer.act("request_extension", rid, proposed_deadline=proposed), "needs_reason")
    too_early = (deadline - timedelta(days=1)).isoformat()
    rejected(
        officer.act("request_extension", rid, reason="Pipa", proposed_deadline=too_early),
        "date_not_later",
    )
    reason = "Perlu pemasangan pompa air, disepakati 21 hari"
    applied(officer.act("request_extension", rid, reason=reason, proposed_deadline=proposed))
    rejected(
        officer.act("request_extension", rid, reason="lagi", proposed_deadline=proposed),
        "extension_pending",
    )
    applied(sup.act("approve_extension", rid, note="Disetujui"))
    snap = snapshot(officer, rid)
    assert snap["extension"]["state"] == "approved"
    assert snap["extension"]["reason"] == reason
    assert datetime.fromisoformat(snap["deadline"]) == deadline + timedelta(days=14)
    assert snap["extended_deadline"] == snap["deadline"]
    with server.engine.connect() as conn:
        stored = conn.execute(select(reports.c.deadline).where(reports.c.id == rid)).scalar()
    assert stored == deadline + timedelta(days=14)


def test_extension_refused_keeps_the_deadline(
    server: RunningServer, world: World, api: Api
) -> None:
    rid, sup, officer = _working(world, api)
    deadline = snapshot(officer, rid)["deadline"]
    rejected(sup.act("refuse_extension", rid, note="x"), "no_pending_extension")
    proposed = (datetime.fromisoformat(deadline) + timedelta(days=3)).isoformat()
    applied(officer.act("request_extension", rid, reason="Hujan", proposed_deadline=proposed))
    rejected(sup.act("refuse_extension", rid), "needs_note")
    applied(sup.act("refuse_extension", rid, note="Kerjakan minggu ini"))
    snap = snapshot(officer, rid)
    assert snap["extension"]["state"] == "refused"
    assert snap["extension"]["decision_note"] == "Kerjakan minggu ini"
    assert snap["deadline"] == deadline


def test_return_not_our_duty_then_reroute_then_close(
    server: RunningServer, world: World, api: Api
) -> None:
    rid, _, officer = _working(world, api)
    coordinator = api(COORDINATOR)
    rejected(officer.act("return_not_our_duty", rid), "needs_reason")
    applied(officer.act("return_not_our_duty", rid, reason="Kewenangan Dinas Bina Marga"))
    snap = snapshot(coordinator, rid)
    assert snap["status"] == "koordinasi" and snap["assignee_id"] is None
    assert rid not in visible_reports(officer.pull_all()[0])
    rejected(coordinator.act("reroute", rid, unit_id="unit-yang-tidak-ada"), "invalid_payload")
    applied(coordinator.act("reroute", rid, unit_id=world.unit_b))
    officer_b = api(OFFICER_B1)  # unit B shows its open queue to officers
    snap = snapshot(officer_b, rid)
    assert snap["status"] == "baru" and snap["unit_id"] == world.unit_b
    assert snap["unit_name"] == "Kelurahan Pegangsaan"
    # The coordinator may close any open report (city-wide), with a reason.
    rejected(coordinator.act("close", rid), "needs_reason")
    applied(coordinator.act("close", rid, reason="Laporan ganda"))
    with server.engine.connect() as conn:
        assert conn.execute(select(reports.c.status).where(reports.c.id == rid)).scalar() == (
            "ditutup"
        )


def test_reassign_to_another_officer(server: RunningServer, world: World, api: Api) -> None:
    rid, sup, officer = _working(world, api)
    other = api(OFFICER_A2)
    applied(sup.act("reassign", rid, assignee_id=world.uid(OFFICER_A2)))
    rejected(officer.act("start", rid), "unknown_report")  # no longer in their scope
    applied(other.act("accept", rid))
    assert snapshot(other, rid)["assignee_name"] == "Ayu Petugas"


def test_dispatch_needs_an_active_officer_of_the_unit(
    server: RunningServer, world: World, api: Api
) -> None:
    rid = world.rid("a_new")
    sup = api(SUPERVISOR_A)
    rejected(sup.act("dispatch", rid), "needs_assignee")
    rejected(sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_B1)), "unknown_user")
    rejected(sup.act("dispatch", rid, assignee_id=world.uid(SUPERVISOR_A)), "unknown_user")
    rejected(sup.act("dispatch", rid, assignee_id="tidak-ada"), "unknown_user")
    rejected(
        sup.act("dispatch", world.rid("b_new"), assignee_id=world.uid(OFFICER_B1)),
        "unknown_report",
    )


def test_roles_and_parties_are_enforced(server: RunningServer, world: World, api: Api) -> None:
    rid, _, officer = _working(world, api)
    rejected(officer.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1)), "role_not_allowed")
    rejected(officer.act("accept", rid), "wrong_status")
    rejected(api(VALIDATOR).act("approve", rid), "unknown_report")  # not waiting for validation
    rejected(api(OFFICER_B1).act("start", rid), "unknown_report")
    rejected(officer.act("start", "laporan-yang-tidak-ada"), "unknown_report")
    rejected(officer.act("terbang", rid), "invalid_payload")


def test_progress_payload_is_checked(server: RunningServer, world: World, api: Api) -> None:
    rid, _, officer = _working(world, api)
    applied(officer.act("start", rid))
    for bad in (101, -1, True, "50", 50.5, 10**30):
        rejected(officer.act("progress", rid, percent=bad), "invalid_percent")
    rejected(officer.act("progress", rid, percent=10, note="x" * 4001), "invalid_payload")
    applied(officer.act("progress", rid, percent=100))


def test_photo_must_be_uploaded_before_it_is_referenced(
    server: RunningServer, world: World, api: Api
) -> None:
    rid, _, officer = _working(world, api)
    data = make_jpeg(seed=21)
    mutation = officer.mutation("add_photo", rid, photo=photo_ref(sha256(data), "during"))
    rejected(officer.push(mutation)[0], "photo_not_uploaded")
    officer.upload(data)
    # Not remembered: the same mutation applies once the bytes are in.
    applied(officer.push(mutation)[0])
    assert [p["kind"] for p in snapshot(officer, rid)["photos"]] == ["during"]


def test_malformed_photo_references_are_refused(
    server: RunningServer, world: World, api: Api
) -> None:
    rid, _, officer = _working(world, api)
    data = make_jpeg(seed=22)
    officer.upload(data)
    sha = sha256(data)
    for bad in (
        {"sha256": sha, "kind": "reporter"},
        {"sha256": sha[:10], "kind": "before"},
        {"sha256": sha, "kind": "before", "latitude": 91.0, "longitude": 106.8},
        {"sha256": sha, "kind": "before", "latitude": -6.2},
        {"sha256": sha, "kind": "before", "latitude": True, "longitude": 106.8},
        {"sha256": sha, "kind": "before", "accuracy_m": -1},
        {"sha256": sha, "kind": "before", "captured_at": "kemarin"},
        {"sha256": sha, "kind": "before", "captured_at": "2026-11-20T02:30:00"},
        "not-an-object",
    ):
        rejected(officer.act("add_photo", rid, photo=bad), "invalid_photo")
    with server.engine.connect() as conn:
        events = conn.execute(
            select(timeline.c.event).where(timeline.c.report_id == rid).order_by(timeline.c.id)
        ).all()
    assert [e.event for e in events] == ["received", "dispatch", "accept"]


def test_an_implausible_capture_time_is_replaced_by_the_link_time(
    server: RunningServer, world: World, api: Api
) -> None:
    """The device's rule (`domain.capture_time`) on the server: an app that did not
    apply it cannot make a photo dated 2099 or 1970 pass as the time of the work."""
    rid = world.rid("a_new")
    sup, officer = api(SUPERVISOR_A), api(OFFICER_A1)
    applied(sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1)))
    applied(officer.act("accept", rid))
    applied(officer.act("start", rid))
    for seed, captured in ((21, "2099-01-01T00:00:00+00:00"), (22, "1970-01-01T00:00:00+00:00")):
        data = make_jpeg(seed=seed)
        officer.upload(data)
        ref = photo_ref(sha256(data), "during") | {"captured_at": captured}
        applied(officer.act("add_photo", rid, photo=ref))
    photos = {p["sha256"]: p for p in snapshot(officer, rid)["photos"]}
    linked_at = server.clock().isoformat()
    future, old = photos[sha256(make_jpeg(seed=21))], photos[sha256(make_jpeg(seed=22))]
    assert future["captured_at"] == linked_at and old["captured_at"] == linked_at
    # The flag travels with the photo, beside the server's other evidence flags.
    assert "time_future" in future["flags"]
    assert "time_before_report" in old["flags"]


def test_a_time_the_device_refused_is_flagged_by_the_server(
    server: RunningServer, world: World, api: Api
) -> None:
    rid = world.rid("a_new")
    sup, officer = api(SUPERVISOR_A), api(OFFICER_A1)
    applied(sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1)))
    applied(officer.act("accept", rid))
    applied(officer.act("start", rid))
    data = make_jpeg(seed=23)
    officer.upload(data)
    picked = (server.clock() - timedelta(minutes=2)).isoformat()
    ref = photo_ref(sha256(data), "after") | {
        "captured_at": picked,
        "time_flag": "time_future",
        "claimed_at": "2099-01-01T00:00:00+00:00",
    }
    applied(officer.act("add_photo", rid, photo=ref))
    [photo] = [p for p in snapshot(officer, rid)["photos"] if p["sha256"] == sha256(data)]
    assert photo["captured_at"] == picked  # the device's replacement stands
    assert "time_future" in photo["flags"]


def test_the_server_flags_what_the_device_flagged() -> None:
    from domain import PhotoKind as Kind
    from domain import Report, Status
    from domain.capture_time import TimeFlag
    from server.push import PhotoMeta, checked_capture_time

    received = T0 - timedelta(hours=2)
    report = Report(
        id="r-time",
        tracking_id="CRM-2026-000001",
        status=Status.DALAM_PROSES,
        category="jalan",
        channel="jaki",
        unit_id="kel-1",
        received_at=received,
    )
    picked = T0 - timedelta(minutes=5)

    def meta(captured: datetime | None, claimed: datetime | None = None) -> PhotoMeta:
        return PhotoMeta("ab" * 32, Kind.AFTER, None, None, None, captured, claimed_at=claimed)

    assert checked_capture_time(meta(picked), report, T0) == (picked, None)
    assert checked_capture_time(meta(None), report, T0) == (None, None)
    future = datetime(2099, 1, 1, tzinfo=UTC)
    assert checked_capture_time(meta(future), report, T0) == (T0, TimeFlag.FUTURE)
    # The device already used the pick's time and sent the time it refused.
    assert checked_capture_time(meta(picked, future), report, T0) == (picked, TimeFlag.FUTURE)
    old = received - timedelta(days=2)
    assert checked_capture_time(meta(picked, old), report, T0) == (
        picked,
        TimeFlag.BEFORE_REPORT,
    )
    # Days later, offline: judged at the pick, as the device judged it.
    next_week = picked + timedelta(days=7)
    assert checked_capture_time(meta(picked, next_week), report, T0 + timedelta(days=9)) == (
        picked,
        TimeFlag.FUTURE,
    )
