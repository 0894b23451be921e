"""Officer actions on the device: refused locally with the domain's reason, or applied
and queued in one transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

import local_db
from domain import Action, Actor, PhotoKind, Refusal, Role, Status
from domain.protocol import PhotoRef
from local_db import ActionRefusedLocally, LocalDb, NewPhoto, OutboxState, ReportNotFound, Stage
from tests.local_db.factory import NOW, page, report, upsert


def _seed(db: LocalDb, *reports: object) -> None:
    local_db.start_pull(db)
    local_db.apply_page(db, page(*(upsert(r) for r in reports)), NOW)  # type: ignore[arg-type]


def _rows(db: LocalDb, table: str) -> int:
    with db.read() as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.mark.parametrize(
    ("status", "assignee", "action", "payload", "code"),
    [
        (Status.DIDISPOSISIKAN, "someone-else", Action.ACCEPT, {}, Refusal.NOT_ASSIGNEE),
        (Status.BARU, None, Action.START, {}, Refusal.NOT_ASSIGNEE),
        (Status.DITERIMA, "u-officer", Action.COMPLETE, {}, Refusal.WRONG_STATUS),
        (Status.DALAM_PROSES, "u-officer", Action.COMPLETE, {}, Refusal.NEEDS_AFTER_PHOTO),
        (
            Status.DALAM_PROSES,
            "u-officer",
            Action.PROGRESS,
            {"percent": 120},
            Refusal.INVALID_PERCENT,
        ),
        (Status.DALAM_PROSES, "u-officer", Action.RETURN_NOT_OUR_DUTY, {}, Refusal.NEEDS_REASON),
        (Status.DALAM_PROSES, "u-officer", Action.APPROVE, {}, Refusal.ROLE_NOT_ALLOWED),
    ],
)
def test_refused_actions_write_nothing(
    officer_db: LocalDb,
    officer: Actor,
    status: Status,
    assignee: str | None,
    action: Action,
    payload: dict[str, object],
    code: Refusal,
) -> None:
    _seed(officer_db, report("r1", status=status, assignee_id=assignee))
    with pytest.raises(ActionRefusedLocally) as info:
        local_db.record_action(officer_db, officer, "r1", action, payload, NOW)
    assert info.value.refusal.code is code
    assert info.value.refusal.message_id  # Indonesian text for the screen
    assert _rows(officer_db, "outbox") == 0
    assert local_db.get_report(officer_db, "r1", now=NOW).report.status is status  # type: ignore[union-attr]


def test_unknown_report(officer_db: LocalDb, officer: Actor) -> None:
    with pytest.raises(ReportNotFound):
        local_db.record_action(officer_db, officer, "nope", Action.ACCEPT, {}, NOW)


def test_an_action_changes_the_display_and_queues_in_order(
    officer_db: LocalDb, officer: Actor
) -> None:
    _seed(officer_db, report("r1"))
    e1 = local_db.record_action(officer_db, officer, "r1", Action.ACCEPT, {}, NOW)
    e2 = local_db.record_action(
        officer_db, officer, "r1", Action.START, {}, NOW + timedelta(minutes=1)
    )
    e3 = local_db.record_action(
        officer_db,
        officer,
        "r1",
        Action.PROGRESS,
        {"percent": 50, "note": "separuh"},
        NOW + timedelta(minutes=2),
    )
    assert (e1.device_seq, e2.device_seq, e3.device_seq) == (1, 2, 3)
    assert len({e1.id, e2.id, e3.id}) == 3
    detail = local_db.get_report(officer_db, "r1", now=NOW)
    assert detail is not None
    assert detail.report.status is Status.DALAM_PROSES
    assert detail.report.progress_pct == 50
    assert detail.view.pending == 3
    assert detail.view.stage is Stage.IN_PROGRESS
    local = [t for t in detail.timeline if not t.sent]
    assert [t.entry.event for t in local] == ["accept", "start", "progress"]
    assert local[-1].entry.note == "separuh" and local[-1].entry.percent == 50
    assert [o.state for o in detail.outbox] == [OutboxState.PENDING] * 3
    assert local_db.pending_counts(officer_db).mutations == 3


def test_a_failing_write_leaves_neither_change_nor_outbox(
    officer_db: LocalDb, officer: Actor
) -> None:
    _seed(officer_db, report("r1", status=Status.DALAM_PROSES))
    # A payload the outbox cannot store fails after the domain check passed.
    with pytest.raises(TypeError):
        local_db.record_action(
            officer_db, officer, "r1", Action.PROGRESS, {"percent": 40, "note": object()}, NOW
        )
    assert _rows(officer_db, "outbox") == 0
    assert _rows(officer_db, "timeline") == 1  # only the server's "received"
    detail = local_db.get_report(officer_db, "r1", now=NOW)
    assert detail is not None and detail.report.progress_pct == 0
    # The sequence was not consumed either: the next entry is number 1.
    entry = local_db.record_action(officer_db, officer, "r1", Action.PROGRESS, {"percent": 40}, NOW)
    assert entry.device_seq == 1


def _photo(tmp_path: Path, kind: PhotoKind = PhotoKind.AFTER) -> NewPhoto:
    data = b"\xff\xd8fake-jpeg-bytes" + kind.value.encode()
    path = tmp_path / f"{kind.value}.jpg"
    path.write_bytes(data)
    import hashlib

    return NewPhoto(
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        kind=kind,
        size_bytes=len(data),
        width=1600,
        height=1200,
        captured_at=NOW - timedelta(hours=1),
        latitude=-6.19,
        longitude=106.83,
        accuracy_m=8.0,
        location_source=local_db.LocationSource.GPS,
    )


def test_add_photo_stores_row_and_action_together(
    officer_db: LocalDb, officer: Actor, tmp_path: Path
) -> None:
    _seed(officer_db, report("r1", status=Status.DALAM_PROSES))
    with officer_db.write() as conn:
        local_db.state.set_clock(conn, 90_000.0, 40.0, NOW)  # server runs 90 s ahead
    photo = _photo(tmp_path)
    entry = local_db.add_photo(officer_db, officer, "r1", photo, NOW, note="sudah ditambal")
    assert entry.action is Action.ADD_PHOTO
    assert entry.depends_on == (photo.sha256,)
    assert entry.payload["photo"]["captured_at"] == "2026-11-20T02:01:30+00:00"
    detail = local_db.get_report(officer_db, "r1", now=NOW)
    assert detail is not None
    (row,) = detail.photos
    assert row.sha256 == photo.sha256 and row.from_device and row.local_path == photo.path
    assert row.captured_at == photo.captured_at
    assert row.captured_at_server == photo.captured_at + timedelta(seconds=90)
    assert row.upload_state is local_db.UploadState.PENDING
    assert PhotoKind.AFTER in detail.report.photo_kinds
    # With the after photo on the device, completion is allowed locally.
    done = local_db.record_action(
        officer_db, officer, "r1", Action.COMPLETE, {"note": "beres"}, NOW
    )
    assert done.device_seq == entry.device_seq + 1
    assert local_db.get_report(officer_db, "r1", now=NOW).report.status is Status.MENUNGGU_VALIDASI  # type: ignore[union-attr]


def test_a_supervisor_dispatches(db: LocalDb) -> None:
    from domain.protocol import UserInfo

    sup = UserInfo("u-sup", "kasi.a", "Kasi", Role.SUPERVISOR, "kel-1")
    local_db.sign_in(db, sup, "http://server.test", NOW)
    _seed(db, report("r1", status=Status.BARU, assignee_id=None))
    actor = local_db.actor(db)
    assert actor is not None
    local_db.record_action(db, actor, "r1", Action.DISPATCH, {"assignee_id": "u-officer"}, NOW)
    detail = local_db.get_report(db, "r1", now=NOW)
    assert detail is not None
    assert detail.report.status is Status.DIDISPOSISIKAN
    assert detail.report.assignee_id == "u-officer"


def test_after_a_send_back_the_device_asks_for_a_new_after_photo(
    officer_db: LocalDb, officer: Actor, tmp_path: Path
) -> None:
    """The server's snapshot says a new after photo is owed: the device refuses Selesaikan
    with the same code the server would, until a photo taken since is attached."""
    old = _photo(tmp_path)
    sent_back = report(
        "r1",
        status=Status.DALAM_PROSES,
        rework_count=1,
        progress_pct=100,
        sent_back_at=NOW - timedelta(minutes=30),
        awaiting_new_after_photo=True,
    )
    local_db.start_pull(db := officer_db)
    local_db.apply_page(
        db, page(upsert(sent_back, photos=(PhotoRef(old.sha256, PhotoKind.AFTER),))), NOW
    )
    detail = local_db.get_report(db, "r1", now=NOW)
    assert detail is not None and detail.report.awaiting_new_after_photo
    assert detail.report.photo_shas == {old.sha256}
    with pytest.raises(ActionRefusedLocally) as refused:
        local_db.record_action(db, officer, "r1", Action.COMPLETE, {"note": "beres"}, NOW)
    assert refused.value.refusal.code is Refusal.NEEDS_NEW_AFTER_PHOTO
    assert _rows(db, "outbox") == 0
    # A during photo is kept as evidence but does not pay for the rework.
    local_db.add_photo(db, officer, "r1", _photo(tmp_path, PhotoKind.DURING), NOW)
    assert local_db.get_report(db, "r1", now=NOW).report.awaiting_new_after_photo  # type: ignore[union-attr]
    fresh = replace(_photo(tmp_path), sha256="f" * 64, captured_at=NOW - timedelta(minutes=5))
    local_db.add_photo(db, officer, "r1", fresh, NOW)
    after = local_db.get_report(db, "r1", now=NOW)
    assert after is not None and not after.report.awaiting_new_after_photo
    local_db.record_action(db, officer, "r1", Action.COMPLETE, {"note": "beres"}, NOW)


def test_a_photo_not_yet_sent_can_be_taken_back_with_its_action(
    officer_db: LocalDb, officer: Actor, tmp_path: Path
) -> None:
    _seed(officer_db, report("r1", status=Status.DALAM_PROSES))
    photo = _photo(tmp_path)
    local_db.add_photo(officer_db, officer, "r1", photo, NOW)
    local_db.record_action(officer_db, officer, "r1", Action.PROGRESS, {"percent": 60}, NOW)
    assert _rows(officer_db, "outbox") == 2
    local_db.discard_photo(officer_db, "r1", photo.sha256)
    # The photo, its file, its queued action and the local timeline entry are gone;
    # the other action stays; the report no longer counts the after photo.
    assert _rows(officer_db, "photos") == 0 and not Path(photo.path).exists()
    entries = local_db.unsent_work(officer_db).mutations
    assert [e.action for e in entries] == [Action.PROGRESS]
    detail = local_db.get_report(officer_db, "r1", now=NOW)
    assert detail is not None and PhotoKind.AFTER not in detail.report.photo_kinds
    assert [t.entry.event for t in detail.timeline if t.mutation_id] == ["progress"]


def test_a_photo_a_completion_relies_on_or_already_sent_stays(
    officer_db: LocalDb, officer: Actor, tmp_path: Path
) -> None:
    _seed(officer_db, report("r1", status=Status.DALAM_PROSES))
    photo = _photo(tmp_path)
    local_db.add_photo(officer_db, officer, "r1", photo, NOW)
    local_db.record_action(officer_db, officer, "r1", Action.COMPLETE, {"note": "beres"}, NOW)
    with pytest.raises(local_db.PhotoInUse):
        local_db.discard_photo(officer_db, "r1", photo.sha256)
    assert _rows(officer_db, "photos") == 1 and Path(photo.path).exists()

    _seed(officer_db, report("r2", status=Status.DALAM_PROSES))
    before = replace(_photo(tmp_path, PhotoKind.BEFORE), sha256="e" * 64)
    local_db.add_photo(officer_db, officer, "r2", before, NOW)
    with officer_db.write() as conn:  # the sync engine took its action
        conn.execute("UPDATE outbox SET state = 'sent' WHERE report_id = 'r2'")
    with pytest.raises(local_db.PhotoAlreadySent):
        local_db.discard_photo(officer_db, "r2", before.sha256)
    assert _rows(officer_db, "outbox") == 3
