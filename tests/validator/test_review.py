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
from officer_app.state.session import Session
from officer_app.supervisor.data import RoleData
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
    return ValidatorState(session, RoleData(device, clock=lambda: NOW))


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


def test_queue_is_longest_waiting_first(device: Device, state: ValidatorState) -> None:
    three(device)
    run(state.queue.refresh())
    assert state.queue.ids == ["B", "A", "C"]
    assert [w.waited for w in state.queue.rows] == [20 * H, 5 * H, 2 * H]


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
        assert await review.on_key("A") == "approve"
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
