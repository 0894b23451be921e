"""Who may push which action on which unit's report: role x action x unit, over real
HTTP on SQLite and PostgreSQL.

For every workflow action and for a report of unit A and one of unit B (each brought to
a status the action starts from, assigned to that unit's officer), every seeded user
pushes it. Exactly the users the rules name apply it: the role must be in the action's
rule, an officer must be the assignee, a supervisor must be of the report's unit (a
validator and a coordinator act city-wide). Everyone else is refused, and the report
does not change."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from domain import RULES, Action, Role
from server.db import write_tx
from server.reports import create_report
from server.schema import reports
from tests.server.kit import (
    COORDINATOR,
    OFFICER_A1,
    OFFICER_A2,
    OFFICER_B1,
    SUPERVISOR_A,
    SUPERVISOR_B,
    VALIDATOR,
    ApiClient,
    RunningServer,
    World,
    make_jpeg,
    sha256,
)

Api = Callable[..., ApiClient]
USERS = {
    OFFICER_A1: (Role.OFFICER, "A"),
    OFFICER_A2: (Role.OFFICER, "A"),
    OFFICER_B1: (Role.OFFICER, "B"),
    SUPERVISOR_A: (Role.SUPERVISOR, "A"),
    SUPERVISOR_B: (Role.SUPERVISOR, "B"),
    VALIDATOR: (Role.VALIDATOR, None),
    COORDINATOR: (Role.COORDINATOR, None),
}
ASSIGNEE = {"A": OFFICER_A1, "B": OFFICER_B1}
SUPERVISOR = {"A": SUPERVISOR_A, "B": SUPERVISOR_B}
REFUSALS = {"unknown_report", "role_not_allowed", "not_assignee", "other_unit"}
# The path that brings a new report to the status each action starts from.
SETUP: dict[Action, tuple[str, ...]] = {
    Action.DISPATCH: (),
    Action.REASSIGN: ("dispatch",),
    Action.ACCEPT: ("dispatch",),
    Action.START: ("dispatch", "accept"),
    Action.PROGRESS: ("dispatch", "accept", "start"),
    Action.ADD_PHOTO: ("dispatch", "accept", "start"),
    Action.COMPLETE: ("dispatch", "accept", "start", "add_after_photo"),
    Action.REQUEST_EXTENSION: ("dispatch", "accept"),
    Action.APPROVE_EXTENSION: ("dispatch", "accept", "request_extension"),
    Action.REFUSE_EXTENSION: ("dispatch", "accept", "request_extension"),
    Action.RETURN_NOT_OUR_DUTY: ("dispatch", "accept"),
    Action.REROUTE: ("dispatch", "accept", "return_not_our_duty"),
    Action.APPROVE: ("dispatch", "accept", "start", "add_after_photo", "complete"),
    Action.SEND_BACK: ("dispatch", "accept", "start", "add_after_photo", "complete"),
    Action.CLOSE: (),
}


def allowed(username: str, action: Action, unit: str) -> bool:
    role, own_unit = USERS[username]
    if role not in RULES[action].roles:
        return False
    if role is Role.OFFICER:
        return username == ASSIGNEE[unit]
    if role is Role.SUPERVISOR:
        return own_unit == unit
    return True


class Bench:
    def __init__(self, server: RunningServer, world: World, api: Api) -> None:
        self.server, self.world = server, world
        self.clients = {name: api(name) for name in USERS}
        self.photos = itertools.count(7000)  # a distinct image (and sha256) each time

    def new_report(self, unit: str) -> str:
        unit_id = self.world.unit_a if unit == "A" else self.world.unit_b
        code = "31.71.06.1001" if unit == "A" else "31.71.06.1002"
        now = self.server.clock()
        with write_tx(self.server.engine) as conn:
            return create_report(
                conn,
                report_id=None,
                tracking_id=None,
                category="jalan",
                channel="jaki",
                unit_id=unit_id,
                received_at=now - timedelta(hours=1),
                title="Jalan berlubang",
                description="Lubang di jalan.",
                address="Jl. Teuku Umar",
                latitude=-6.1962,
                longitude=106.8325,
                kelurahan_code=code,
                is_public=False,
                reporter=None,
                reporter_photo=None,
                now=now,
            )

    def payload(self, action: Action, unit: str, actor: str) -> dict[str, Any]:
        officer = self.world.uid(ASSIGNEE[unit])
        later = (self.server.clock() + timedelta(days=30)).isoformat()
        if action in (Action.DISPATCH, Action.REASSIGN):
            return {"assignee_id": officer}
        if action is Action.PROGRESS:
            return {"percent": 50, "note": "separuh"}
        if action in (Action.ADD_PHOTO, Action.COMPLETE):
            client = self.clients[actor]
            data = make_jpeg(seed=next(self.photos))
            client.upload(data)
            kind = "after" if action is Action.COMPLETE else "during"
            return {"photo": {"sha256": sha256(data), "kind": kind}, "note": "selesai"}
        if action is Action.REQUEST_EXTENSION:
            return {"reason": "menunggu material", "proposed_deadline": later}
        if action is Action.REROUTE:
            return {"unit_id": self.world.unit_b if unit == "A" else self.world.unit_a}
        return {"note": "catatan", "reason": "alasan"}

    def push(self, actor: str, action: Action, rid: str, unit: str) -> dict[str, Any]:
        client = self.clients[actor]
        return client.act(action.value, rid, **self.payload(action, unit, actor))

    def prepare(self, action: Action, unit: str) -> str:
        rid = self.new_report(unit)
        for step in SETUP[action]:
            if step == "add_after_photo":
                officer = self.clients[ASSIGNEE[unit]]
                data = make_jpeg(seed=next(self.photos))
                officer.upload(data)
                result = officer.act(
                    "add_photo", rid, photo={"sha256": sha256(data), "kind": "after"}
                )
            else:
                step_action = Action(step)
                actor = SUPERVISOR[unit] if step_action is Action.DISPATCH else ASSIGNEE[unit]
                result = self.push(actor, step_action, rid, unit)
            assert result["outcome"] == "applied", (action, unit, step, result)
        return rid

    def version(self, rid: str) -> tuple[Any, ...]:
        with self.server.engine.connect() as conn:
            row = conn.execute(
                select(reports.c.version, reports.c.status).where(reports.c.id == rid)
            ).one()
        return tuple(row)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_push_authorization_by_role_action_and_unit(
    server: RunningServer, world: World, api: Api, action: Action
) -> None:
    bench = Bench(server, world, api)
    for unit in ("A", "B"):
        rid = bench.prepare(action, unit)  # a refusal changes nothing: one report for all
        before = bench.version(rid)
        for username in USERS:
            if allowed(username, action, unit):
                continue
            result = bench.push(username, action, rid, unit)
            assert result["outcome"] == "rejected", (username, action, unit, result)
            assert result["code"] in REFUSALS, (username, action, unit, result)
            assert bench.version(rid) == before
        permitted = [u for u in USERS if allowed(u, action, unit)]
        assert permitted, (action, unit)
        for username in permitted:
            rid = rid if bench.version(rid) == before else bench.prepare(action, unit)
            result = bench.push(username, action, rid, unit)
            assert result["outcome"] == "applied", (username, action, unit, result)
