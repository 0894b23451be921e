"""Push idempotency: a retried mutation is answered with its first result, never re-applied."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from server.schema import feed, mutations, timeline
from tests.server.kit import OFFICER_A1, OFFICER_A2, SUPERVISOR_A, ApiClient, RunningServer, World

Api = Callable[..., ApiClient]


def timeline_count(server: RunningServer, report_id: str) -> int:
    with server.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(timeline).where(timeline.c.report_id == report_id)
            ).scalar_one()
        )


def test_same_mutation_twice_is_applied_once(server: RunningServer, world: World, api: Api) -> None:
    rid = world.rid("a_new")
    sup = api(SUPERVISOR_A)
    m = sup.mutation("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    first = sup.push(m)
    with server.engine.connect() as conn:
        feed_rows = conn.execute(select(func.count()).select_from(feed)).scalar_one()
    again = sup.push(m)
    assert again == first and first[0]["outcome"] == "applied"
    assert timeline_count(server, rid) == 2  # received + one dispatch
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(feed)).scalar_one() == feed_rows


def test_duplicate_within_one_batch(server: RunningServer, world: World, api: Api) -> None:
    rid = world.rid("a_new")
    sup = api(SUPERVISOR_A)
    m = sup.mutation("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    results = sup.push(m, m)
    assert results[0] == results[1]
    assert timeline_count(server, rid) == 2


def test_a_rejection_is_remembered(server: RunningServer, world: World, api: Api) -> None:
    rid = world.rid("a_new")
    sup, officer = api(SUPERVISOR_A), api(OFFICER_A1)
    early = officer.mutation("accept", rid)  # not dispatched yet: refused
    first = officer.push(early)[0]
    assert first["outcome"] == "rejected"
    sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    # The state would now allow it, but a retry of the same id gets the same answer.
    assert officer.push(early)[0] == first
    # A new mutation (a new id) is judged afresh.
    assert officer.act("accept", rid)["outcome"] == "applied"


def test_batch_results_are_in_order_and_independent(
    server: RunningServer, world: World, api: Api
) -> None:
    rid = world.rid("a_new")
    sup, officer = api(SUPERVISOR_A), api(OFFICER_A1)
    sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    batch = [
        officer.mutation("accept", rid),
        officer.mutation("progress", rid, percent=10),  # refused: not started
        officer.mutation("start", rid),  # not blocked by the refusal before it
        officer.mutation("progress", rid, percent=30),
    ]
    results = officer.push(*batch)
    assert [r["id"] for r in results] == [m["id"] for m in batch]
    assert [r["outcome"] for r in results] == ["applied", "rejected", "applied", "applied"]
    assert [r["report_version"] for r in results] == [2, None, 3, 4]


def test_mutation_id_of_another_user_is_not_disclosed(
    server: RunningServer, world: World, api: Api
) -> None:
    rid = world.rid("a_new")
    sup, officer = api(SUPERVISOR_A), api(OFFICER_A2)
    m = sup.mutation("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    sup.push(m)
    stolen = dict(m)
    result = officer.push(stolen)[0]
    assert result["outcome"] == "rejected" and result["code"] == "invalid_payload"
    with server.engine.connect() as conn:
        owner = conn.execute(select(mutations.c.user_id).where(mutations.c.id == m["id"])).scalar()
    assert owner == world.uid(SUPERVISOR_A)


def test_concurrent_retries_apply_once(server: RunningServer, world: World, api: Api) -> None:
    """The same mutation sent on several connections at once (a flaky network's retries)."""
    rid = world.rid("a_new")
    clients = [api() for _ in range(4)]
    login = api(SUPERVISOR_A)
    for c in clients:  # the same session's token on four connections
        c.access = login.access
    m = login.mutation("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    answers: list[list[dict[str, Any]]] = []
    barrier = threading.Barrier(len(clients))
    lock = threading.Lock()

    def send(client: ApiClient) -> None:
        barrier.wait()
        result = client.push(m)
        with lock:
            answers.append(result)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 4 and all(a == answers[0] for a in answers)
    assert answers[0][0]["outcome"] == "applied"
    assert timeline_count(server, rid) == 2
