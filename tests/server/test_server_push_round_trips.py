"""A pushed mutation costs a bounded number of statements.

On PostgreSQL every statement is a round trip, and its answer waits for the server
process's interpreter again behind every other request: with 50 devices on one process,
cutting a mutation from about twenty statements to eight took the push p50 from 84–92 ms
to 30–36 ms (`bench/load_locust.py`, docs/server.md "Push"). This counts what the
database is sent (statements, savepoints included) for a batch of one mutation and a batch of
five, so the cost of one more mutation is told apart from the request's own (the
session check, the transaction, the feed), and a change that adds round trips per
mutation fails here rather than only in a benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from tests.server.kit import OFFICER_B1, SUPERVISOR_B, ApiClient, RunningServer, World

Api = Callable[..., ApiClient]

# Per mutation: its savepoint and release, the claim, the report (locked, with its unit's
# flag and last send-back), its photo links, the report update, the timeline row and the
# stored answer. One spare for a later need.
PER_MUTATION_MAX = 9
PER_REQUEST_MAX = 16  # the session check, the batch's locks and audiences, the feed


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    sent: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        sent.append(sql.split(None, 1)[0].upper())

    # Savepoints go through the cursor too; COMMIT (and PostgreSQL's BEGIN) do not.
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", statement)


def test_a_mutation_costs_a_bounded_number_of_statements(
    server: RunningServer, world: World, api: Api
) -> None:
    sup, officer = api(SUPERVISOR_B), api(OFFICER_B1)
    rid = world.rid("b_new")
    sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_B1))
    officer.act("accept", rid)
    officer.act("start", rid)
    with counting(server.engine) as one:
        results = officer.push(officer.mutation("progress", rid, percent=10, note="Mulai"))
    progress = [
        officer.mutation("progress", rid, percent=p, note=f"Lanjut {p}")
        for p in (20, 30, 40, 50, 60)
    ]
    with counting(server.engine) as five:
        results += officer.push(*progress)
    assert [r["outcome"] for r in results] == ["applied"] * 6
    per_mutation = (len(five) - len(one)) / 4
    assert per_mutation <= PER_MUTATION_MAX, " ".join(five)
    assert len(one) - per_mutation <= PER_REQUEST_MAX, " ".join(one)
