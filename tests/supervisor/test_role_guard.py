"""Each role keeps to its own actions: refused on the device, and by the server anyway.

The device refuses before anything is queued (the domain rules); a client that skips
the device's rules and pushes directly is refused by the real server with the same
reason code. The allowed counterpart of each case is applied, so the refusals are not
a server that refuses everything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

import local_db
from domain import Action, Refusal
from officer_app.supervisor.data import RoleData
from tests.server.kit import (
    OFFICER_B1,
    SUPERVISOR_B,
    VALIDATOR,
    ApiClient,
    World,
    make_jpeg,
)

from .kit import NOW, make_device, settle
from .stories import OFFICERS, SUPERVISOR_INFO, Story, fill, sign_in

H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        (Action.DISPATCH, {"assignee_id": "off-1"}),
        (Action.APPROVE, {}),
        (Action.SEND_BACK, {"note": "Ulangi"}),
        (Action.APPROVE_EXTENSION, {}),
    ],
)
def test_an_officer_device_refuses_other_roles_actions(
    tmp_path: Path, action: Action, payload: dict[str, str]
) -> None:
    device = make_device(tmp_path / "device")
    try:
        sign_in(device.db, OFFICERS[0], NOW)
        fill(device.db, [Story.new("R", NOW).snapshot()], NOW)
        with pytest.raises(local_db.ActionRefusedLocally) as refused:
            RoleData(device).record("R", action, payload)
        assert refused.value.refusal.code is Refusal.ROLE_NOT_ALLOWED
        assert local_db.pending_counts(device.db).mutations == 0
    finally:
        settle(device)


def test_a_supervisor_device_cannot_validate(tmp_path: Path) -> None:
    device = make_device(tmp_path / "device")
    try:
        sign_in(device.db, SUPERVISOR_INFO, NOW)
        story = Story.new("R", NOW - 3 * H).dispatch("off-1", H).work(H).complete(H)
        fill(device.db, [story.snapshot()], NOW)
        with pytest.raises(local_db.ActionRefusedLocally) as refused:
            RoleData(device).record("R", Action.APPROVE, {})
        assert refused.value.refusal.code is Refusal.ROLE_NOT_ALLOWED
    finally:
        settle(device)


def test_the_server_refuses_a_direct_push_of_another_roles_action(
    world: World, api: Callable[..., ApiClient]
) -> None:
    # Unit B shows its open queue to its officers: the officer sees the new report.
    officer, supervisor, validator = api(OFFICER_B1), api(SUPERVISOR_B), api(VALIDATOR)
    new = world.rid("b_new")
    b1 = world.uid(OFFICER_B1)

    refused = officer.act("dispatch", new, assignee_id=b1)
    assert (refused["outcome"], refused["code"]) == ("rejected", "role_not_allowed")
    refused = validator.act("dispatch", new, assignee_id=b1)  # not even in its scope
    assert refused["outcome"] == "rejected"
    assert refused["code"] in ("role_not_allowed", "unknown_report")
    assert supervisor.act("dispatch", new, assignee_id=b1)["outcome"] == "applied"

    # The officer works it to completion; only a validator may then decide.
    assert officer.act("accept", new)["outcome"] == "applied"
    assert officer.act("start", new)["outcome"] == "applied"
    photo = officer.upload(make_jpeg(seed=7))
    after = {"sha256": photo["sha256"], "kind": "after"}
    assert officer.act("complete", new, photo=after)["outcome"] == "applied"
    for client in (officer, supervisor):
        refused = client.act("approve", new)
        assert (refused["outcome"], refused["code"]) == ("rejected", "role_not_allowed")
        refused = client.act("send_back", new, note="Ulangi")
        assert (refused["outcome"], refused["code"]) == ("rejected", "role_not_allowed")
    assert validator.act("approve", new)["outcome"] == "applied"
