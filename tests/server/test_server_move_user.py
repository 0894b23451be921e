"""Moving a user to another unit: the feed moves their view, and only theirs.

The oracle is the server itself: after the move, every device that kept pulling from
its cursor must hold exactly what a device syncing from scratch would get (nothing of
the old unit left behind, nothing of the new one missing), and devices whose view did
not change get no feed rows at all. Real server over loopback, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from server.admin import move_user, set_open_queue
from server.db import read_tx, write_tx
from server.errors import InvalidRequest
from server.schema import feed, reports
from tests.server.kit import (
    OFFICER_A1,
    OFFICER_B1,
    SUPERVISOR_A,
    SUPERVISOR_B,
    ApiClient,
    RunningServer,
    World,
    current,
)

Api = Callable[..., ApiClient]


def _view(changes: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    """What a device holds: the entities present, and the reports' unit and status."""
    return {
        key: (data.get("unit_id"), data.get("status"), data.get("assignee_id"))
        for key, data in current(changes).items()
        if data is not None
    }


def _fresh(api: Api, username: str) -> dict[tuple[str, str], Any]:
    client = api(username)
    return _view(client.pull_all()[0])


def _feed_rows(server: RunningServer, user_id: str) -> int:
    with read_tx(server.engine) as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(feed).where(feed.c.user_id == user_id)
            ).scalar_one()
        )


def test_a_moved_officer_leaves_the_old_units_devices_and_reaches_the_new(
    server: RunningServer, world: World, api: Api
) -> None:
    with write_tx(server.engine) as conn:
        set_open_queue(conn, world.unit_a, True, now=server.clock())
        set_open_queue(conn, world.unit_b, True, now=server.clock())
    devices = {u: api(u) for u in (OFFICER_A1, SUPERVISOR_A, SUPERVISOR_B, OFFICER_B1)}
    start = {u: d.pull_all() for u, d in devices.items()}
    officer_id = world.uid(OFFICER_A1)
    with read_tx(server.engine) as conn:
        assigned = set(
            conn.execute(select(reports.c.id).where(reports.c.assignee_id == officer_id)).scalars()
        )
    quiet_before = _feed_rows(server, world.uid(OFFICER_B1))

    with write_tx(server.engine) as conn:
        moved = move_user(conn, OFFICER_A1, world.unit_b, now=server.clock())
    assert (moved.old_unit, moved.new_unit) == (world.unit_a, world.unit_b)
    assert moved.reports_changed >= 3 and moved.users_changed == 1

    after = {}
    for username, device in devices.items():
        changes, _ = device.pull_all(start[username][1])
        after[username] = _view([*start[username][0], *changes])
        # Pulling on from the old cursor ends where a fresh first sync does.
        assert after[username] == _fresh(api, username), username
    officer_reports = {k[1] for k in after[OFFICER_A1] if k[0] == "report"}
    assert world.rid("a_new") not in officer_reports  # the old unit's open queue left
    assert {world.rid("b_new"), world.rid("b_new2")} <= officer_reports  # the new one came
    assert assigned <= officer_reports  # their assignments stay theirs
    assert ("user", officer_id) not in after[SUPERVISOR_A]
    assert ("user", officer_id) in after[SUPERVISOR_B]
    # A colleague whose view did not change got no feed row for the move.
    assert _feed_rows(server, world.uid(OFFICER_B1)) == quiet_before


def test_a_moved_supervisor_swaps_the_whole_unit(
    server: RunningServer, world: World, api: Api
) -> None:
    device = api(SUPERVISOR_A)
    start, cursor = device.pull_all()
    with write_tx(server.engine) as conn:
        move_user(conn, SUPERVISOR_A, world.unit_b, now=server.clock())
    changes, _ = device.pull_all(cursor)
    view = _view([*start, *changes])
    assert view == _fresh(api, SUPERVISOR_A) == _fresh(api, SUPERVISOR_B)
    assert {v[0] for k, v in view.items() if k[0] == "report"} == {world.unit_b}
    assert ("user", world.uid(OFFICER_B1)) in view and ("user", world.uid(OFFICER_A1)) not in view


def test_moving_to_an_unknown_unit_or_user_is_refused_and_changes_nothing(
    server: RunningServer, world: World
) -> None:
    with read_tx(server.engine) as conn:
        rows = conn.execute(select(func.count()).select_from(feed)).scalar_one()
    for username, unit in ((OFFICER_A1, "kel-0000000000"), ("nobody", world.unit_b)):
        with pytest.raises(InvalidRequest), write_tx(server.engine) as conn:
            move_user(conn, username, unit, now=server.clock())
    with read_tx(server.engine) as conn:
        assert conn.execute(select(func.count()).select_from(feed)).scalar_one() == rows
