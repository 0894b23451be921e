"""The validator's view-models without a browser, on a real device database."""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

import local_db
from domain import Action, PhotoKind, Status
from officer_app.device import Device
from officer_app.i18n import Translator
from officer_app.photos import evidence_check
from officer_app.state.session import Session
from officer_app.supervisor.data import RoleData
from officer_app.validator.integrity import integrity_notes
from officer_app.validator.state import ValidatorState
from tests.supervisor.kit import NOW, make_device, settle
from tests.supervisor.stories import VALIDATOR_INFO, Story, fill, officer, sign_in

H = timedelta(hours=1)
D = timedelta(days=1)
LAT, LON = -6.19, 106.83


def jpeg(seed: int) -> bytes:
    rnd = random.Random(seed)
    image = Image.frombytes("RGB", (80, 60), rnd.randbytes(80 * 60 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


BEFORE, AFTER, FAR = jpeg(1), jpeg(2), jpeg(3)


def submitted(rid: str, received_ago: timedelta, waited: timedelta, **photo: object) -> Story:
    """A report completed `waited` ago, with a before and an after photo."""
    s = Story.new(rid, NOW - received_ago, lat=LAT, lon=LON).dispatch("off-1", H)
    me = officer("off-1")
    s.do(me, Action.ACCEPT, timedelta(minutes=5)).do(me, Action.START, timedelta(minutes=5))
    before = {"sha256": sha(BEFORE), "kind": "before", "latitude": LAT, "longitude": LON}
    s.do(me, Action.ADD_PHOTO, H, {"photo": before})
    after = {"sha256": sha(AFTER), "kind": "after", "latitude": LAT + 0.0001, "longitude": LON}
    after.update(photo)  # type: ignore[arg-type]
    s.do(me, Action.ADD_PHOTO, H, {"photo": after, "note": "Lubang sudah ditambal"})
    s.t = NOW - waited - H
    return s.complete(H)


@pytest.fixture
def device(tmp_path: Path) -> Iterator[Device]:
    d = make_device(tmp_path / "device")
    sign_in(d.db, VALIDATOR_INFO, NOW)
    try:
        yield d
    finally:
        settle(d)


@pytest.fixture
def navigated() -> list[str]:
    return []


@pytest.fixture
def state(device: Device, navigated: list[str]) -> ValidatorState:
    session = Session(device, navigate=navigated.append)
    made = ValidatorState(session, RoleData(device, clock=lambda: NOW))
    made.review.undo_seconds = 0  # decisions at once; the undo window has its own tests
    return made


def three(device: Device) -> None:
    far = {"latitude": LAT + 0.01, "sha256": sha(FAR)}  # ~1.1 km away
    early = {"captured_at": (NOW - 30 * D).isoformat()}  # before the report came in
    fill(
        device.db,
        [
            submitted("A", 3 * D, 5 * H).snapshot(),
            submitted("B", 4 * D, 20 * H, **far).snapshot(),
            submitted("C", 2 * D, 2 * H, **early).snapshot(),
        ],
        NOW,
    )
    # The device has already seen the first before photo (cache).
    (device.photo_dir / f"{sha(BEFORE)}.jpg").write_bytes(BEFORE)


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_queue_is_most_urgent_first_with_search_and_filters(
    device: Device, state: ValidatorState
) -> None:
    three(device)
    fill(device.db, [submitted("D", 9 * D, 1 * H).snapshot()], NOW)  # overdue, waited least
    queue = state.queue
    run(queue.refresh())
    assert queue.ids == ["D", "B", "A", "C"]  # by deadline: the overdue one first
    assert [w.waited for w in queue.rows] == [1 * H, 20 * H, 5 * H, 2 * H]
    assert queue.red == {"D": 0, "B": 1, "A": 0, "C": 1}  # too far; taken before the report
    queue.set_search(" crm-2026-b ")
    assert queue.ids == ["B"]
    queue.set_search("")
    queue.toggle_flagged()
    assert queue.ids == ["B", "C"]
    queue.toggle_flagged()
    queue.toggle_waiting_long()
    assert queue.ids == [] and queue.total == 4
    queue.toggle_waiting_long()
    queue.set_officer("Budi Santoso")
    assert queue.ids == ["D", "B", "A", "C"]
    queue.set_officer("Nobody")
    assert queue.ids == []


def test_review_shows_evidence_flags_and_notes(device: Device, state: ValidatorState) -> None:
    three(device)

    async def scenario() -> None:
        await state.queue.refresh()
        await state.review.open("B")

    run(scenario())
    review = state.review
    assert [(p.kind, p.check.too_far) for p in review.photos] == [
        (PhotoKind.BEFORE, False),
        (PhotoKind.AFTER, True),
    ]
    assert review.photos[1].check.distance_m == pytest.approx(1112, rel=0.01)
    assert review.photos[1].taken_by == "Budi Santoso"
    assert [n.note for n in review.notes] == ["Lubang sudah ditambal"]
    # The before photo is in the cache; the after one cannot be fetched offline.
    assert list(review.images) == [sha(BEFORE)] and review.missing == [sha(FAR)]
    assert review.position == 0

    run(state.review.open("C"))
    flags = [p.check.taken_before_report for p in state.review.photos]
    assert flags == [False, True]
    assert [n.code for n in state.review.photos[1].check.notes()] == ["taken_before_report"]


def test_send_back_needs_a_note_then_the_next_report_opens(
    device: Device, state: ValidatorState, navigated: list[str]
) -> None:
    three(device)

    async def scenario() -> None:
        await state.queue.refresh()
        await state.review.open("B")
        assert await state.review.send_back() is False
        assert state.review.want_note and state.review.error is not None
        assert state.review.error.startswith("Tulis catatan")
        state.review.set_note("Foto sesudah diambil jauh dari lokasi")
        assert await state.review.send_back() is True

    run(scenario())
    assert navigated == ["/validasi/A"] and state.review.report_id == "A"
    assert state.review.note == "" and state.queue.ids == ["A", "C"]
    entries = local_db.unsent_work(device.db).mutations
    assert [(e.action, e.report_id, e.payload.get("note")) for e in entries] == [
        (Action.SEND_BACK, "B", "Foto sesudah diambil jauh dari lokasi")
    ]
    detail = device.report("B")
    assert detail is not None and detail.report.status is Status.DALAM_PROSES
    assert detail.report.rework_count == 1


def test_keyboard_shortcuts(device: Device, state: ValidatorState, navigated: list[str]) -> None:
    three(device)

    async def scenario() -> None:
        await state.queue.refresh()
        await state.review.open("B")
        review = state.review
        assert await review.on_key("J") == "next" and review.report_id == "A"
        assert await review.on_key("K") == "previous" and review.report_id == "B"
        assert await review.on_key("K") == "previous" and review.report_id == "B"  # first
        assert await review.on_key("A", ctrl=True) is None
        review.set_typing(True)  # typing a note: letters are letters
        assert await review.on_key("A") is None and review.report_id == "B"
        assert await review.on_key("Escape") == "escape" and not review.typing
        assert await review.on_key("R") == "send_back" and review.want_note  # no note yet
        assert await review.on_key("A") == "approve"  # B's after photo is 1 km away...
        assert review.confirming and review.report_id == "B"  # ...so it asks first
        assert await review.on_key("J") is None  # nothing else while asking
        assert await review.on_key("Escape") == "cancel" and not review.confirming
        assert await review.on_key("A") == "approve" and review.confirming
        assert await review.on_key("Enter") == "confirm"
        assert review.report_id == "A"  # the next one opened
        assert await review.on_key("X") is None

    run(scenario())
    assert navigated == ["/validasi/A", "/validasi/B", "/validasi/A"]
    detail = device.report("B")
    assert detail is not None and detail.report.status is Status.SELESAI


def test_the_last_decision_returns_to_the_queue(
    device: Device, state: ValidatorState, navigated: list[str]
) -> None:
    fill(device.db, [submitted("A", 3 * D, 5 * H).snapshot()], NOW)

    async def scenario() -> None:
        await state.queue.refresh()
        await state.review.open("A")
        assert await state.review.approve()

    run(scenario())
    assert navigated == ["/"] and state.review.report_id is None and state.queue.ids == []


def test_a_decision_the_rules_refuse_is_explained(device: Device, state: ValidatorState) -> None:
    fill(device.db, [submitted("A", 3 * D, 5 * H).snapshot()], NOW)
    validator = local_db.actor(device.db)
    assert validator is not None

    async def scenario() -> None:
        await state.queue.refresh()
        await state.review.open("A")
        # Decided meanwhile in another window of this validator.
        local_db.record_action(device.db, validator, "A", Action.APPROVE, {}, NOW)
        assert await state.review.approve() is False

    run(scenario())
    assert state.review.error == "Tindakan ini tidak bisa dilakukan saat status laporan 'Selesai'."


def test_a_decision_waits_for_its_undo_window(
    device: Device, state: ValidatorState, navigated: list[str]
) -> None:
    three(device)
    review = state.review
    review.undo_seconds = 30  # long: the test ends the window itself

    async def scenario() -> None:
        await state.queue.refresh()
        await review.open("A")
        assert await review.approve() is True
        assert review.staged is not None and review.staged.tracking_id.endswith("A")
        assert local_db.unsent_work(device.db).mutations == ()  # held, not queued
        assert await review.on_key("A") is None and await review.on_key("R") is None
        assert await review.on_key("U") == "undo"
        assert review.staged is None and review.flash is not None
        assert review.flash.startswith("Dibatalkan")
        assert local_db.unsent_work(device.db).mutations == ()
        # Again, and this time the window ends: recorded, the counter moves.
        assert await review.approve() is True
        assert await review.commit() is True

    run(scenario())
    entries = local_db.unsent_work(device.db).mutations
    assert [(e.action, e.report_id) for e in entries] == [(Action.APPROVE, "A")]
    assert review.flash is not None and review.flash.endswith("2 tersisa")
    assert state.queue.total == 2 and review.report_id == "C"


def test_the_window_ends_by_itself(device: Device, state: ValidatorState) -> None:
    three(device)
    review = state.review
    review.undo_seconds = 0.05

    async def scenario() -> None:
        await state.queue.refresh()
        await review.open("A")
        await review.approve()
        for _ in range(400):  # a generous deadline on the condition
            if local_db.unsent_work(device.db).mutations:
                return
            await asyncio.sleep(0.025)

    run(scenario())
    assert [e.report_id for e in local_db.unsent_work(device.db).mutations] == ["A"]


def test_ctrl_z_undoes_and_the_buttons_ask_like_the_keys(
    device: Device, state: ValidatorState
) -> None:
    three(device)
    review = state.review
    review.undo_seconds = 30

    async def scenario() -> None:
        await state.queue.refresh()
        await review.open("C")  # its after photo predates the report: red
        assert await review.approve() is False and review.confirming
        assert await review.confirm() is True and review.staged is not None
        assert await review.on_key("z", ctrl=True) == "undo" and review.staged is None

    run(scenario())
    assert local_db.unsent_work(device.db).mutations == ()


def test_server_flags_source_and_age_become_notes() -> None:
    tr = Translator("id")
    ok = evidence_check(LAT, LON, NOW, LAT, LON, NOW - D)
    notes = integrity_notes(ok, ("same_as_before", "reused:CRM-2026-000042"), "gallery", 3 * D, tr)
    assert [(n.code, n.red) for n in notes] == [
        ("same_as_before", True),
        ("reused", True),
        ("gallery", False),
        ("old_picture", True),
    ]
    assert "CRM-2026-000042" in notes[1].text and "3 hari" in notes[3].text
    assert integrity_notes(ok, (), "camera", H, tr) == []
