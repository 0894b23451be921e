"""A push batch is one transaction with a savepoint per mutation.

A refused mutation in the middle undoes only itself; a failure in the middle of a
mutation's writes (injected by a database trigger on the timeline, between the report
update and the rest) leaves none of that mutation behind, keeps the ones before it, and
a retry of the whole batch answers the first ones from their stored results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select, text

from server.db import write_tx
from server.schema import feed, mutations, reports, timeline
from tests.server.kit import OFFICER_B1, SUPERVISOR_B, ApiClient, RunningServer, World

Api = Callable[..., ApiClient]
POISON = "catatan-yang-gagal"


def _count(server: RunningServer, table: Any, *where: Any) -> int:
    with server.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def _version(server: RunningServer, report_id: str) -> int:
    with server.engine.connect() as conn:
        return int(
            conn.execute(select(reports.c.version).where(reports.c.id == report_id)).scalar_one()
        )


@contextmanager
def failing_timeline_insert(server: RunningServer) -> Iterator[None]:
    """Make the database refuse a timeline row whose note is `POISON`: the report row of
    that mutation is already updated when it fails."""
    if server.backend == "sqlite":
        create = [
            "CREATE TRIGGER poison_note BEFORE INSERT ON timeline "
            f"WHEN NEW.note = '{POISON}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        ]
        drop = ["DROP TRIGGER IF EXISTS poison_note"]
    else:
        create = [
            "CREATE FUNCTION poison_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.note = '{POISON}' THEN RAISE EXCEPTION 'injected failure'; END IF; "
            "RETURN NEW; END $$",
            "CREATE TRIGGER poison_note BEFORE INSERT ON timeline "
            "FOR EACH ROW EXECUTE FUNCTION poison_note()",
        ]
        drop = [
            "DROP TRIGGER IF EXISTS poison_note ON timeline",
            "DROP FUNCTION IF EXISTS poison_note()",
        ]
    with write_tx(server.engine) as conn:
        for statement in create:
            conn.execute(text(statement))
    try:
        yield
    finally:
        with write_tx(server.engine) as conn:
            for statement in drop:
                conn.execute(text(statement))


def test_a_refusal_in_the_middle_keeps_the_others(
    server: RunningServer, world: World, api: Api
) -> None:
    first, second = world.rid("b_new"), world.rid("b_new2")
    sup = api(SUPERVISOR_B)
    officer = world.uid(OFFICER_B1)
    batch = [
        sup.mutation("dispatch", first, assignee_id=officer),
        sup.mutation("dispatch", second, assignee_id="nobody"),  # refused: unknown_user
        sup.mutation("dispatch", second, assignee_id=officer),
    ]
    results = sup.push(*batch)
    assert [r["outcome"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["code"] == "unknown_user"
    assert _count(server, timeline, timeline.c.report_id == first) == 2
    assert _count(server, timeline, timeline.c.report_id == second) == 2
    assert _version(server, second) == results[2]["report_version"] == 1
    assert sup.push(*batch) == results  # stored answers, nothing applied again
    assert _count(server, timeline, timeline.c.report_id == second) == 2


def test_a_failure_in_the_middle_leaves_no_half_mutation(
    server: RunningServer, world: World, api: Api
) -> None:
    first, second = world.rid("b_new"), world.rid("b_new2")
    sup = api(SUPERVISOR_B)
    officer = world.uid(OFFICER_B1)
    batch = [
        sup.mutation("dispatch", first, assignee_id=officer),
        sup.mutation("dispatch", second, assignee_id=officer, note=POISON),
        sup.mutation("reassign", first, assignee_id=officer),
    ]
    feed_before = _count(server, feed, feed.c.entity_id == first)
    feed_second = _count(server, feed, feed.c.entity_id == second)
    with failing_timeline_insert(server):
        response = sup.push_raw(*batch)
        assert response.status_code == 500
        # The first mutation committed; the failing one left nothing (its report update,
        # claim and feed rows rolled back); the one after it never ran.
        assert _version(server, first) == 1
        assert _version(server, second) == 0
        assert _count(server, timeline, timeline.c.report_id == second) == 1
        ids = [m["id"] for m in batch]
        assert _count(server, mutations, mutations.c.id.in_(ids)) == 1
        assert _count(server, feed, feed.c.entity_id == first) > feed_before
        assert _count(server, feed, feed.c.entity_id == second) == feed_second
    results = sup.push(*batch)
    assert [r["outcome"] for r in results] == ["applied", "applied", "applied"]
    assert [r["report_version"] for r in results] == [1, 1, 2]
    assert _count(server, timeline, timeline.c.report_id == first) == 3
    assert _count(server, timeline, timeline.c.report_id == second) == 2
