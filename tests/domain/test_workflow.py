"""Every workflow transition allowed and refused, and what `apply` changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import (
    RULES,
    Action,
    ActionRefused,
    Actor,
    ExtensionState,
    PhotoKind,
    Refusal,
    Report,
    Role,
    Status,
    apply,
    available,
    check,
    explain,
)
from domain.statuses import STATUS_NAMES
from domain.workflow import OFFICER_ACTIONS

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
SHA = "ab" * 32

OFFICER = Actor("u-off", Role.OFFICER, "kel-1")
OTHER_OFFICER = Actor("u-off2", Role.OFFICER, "kel-1")
SUPERVISOR = Actor("u-sup", Role.SUPERVISOR, "kel-1")
OTHER_SUPERVISOR = Actor("u-sup2", Role.SUPERVISOR, "kel-2")
VALIDATOR = Actor("u-val", Role.VALIDATOR, "biro-pem")
COORDINATOR = Actor("u-coord", Role.COORDINATOR, None)
ACTORS = {
    Role.OFFICER: OFFICER,
    Role.SUPERVISOR: SUPERVISOR,
    Role.VALIDATOR: VALIDATOR,
    Role.COORDINATOR: COORDINATOR,
}

# A payload that satisfies every payload need, so the table's other conditions decide.
FULL_PAYLOAD = {
    "note": "Sudah dicek di lokasi",
    "reason": "Bukan tupoksi kelurahan",
    "percent": 50,
    "proposed_deadline": (T0 + timedelta(days=30)).isoformat(),
    "assignee_id": "u-off",
    "unit_id": "kel-2",
    "photo": {"sha256": SHA, "kind": "after"},
}


def report(status: Status = Status.BARU, **kw: object) -> Report:
    base: dict[str, object] = {
        "id": "r1",
        "tracking_id": "CRM-2026-000001",
        "status": status,
        "category": "jalan",
        "channel": "jaki",
        "unit_id": "kel-1",
        "received_at": T0,
        "assignee_id": None if status in (Status.BARU, Status.KOORDINASI) else "u-off",
    }
    base.update(kw)
    return Report(**base)  # type: ignore[arg-type]


def _state_ok(action: Action, r: Report) -> Report:
    """Give the report the state an action needs (pending extension, after photo)."""
    if action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION):
        ext = r.extension.__class__(ExtensionState.REQUESTED, T0 + timedelta(days=20), "hujan")
        return r.evolve(extension=ext)
    return r


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(Status))
def test_every_action_from_every_status(action: Action, status: Status) -> None:
    rule = RULES[action]
    for role, actor in ACTORS.items():
        r = _state_ok(action, report(status))
        decision = check(actor, r, action, FULL_PAYLOAD)
        if role not in rule.roles:
            assert not decision.allowed
            assert decision.refusal is not None
            assert decision.refusal.code is Refusal.ROLE_NOT_ALLOWED
            continue
        if role is Role.OFFICER and r.assignee_id != actor.user_id:
            assert decision.refusal is not None
            assert decision.refusal.code is Refusal.NOT_ASSIGNEE
            continue
        expected = status in rule.from_statuses
        assert decision.allowed is expected, (action, status, role, decision)
        if expected:
            after = apply(r, actor, action, FULL_PAYLOAD)
            assert after.version == r.version + 1
            assert after.status is (rule.to_status or status)
        else:
            assert decision.refusal is not None
            assert decision.refusal.code is Refusal.WRONG_STATUS
            assert STATUS_NAMES[status][0] in decision.refusal.message_id
            with pytest.raises(ActionRefused):
                apply(r, actor, action, FULL_PAYLOAD)


def test_officer_acts_only_on_own_reports_supervisor_only_on_own_unit() -> None:
    r = report(Status.DIDISPOSISIKAN)
    assert check(OFFICER, r, Action.ACCEPT).allowed
    refused = check(OTHER_OFFICER, r, Action.ACCEPT)
    assert refused.refusal is not None and refused.refusal.code is Refusal.NOT_ASSIGNEE
    assert check(SUPERVISOR, report(), Action.DISPATCH, {"assignee_id": "x"}).allowed
    other = check(OTHER_SUPERVISOR, report(), Action.DISPATCH, {"assignee_id": "x"})
    assert other.refusal is not None and other.refusal.code is Refusal.OTHER_UNIT


def test_completion_needs_an_after_photo() -> None:
    r = report(Status.DALAM_PROSES, photo_kinds=frozenset({PhotoKind.BEFORE}))
    refused = check(OFFICER, r, Action.COMPLETE)
    assert refused.refusal is not None and refused.refusal.code is Refusal.NEEDS_AFTER_PHOTO
    assert "foto sesudah" in refused.refusal.message_id
    with_after = r.evolve(photo_kinds=frozenset({PhotoKind.BEFORE, PhotoKind.AFTER}))
    done_report = apply(with_after, OFFICER, Action.COMPLETE, {})
    assert done_report.status is Status.MENUNGGU_VALIDASI and done_report.progress_pct == 100
    # The after photo may come with the completion itself.
    photo = {"photo": {"sha256": SHA, "kind": "after"}}
    assert check(OFFICER, r, Action.COMPLETE, photo).allowed
    assert PhotoKind.AFTER in apply(r, OFFICER, Action.COMPLETE, photo).photo_kinds


def test_rework_needs_the_validators_note_and_counts() -> None:
    r = report(Status.MENUNGGU_VALIDASI)
    refused = check(VALIDATOR, r, Action.SEND_BACK, {"note": "   "})
    assert refused.refusal is not None and refused.refusal.code is Refusal.NEEDS_NOTE
    back = apply(r, VALIDATOR, Action.SEND_BACK, {"note": "Foto sesudah kurang jelas"})
    assert back.status is Status.DALAM_PROSES and back.rework_count == 1
    assert back.assignee_id == "u-off"


def test_extension_needs_reason_and_a_later_date_and_moves_the_deadline() -> None:
    r = report(Status.DALAM_PROSES)
    later = (r.deadline + timedelta(days=14)).isoformat()
    no_reason = check(OFFICER, r, Action.REQUEST_EXTENSION, {"proposed_deadline": later})
    assert no_reason.refusal is not None and no_reason.refusal.code is Refusal.NEEDS_REASON
    no_date = check(OFFICER, r, Action.REQUEST_EXTENSION, {"reason": "Pompa air 21 hari"})
    assert no_date.refusal is not None and no_date.refusal.code is Refusal.NEEDS_DATE
    naive = check(
        OFFICER,
        r,
        Action.REQUEST_EXTENSION,
        {"reason": "x", "proposed_deadline": "2026-12-30T10:00:00"},
    )
    assert naive.refusal is not None and naive.refusal.code is Refusal.NEEDS_DATE
    earlier = (r.deadline - timedelta(hours=1)).isoformat()
    early = check(
        OFFICER, r, Action.REQUEST_EXTENSION, {"reason": "x", "proposed_deadline": earlier}
    )
    assert early.refusal is not None and early.refusal.code is Refusal.DATE_NOT_LATER

    asked = apply(
        r,
        OFFICER,
        Action.REQUEST_EXTENSION,
        {"reason": "Pompa air 21 hari", "proposed_deadline": later},
    )
    assert asked.extension.state is ExtensionState.REQUESTED
    again = check(
        OFFICER, asked, Action.REQUEST_EXTENSION, {"reason": "x", "proposed_deadline": later}
    )
    assert again.refusal is not None and again.refusal.code is Refusal.EXTENSION_PENDING
    approved = apply(asked, SUPERVISOR, Action.APPROVE_EXTENSION, {})
    assert approved.deadline == datetime.fromisoformat(later)
    assert approved.extension.state is ExtensionState.APPROVED
    refused = check(SUPERVISOR, asked, Action.REFUSE_EXTENSION, {})
    assert refused.refusal is not None and refused.refusal.code is Refusal.NEEDS_NOTE
    kept = apply(asked, SUPERVISOR, Action.REFUSE_EXTENSION, {"note": "Tidak cukup alasan"})
    assert kept.deadline == r.deadline and kept.extension.state is ExtensionState.REFUSED
    nothing_pending = check(SUPERVISOR, r, Action.APPROVE_EXTENSION)
    assert nothing_pending.refusal is not None
    assert nothing_pending.refusal.code is Refusal.NO_PENDING_EXTENSION


def test_return_as_not_our_duty_needs_a_reason_and_reroute_needs_a_unit() -> None:
    r = report(Status.DITERIMA)
    refused = check(OFFICER, r, Action.RETURN_NOT_OUR_DUTY, {"reason": ""})
    assert refused.refusal is not None and refused.refusal.code is Refusal.NEEDS_REASON
    returned = apply(r, OFFICER, Action.RETURN_NOT_OUR_DUTY, {"reason": "Wewenang Dinas SDA"})
    assert returned.status is Status.KOORDINASI and returned.assignee_id is None
    no_unit = check(COORDINATOR, returned, Action.REROUTE, {})
    assert no_unit.refusal is not None and no_unit.refusal.code is Refusal.NEEDS_UNIT
    rerouted = apply(returned, COORDINATOR, Action.REROUTE, {"unit_id": "sudin-sda-jaksel"})
    assert rerouted.status is Status.BARU and rerouted.unit_id == "sudin-sda-jaksel"


@pytest.mark.parametrize(
    "percent",
    [-1, 101, "50", 50.0, True, None],
    ids=["neg", "over", "str", "float", "bool", "none"],
)
def test_progress_percent_must_be_an_int_0_to_100(percent: object) -> None:
    r = report(Status.DALAM_PROSES)
    decision = check(OFFICER, r, Action.PROGRESS, {"percent": percent})
    assert decision.refusal is not None and decision.refusal.code is Refusal.INVALID_PERCENT


@pytest.mark.parametrize(
    "photo",
    [
        None,
        {},
        {"sha256": "zz" * 32, "kind": "after"},
        {"sha256": SHA, "kind": "reporter"},
        {"sha256": SHA[:-2], "kind": "before"},
        {"sha256": SHA, "kind": "selfie"},
    ],
)
def test_photo_reference_must_be_valid(photo: object) -> None:
    r = report(Status.DALAM_PROSES)
    decision = check(OFFICER, r, Action.ADD_PHOTO, {"photo": photo})
    assert decision.refusal is not None and decision.refusal.code is Refusal.INVALID_PHOTO


def test_available_lists_the_roles_actions_with_reasons() -> None:
    r = report(Status.DIDISPOSISIKAN)
    offered = dict(available(OFFICER, r))
    assert set(offered) == set(OFFICER_ACTIONS)
    assert offered[Action.ACCEPT].allowed
    assert offered[Action.COMPLETE].refusal is not None
    assert Action.APPROVE not in offered


def test_dispatch_sets_assignee_and_reassign_keeps_progress() -> None:
    dispatched = apply(report(), SUPERVISOR, Action.DISPATCH, {"assignee_id": "u-off"})
    assert dispatched.assignee_id == "u-off" and dispatched.status is Status.DIDISPOSISIKAN
    working = report(Status.DALAM_PROSES, progress_pct=40)
    moved = apply(working, SUPERVISOR, Action.REASSIGN, {"assignee_id": "u-off2"})
    assert moved.assignee_id == "u-off2" and moved.progress_pct == 40
    assert moved.status is Status.DIDISPOSISIKAN


def test_a_status_refusal_names_the_status_in_words_not_its_code() -> None:
    text = explain(Refusal.WRONG_STATUS, status=Status.DITERIMA.value)
    assert "'Diterima'" in text.message_id and "diterima" not in text.message_id
    assert "'Accepted'" in text.message_en and "diterima" not in text.message_en
    waiting = explain(Refusal.WRONG_STATUS, status=Status.MENUNGGU_VALIDASI.value)
    assert "menunggu_validasi" not in waiting.message_id + waiting.message_en
