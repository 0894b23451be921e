"""Server state meets local work: overlay, settling, refusals, holds, removals, sweep."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import local_db
from domain import Action, Actor, PhotoKind, Refusal, Status
from domain.protocol import MutationResult, Outcome
from domain.refusals import explain
from local_db import (
    AttentionKind,
    HoldReason,
    LocalDb,
    NewPhoto,
    OutboxState,
    Stage,
)
from local_db import outbox as outbox_rows
from local_db import photos as photo_rows
from tests.local_db.factory import NOW, page, remove, report, upsert


def _pull(db: LocalDb, *changes: object, has_more: bool = False) -> local_db.PageApplied:
    local_db.start_pull(db)
    return local_db.apply_page(db, page(*changes, has_more=has_more), NOW)  # type: ignore[arg-type]


def _status(db: LocalDb, rid: str) -> Status:
    detail = local_db.get_report(db, rid, now=NOW)
    assert detail is not None
    return detail.report.status


def _push(db: LocalDb, limit: int = 200) -> list[str]:
    with db.write() as conn:
        return [m.id for m in outbox_rows.prepare_push(conn, limit, NOW)]


def _answer(db: LocalDb, officer: Actor, *results: MutationResult) -> outbox_rows.Settled:
    with db.write() as conn:
        return outbox_rows.settle(conn, list(results), officer, NOW)


def test_a_new_snapshot_keeps_unsent_work_on_top(officer_db: LocalDb, officer: Actor) -> None:
    _pull(officer_db, upsert(report("r1")))
    local_db.record_action(officer_db, officer, "r1", Action.ACCEPT, {}, NOW)
    # The server changed something else meanwhile (its version 2, still dispatched).
    _pull(officer_db, upsert(report("r1", title="Judul baru", version=2)))
    detail = local_db.get_report(officer_db, "r1", now=NOW)
    assert detail is not None
    assert detail.report.status is Status.DITERIMA  # the screen does not jump back
    assert detail.report.title == "Judul baru"
    assert [t.entry.event for t in detail.timeline if not t.sent] == ["accept"]


def test_applied_work_stays_until_the_snapshot_includes_it(
    officer_db: LocalDb, officer: Actor
) -> None:
    _pull(officer_db, upsert(report("r1")))
    entry = local_db.record_action(officer_db, officer, "r1", Action.ACCEPT, {}, NOW)
    assert _push(officer_db) == [entry.id]
    assert (
        _answer(
            officer_db, officer, MutationResult(entry.id, Outcome.APPLIED, report_version=2)
        ).applied
        == 1
    )
    assert _status(officer_db, "r1") is Status.DITERIMA
    # An older snapshot (version 1) arriving late does not undo it either.
    _pull(officer_db, upsert(report("r1", version=1)))
    assert _status(officer_db, "r1") is Status.DITERIMA
    _pull(officer_db, upsert(report("r1", status=Status.DITERIMA, version=2)))
    detail = local_db.get_report(officer_db, "r1", now=NOW)
    assert detail is not None
    assert detail.report.status is Status.DITERIMA and detail.view.pending == 0
    assert all(t.sent for t in detail.timeline)
    assert local_db.pending_counts(officer_db).mutations == 0
    with officer_db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


def test_a_refusal_goes_to_attention_and_holds_later_work_on_that_report_only(
    officer_db: LocalDb, officer: Actor
) -> None:
    _pull(officer_db, upsert(report("r1")), upsert(report("r2")))
    accept = local_db.record_action(officer_db, officer, "r1", Action.ACCEPT, {}, NOW)
    local_db.record_action(officer_db, officer, "r1", Action.START, {}, NOW)
    local_db.record_action(
        officer_db, officer, "r1", Action.PROGRESS, {"percent": 30, "note": "mulai"}, NOW
    )
    other = local_db.record_action(officer_db, officer, "r2", Action.ACCEPT, {}, NOW)
    # A batch of one: only the first entry goes.
    assert _push(officer_db, limit=1) == [accept.id]
    refusal = explain(Refusal.NOT_ASSIGNEE)
    settled = _answer(
        officer_db,
        officer,
        MutationResult(
            accept.id, Outcome.REJECTED, refusal.code, refusal.message_id, refusal.message_en
        ),
    )
    assert settled.rejected == 1
    items = local_db.attention_items(officer_db)
    assert [i.kind for i in items] == [
        AttentionKind.REJECTED,
        AttentionKind.DEPENDS_ON_REJECTED,
        AttentionKind.DEPENDS_ON_REJECTED,
    ]
    assert items[0].code == "not_assignee" and items[0].message_id == refusal.message_id
    assert items[2].payload == {"percent": 30, "note": "mulai"}  # the officer's note is kept
    assert items[1].code == Refusal.DEPENDS_ON_REJECTED.value
    # The server wins on r1: back to its state, nothing of the refused work shown.
    assert _status(officer_db, "r1") is Status.DIDISPOSISIKAN
    # r2's work is not held up.
    assert _push(officer_db) == [other.id]


def test_photo_holds_the_actions_that_need_it(
    officer_db: LocalDb, officer: Actor, tmp_path: Path
) -> None:
    _pull(officer_db, upsert(report("r1", status=Status.DALAM_PROSES)), upsert(report("r2")))
    data = b"\xff\xd8after-photo"
    (tmp_path / "a.jpg").write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    photo = NewPhoto(str(tmp_path / "a.jpg"), sha, PhotoKind.AFTER, len(data), 10, 10, NOW)
    add = local_db.add_photo(officer_db, officer, "r1", photo, NOW)
    complete = local_db.record_action(officer_db, officer, "r1", Action.COMPLETE, {}, NOW)
    other = local_db.record_action(officer_db, officer, "r2", Action.ACCEPT, {}, NOW)
    assert _push(officer_db) == [other.id]
    held = {
        e.id: e.hold_reason
        for e in local_db.unsent_work(officer_db).mutations
        if e.state is OutboxState.HELD
    }
    assert held == {add.id: HoldReason.PHOTO, complete.id: HoldReason.BLOCKED}
    with officer_db.write() as conn:
        photo_rows.mark_done(conn, sha)
    # In device order; `other` was never answered, so it goes again.
    assert _push(officer_db) == [add.id, complete.id, other.id]


def test_refused_photo_file_moves_its_actions_to_attention(
    officer_db: LocalDb, officer: Actor, tmp_path: Path
) -> None:
    _pull(officer_db, upsert(report("r1", status=Status.DALAM_PROSES)))
    data = b"not-really-a-jpeg"
    (tmp_path / "x.jpg").write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    photo = NewPhoto(str(tmp_path / "x.jpg"), sha, PhotoKind.AFTER, len(data), 10, 10, NOW)
    local_db.add_photo(officer_db, officer, "r1", photo, NOW)
    local_db.record_action(officer_db, officer, "r1", Action.COMPLETE, {}, NOW)
    with officer_db.write() as conn:
        photo_rows.mark_failed(conn, sha, "invalid_image", NOW)
    kinds = [(i.kind, i.action) for i in local_db.attention_items(officer_db)]
    assert kinds == [
        (AttentionKind.PHOTO_REFUSED, Action.ADD_PHOTO),
        (AttentionKind.DEPENDS_ON_REJECTED, Action.COMPLETE),
    ]
    item = local_db.attention_items(officer_db)[0]
    assert item.photos[0].local_path == str(tmp_path / "x.jpg")  # the evidence is kept
    assert local_db.pending_counts(officer_db).failed_photos == 1


def test_leaving_scope_with_unsent_work_keeps_the_report(
    officer_db: LocalDb, officer: Actor
) -> None:
    _pull(officer_db, upsert(report("r1")), upsert(report("r2")))
    local_db.record_action(officer_db, officer, "r1", Action.ACCEPT, {}, NOW)
    applied = _pull(officer_db, remove("r1"), remove("r2"))
    assert (applied.removed, applied.kept_out_of_scope) == (1, 1)
    assert local_db.get_report(officer_db, "r2", now=NOW) is None
    detail = local_db.get_report(officer_db, "r1", now=NOW)
    assert detail is not None and detail.view.stage is Stage.OUT_OF_SCOPE
    assert [i.report.id for i in local_db.queue(officer_db, now=NOW)] == []
    (item,) = local_db.attention_items(officer_db)
    assert item.kind is AttentionKind.OUT_OF_SCOPE and "wewenang" in item.message_id
    # The officer cannot act on it any more.
    try:
        local_db.record_action(officer_db, officer, "r1", Action.START, {}, NOW)
        raise AssertionError("out of scope must be refused")
    except local_db.ActionRefusedLocally as exc:
        assert exc.refusal.code is Refusal.UNKNOWN_REPORT
    # Once the server refused the unsent action and the officer dismissed both items,
    # the report leaves the device.
    (pending,) = local_db.unsent_work(officer_db).mutations
    _push(officer_db)
    refusal = explain(Refusal.UNKNOWN_REPORT)
    _answer(
        officer_db,
        officer,
        MutationResult(
            pending.id, Outcome.REJECTED, refusal.code, refusal.message_id, refusal.message_en
        ),
    )
    for it in local_db.attention_items(officer_db):
        local_db.dismiss_attention(officer_db, it.id)
    assert local_db.get_report(officer_db, "r1", now=NOW) is None
    assert local_db.unsent_work(officer_db).empty


def test_back_in_scope_clears_the_out_of_scope_item(officer_db: LocalDb, officer: Actor) -> None:
    _pull(officer_db, upsert(report("r1")))
    local_db.record_action(officer_db, officer, "r1", Action.ACCEPT, {}, NOW)
    _pull(officer_db, remove("r1"))
    _pull(officer_db, upsert(report("r1", version=3)))
    assert local_db.attention_items(officer_db) == []
    detail = local_db.get_report(officer_db, "r1", now=NOW)
    assert detail is not None and detail.view.in_scope and detail.report.status is Status.DITERIMA


def test_a_full_resync_sweeps_what_it_did_not_see(officer_db: LocalDb, officer: Actor) -> None:
    _pull(officer_db, upsert(report("r1")), upsert(report("r2")), upsert(report("r3")))
    local_db.record_action(officer_db, officer, "r3", Action.ACCEPT, {}, NOW)
    local_db.reset_cursor(officer_db)  # e.g. the server refused the cursor
    assert local_db.start_pull(officer_db) is None
    local_db.apply_page(officer_db, page(upsert(report("r1")), cursor="s:1", has_more=True), NOW)
    assert local_db.get_report(officer_db, "r2", now=NOW) is not None  # not before the end
    applied = local_db.apply_page(officer_db, page(cursor="f:9"), NOW)
    assert applied.swept == 1
    assert local_db.get_report(officer_db, "r2", now=NOW) is None
    kept = local_db.get_report(officer_db, "r3", now=NOW)
    assert kept is not None and kept.view.stage is Stage.OUT_OF_SCOPE
    assert local_db.sync_state(officer_db).cursor == "f:9"


def test_retry_queues_the_refused_action_again_under_a_new_id(
    officer_db: LocalDb, officer: Actor
) -> None:
    _pull(officer_db, upsert(report("r1", status=Status.DALAM_PROSES)))
    entry = local_db.record_action(officer_db, officer, "r1", Action.PROGRESS, {"percent": 60}, NOW)
    _push(officer_db)
    refusal = explain(Refusal.WRONG_STATUS, status="menunggu_validasi")
    _answer(
        officer_db,
        officer,
        MutationResult(
            entry.id, Outcome.REJECTED, refusal.code, refusal.message_id, refusal.message_en
        ),
    )
    (item,) = local_db.attention_items(officer_db)
    again = local_db.retry_attention(officer_db, item.id, NOW + timedelta(minutes=5))
    assert again is not None
    assert again.id != entry.id and again.device_seq > entry.device_seq
    assert again.payload == {"percent": 60}
    assert local_db.attention_items(officer_db) == []
    assert local_db.get_report(officer_db, "r1", now=NOW).report.progress_pct == 60  # type: ignore[union-attr]


def test_unsent_work_then_wipe(officer_db: LocalDb, officer: Actor, tmp_path: Path) -> None:
    _pull(officer_db, upsert(report("r1", status=Status.DALAM_PROSES)))
    data = b"\xff\xd8before"
    path = tmp_path / "b.jpg"
    path.write_bytes(data)
    photo = NewPhoto(
        str(path), hashlib.sha256(data).hexdigest(), PhotoKind.BEFORE, len(data), 1, 1, NOW
    )
    local_db.add_photo(officer_db, officer, "r1", photo, NOW)
    local_db.record_action(officer_db, officer, "r1", Action.PROGRESS, {"percent": 10}, NOW)
    device_id = local_db.sync_state(officer_db).device_id
    work = local_db.unsent_work(officer_db)
    assert [m.action for m in work.mutations] == [Action.ADD_PHOTO, Action.PROGRESS]
    assert [p.sha256 for p in work.photos] == [photo.sha256]
    assert local_db.wipe(officer_db) == [str(path)]
    assert not path.exists()
    assert local_db.unsent_work(officer_db).empty
    assert local_db.account(officer_db) is None
    assert local_db.queue(officer_db, now=NOW) == []
    assert local_db.sync_state(officer_db).device_id != device_id
    with officer_db.read() as conn:
        for table in ("reports", "timeline", "photos", "outbox", "attention", "colleagues"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
    raw = Path(officer_db.path).read_bytes()
    assert b"Jalan berlubang" not in raw  # compacted: the rows are gone from the file
