"""The feed under concurrent writers: a reader's cursor never passes a row still to come."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from server.db import write_tx
from server.feed import high_water, publish_report_change
from server.migrations import current_revision, head, migrate
from server.reports import create_report
from server.schema import feed, reports
from server.scope import report_audience
from tests.server.kit import SUPERVISOR_A, ApiClient, RunningServer, World, visible_reports

Api = Callable[..., ApiClient]


def new_report(server: RunningServer, unit: str, label: str) -> str:
    now = server.clock()
    with write_tx(server.engine) as conn:
        rid = create_report(
            conn,
            report_id=None,
            tracking_id=None,
            category="pohon",
            channel="jaki",
            unit_id=unit,
            received_at=now - timedelta(minutes=1),
            title=f"Pohon tumbang {label}",
            description="",
            address="",
            latitude=None,
            longitude=None,
            kelurahan_code=None,
            is_public=False,
            reporter=None,
            reporter_photo=None,
            now=now,
        )
    return rid


@pytest.mark.postgres
def test_a_second_feed_writer_waits_for_the_first_to_commit(
    server: RunningServer, world: World
) -> None:
    if server.backend != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite has one writer anyway")
    engine = server.engine
    with engine.connect() as reader:
        start = high_water(reader)
        reader.rollback()
    a = engine.connect()
    tx_a = a.begin()
    publish_report_change(a, world.rid("a_new"), set(), now=server.clock())
    done = threading.Event()

    def writer_b() -> None:
        with write_tx(engine) as b:
            publish_report_change(b, world.rid("b_new"), set(), now=server.clock())
        done.set()

    thread = threading.Thread(target=writer_b)
    thread.start()
    try:
        waiting = False
        deadline = time.monotonic() + 15
        while not waiting and time.monotonic() < deadline and not done.is_set():
            with engine.connect() as probe:
                waiting = bool(
                    probe.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' "
                            "AND datname = current_database()"
                        )
                    ).scalar()
                )
            time.sleep(0.02)
        assert waiting, "the second feed writer did not wait for the first"
        with engine.connect() as reader:
            assert high_water(reader) == start  # nothing of A or B is visible yet
            reader.rollback()
    finally:
        tx_a.commit()
        a.close()
        thread.join(15)
    assert done.is_set()
    with engine.connect() as reader:
        rows = reader.execute(
            select(feed.c.seq, feed.c.entity_id).where(feed.c.seq > start).order_by(feed.c.seq)
        ).all()
    a_seqs = [r.seq for r in rows if r.entity_id == world.rid("a_new")]
    b_seqs = [r.seq for r in rows if r.entity_id == world.rid("b_new")]
    assert a_seqs and b_seqs and max(a_seqs) < min(b_seqs)


def touch(server: RunningServer, report_id: str, hold_s: float) -> None:
    """Change a report and publish it, committing `hold_s` after taking its feed seqs."""
    with write_tx(server.engine) as conn:
        before = report_audience(conn, report_id)
        conn.execute(
            update(reports).where(reports.c.id == report_id).values(title="Pohon sudah dipotong")
        )
        publish_report_change(conn, report_id, before, now=server.clock())
        time.sleep(hold_s)  # commit late: the window where a reader could skip a seq


def test_concurrent_writers_and_a_polling_reader_lose_nothing(
    server: RunningServer, world: World, api: Api
) -> None:
    """Writers commit out of seq order (random delays) while a device pulls small pages:
    every change must reach it through the feed."""
    targets = [new_report(server, world.unit_a, str(i)) for i in range(24)]
    sup = api(SUPERVISOR_A)
    _, cursor = sup.pull_all()
    seen: list[dict[str, Any]] = []
    stop = threading.Event()
    rnd = random.Random(7)
    holds = [rnd.uniform(0, 0.1) for _ in targets]

    def writer(index: int) -> None:
        for j in range(index, len(targets), 4):
            touch(server, targets[j], holds[j])

    def reader() -> None:
        nonlocal cursor
        client = server.client()
        client.access = sup.access
        try:
            while not stop.is_set():
                page = client.pull(cursor, limit=2)
                seen.extend(page["changes"])
                cursor = page["cursor"]
        finally:
            client.close()

    reading = threading.Thread(target=reader)
    reading.start()
    writers = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    reading.join()
    rest, _ = sup.pull_all(cursor, limit=2)
    delivered = visible_reports(seen + rest)
    assert set(targets) <= set(delivered)
    assert all(delivered[t]["title"] == "Pohon sudah dipotong" for t in targets)


def test_migrate_is_idempotent(server: RunningServer) -> None:
    assert migrate(server.engine) == head()
    assert migrate(server.engine) == head()
    with server.engine.connect() as conn:
        assert current_revision(conn) == head()
