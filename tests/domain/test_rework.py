"""The rework rule: after a send-back, completing needs a new after-photo taken since.

Both sides call `domain.check`; the device's overlay and the server's push use the same
`apply`, so these tests also pin what each side computes (`test_both_sides_agree`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import (
    Action,
    Actor,
    PhotoKind,
    Refusal,
    Report,
    Role,
    Status,
    apply,
    available,
    check,
    needs_new_after_photo,
)

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
SENT_BACK = T0 + timedelta(days=2)
OLD_SHA = "aa" * 32
NEW_SHA = "bb" * 32
BEFORE_SHA = "cc" * 32

OFFICER = Actor("u-off", Role.OFFICER, "kel-1")
SUPERVISOR = Actor("u-sup", Role.SUPERVISOR, "kel-1")
VALIDATOR = Actor("u-val", Role.VALIDATOR, "biro-pem")
COORDINATOR = Actor("u-coord", Role.COORDINATOR, None)


def photo(sha: str, kind: str = "after", at: datetime | None = None) -> dict[str, object]:
    out: dict[str, object] = {"sha256": sha, "kind": kind}
    if at is not None:
        out["captured_at"] = at.isoformat()
    return out


def waiting() -> Report:
    """Completed once with OLD_SHA as the after photo, waiting for validation."""
    return Report(
        id="r1",
        tracking_id="CRM-2026-000001",
        status=Status.MENUNGGU_VALIDASI,
        category="jalan",
        channel="jaki",
        unit_id="kel-1",
        received_at=T0,
        assignee_id="u-off",
        progress_pct=100,
        photo_kinds=frozenset({PhotoKind.BEFORE, PhotoKind.AFTER}),
        photo_shas=frozenset({OLD_SHA, BEFORE_SHA}),
    )


def sent_back() -> Report:
    return apply(waiting(), VALIDATOR, Action.SEND_BACK, {"note": "Kurang jelas"}, at=SENT_BACK)


def test_send_back_records_when_and_owes_a_new_after_photo() -> None:
    r = sent_back()
    assert r.status is Status.DALAM_PROSES
    assert r.sent_back_at == SENT_BACK
    assert r.rework_count == 1
    assert needs_new_after_photo(r)
    assert not needs_new_after_photo(waiting())


def test_completing_again_with_nothing_new_is_refused_with_its_own_code() -> None:
    r = sent_back()
    for payload in ({}, {"photo": photo(OLD_SHA, at=SENT_BACK + timedelta(hours=1))}):
        decision = check(OFFICER, r, Action.COMPLETE, payload)
        assert not decision.allowed
        assert decision.refusal is not None
        assert decision.refusal.code is Refusal.NEEDS_NEW_AFTER_PHOTO
        assert "baru" in decision.refusal.message_id


def test_the_screen_knows_before_the_officer_tries() -> None:
    """`available` (no payload) already refuses Selesaikan, with the reason."""
    options = dict(available(OFFICER, sent_back()))
    refusal = options[Action.COMPLETE].refusal
    assert refusal is not None and refusal.code is Refusal.NEEDS_NEW_AFTER_PHOTO


@pytest.mark.parametrize(
    ("sha", "kind", "at", "counts"),
    [
        (NEW_SHA, "after", SENT_BACK + timedelta(minutes=5), True),
        (NEW_SHA, "after", SENT_BACK, True),  # at the very instant
        (NEW_SHA, "after", SENT_BACK - timedelta(minutes=1), False),  # taken before
        (NEW_SHA, "after", None, False),  # no capture time: cannot be shown to be new
        (NEW_SHA, "during", SENT_BACK + timedelta(minutes=5), False),  # not an after photo
        (OLD_SHA, "after", SENT_BACK + timedelta(minutes=5), False),  # re-added
        (BEFORE_SHA, "after", SENT_BACK + timedelta(minutes=5), False),  # held as before
    ],
)
def test_which_photo_counts(sha: str, kind: str, at: datetime | None, counts: bool) -> None:
    r = sent_back()
    # Completing with the photo in the payload...
    assert check(OFFICER, r, Action.COMPLETE, {"photo": photo(sha, kind, at)}).allowed is counts
    # ...and adding it first, then completing with nothing more, answer the same.
    added = apply(r, OFFICER, Action.ADD_PHOTO, {"photo": photo(sha, kind, at)})
    assert needs_new_after_photo(added) is not counts
    assert check(OFFICER, added, Action.COMPLETE, {}).allowed is counts


def test_a_new_photo_then_complete_goes_to_the_validator_again() -> None:
    r = apply(
        sent_back(),
        OFFICER,
        Action.ADD_PHOTO,
        {"photo": photo(NEW_SHA, at=SENT_BACK + timedelta(hours=3))},
    )
    done = apply(r, OFFICER, Action.COMPLETE, {"note": "Sudah ditambal ulang"})
    assert done.status is Status.MENUNGGU_VALIDASI
    assert NEW_SHA in done.photo_shas
    # A second send-back owes another new photo: the first one does not count twice.
    again = apply(done, VALIDATOR, Action.SEND_BACK, {"note": "Masih"}, at=SENT_BACK + timedelta(1))
    assert needs_new_after_photo(again)
    late = {"photo": photo(NEW_SHA, at=SENT_BACK + timedelta(days=2))}
    assert not check(OFFICER, again, Action.COMPLETE, late).allowed


def test_first_completion_is_unchanged() -> None:
    """Never sent back: any after photo completes, as before."""
    r = waiting().evolve(
        status=Status.DALAM_PROSES, photo_kinds=frozenset(), photo_shas=frozenset()
    )
    assert not check(OFFICER, r, Action.COMPLETE, {}).allowed
    assert check(OFFICER, r, Action.COMPLETE, {"photo": photo(NEW_SHA)}).allowed
    with_old = r.evolve(photo_kinds=frozenset({PhotoKind.AFTER}), photo_shas=frozenset({OLD_SHA}))
    assert check(OFFICER, with_old, Action.COMPLETE, {}).allowed


@pytest.mark.parametrize("actor", [SUPERVISOR, VALIDATOR, COORDINATOR])
def test_other_roles_never_complete_even_with_a_new_photo(actor: Actor) -> None:
    payload = {"photo": photo(NEW_SHA, at=SENT_BACK + timedelta(hours=1))}
    decision = check(actor, sent_back(), Action.COMPLETE, payload)
    assert decision.refusal is not None
    assert decision.refusal.code is Refusal.ROLE_NOT_ALLOWED


@pytest.mark.parametrize("actor", [SUPERVISOR, COORDINATOR])
def test_other_roles_keep_their_own_actions_during_rework(actor: Actor) -> None:
    """The rule binds completion only: a supervisor may still reassign, a coordinator
    close; the new officer then owes the new photo too."""
    r = sent_back()
    action = Action.REASSIGN if actor is SUPERVISOR else Action.CLOSE
    payload = {"assignee_id": "u-off2", "reason": "Duplikat"}
    assert check(actor, r, action, payload).allowed
    moved = apply(r, actor, action, payload)
    assert needs_new_after_photo(moved)


def test_other_officer_is_refused_as_not_assignee() -> None:
    other = Actor("u-off2", Role.OFFICER, "kel-1")
    payload = {"photo": photo(NEW_SHA, at=SENT_BACK + timedelta(hours=1))}
    decision = check(other, sent_back(), Action.COMPLETE, payload)
    assert decision.refusal is not None and decision.refusal.code is Refusal.NOT_ASSIGNEE
