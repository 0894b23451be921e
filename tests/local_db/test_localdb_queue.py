"""The queue behind the officer's main screen: SLA urgency order, filters, counts, plan."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import local_db
import local_db.tab_counts as counts_module
from domain import Extension, ExtensionState, Report, Status, UrgencyLevel, by_urgency
from local_db import LocalDb, QueueFilter, Stage
from local_db.queries import queue_sql
from tests.local_db.factory import NOW, page, report, upsert

OPEN = [s for s in Status if s.is_open]


def _load(db: LocalDb, reports: list[Report]) -> None:
    local_db.start_pull(db)
    local_db.apply_page(db, page(*(upsert(r) for r in reports)), NOW)


reports_strategy = st.lists(
    st.builds(
        lambda i, status, age_h, sla, ext_h, rework: report(
            f"r{i:04d}",
            status=status,
            received_at=NOW - timedelta(hours=age_h),
            sla_days=sla,
            extended_deadline=None if ext_h is None else NOW + timedelta(hours=ext_h),
            extension=NO_EXT if ext_h is None else APPROVED,
            rework_count=rework,
        ),
        st.integers(0, 9999),
        st.sampled_from(list(Status)),
        st.integers(0, 24 * 30),
        st.integers(1, 30),
        st.none() | st.integers(-200, 800),
        st.integers(0, 2),
    ),
    max_size=40,
    unique_by=lambda r: r.id,
)
NO_EXT = Extension(ExtensionState.NONE)
APPROVED = Extension(ExtensionState.APPROVED, None, "hujan", "ok")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reports=reports_strategy)
def test_queue_order_is_the_domain_urgency_order(db: LocalDb, reports: list[Report]) -> None:
    with db.write() as conn:
        conn.execute("DELETE FROM reports")
    _load(db, reports)
    got = local_db.queue(db, now=NOW, limit=1000)
    expected = [r for r in by_urgency(reports) if r.status.is_open]
    assert [i.report.id for i in got] == [r.id for r in expected]
    for item in got:
        assert item.urgency.level is not UrgencyLevel.CLOSED


def test_urgency_levels_follow_the_given_now(db: LocalDb) -> None:
    _load(
        db,
        [
            report("late", received_at=NOW - timedelta(days=8)),
            report("soon", received_at=NOW - timedelta(days=6, hours=12)),
            report("fresh", received_at=NOW),
        ],
    )
    levels = {i.report.id: i.urgency.level for i in local_db.queue(db, now=NOW)}
    assert levels == {
        "late": UrgencyLevel.OVERDUE,
        "soon": UrgencyLevel.DUE_SOON,
        "fresh": UrgencyLevel.ON_TRACK,
    }
    # Five days later (server clock) the fresh one has two days left.
    later = {i.report.id: i.urgency.level for i in local_db.queue(db, now=NOW + timedelta(days=5))}
    assert later["soon"] is UrgencyLevel.OVERDUE
    assert later["fresh"] is UrgencyLevel.AT_RISK
    assert local_db.counts(db, now=NOW).overdue == 1


def test_stages_filters_and_paging(db: LocalDb) -> None:
    _load(
        db,
        [
            report("new", status=Status.BARU, assignee_id=None),
            report("todo", status=Status.DIDISPOSISIKAN),
            report("acc", status=Status.DITERIMA, category="pohon"),
            report("work", status=Status.DALAM_PROSES),
            report("redo", status=Status.DALAM_PROSES, rework_count=1),
            report("wait", status=Status.MENUNGGU_VALIDASI, kelurahan_code="31.71.06.1002"),
            report("done", status=Status.SELESAI),
            report("coord", status=Status.KOORDINASI),
        ],
    )

    def ids(**kw: object) -> set[str]:
        return {i.report.id for i in local_db.queue(db, now=NOW, **kw)}  # type: ignore[arg-type]

    assert ids(stage=Stage.NEW) == {"new"}
    assert ids(stage=Stage.TO_ACT) == {"todo", "acc"}
    assert ids(stage=Stage.IN_PROGRESS) == {"work"}
    assert ids(stage=Stage.REWORK) == {"redo"}
    assert ids(stage=Stage.WAITING_VALIDATION) == {"wait"}
    assert ids(stage=Stage.DONE) == {"done", "coord"}
    assert ids(status=Status.SELESAI) == {"done"}
    assert ids(category="pohon") == {"acc"}
    assert ids(kelurahan_code="31.71.06.1002") == {"wait"}
    assert "done" not in ids()  # the main queue is the open reports
    first = local_db.queue(db, now=NOW, limit=3)
    rest = local_db.queue(db, now=NOW, limit=10, offset=3)
    assert len(first) == 3
    assert not {i.report.id for i in first} & {i.report.id for i in rest}
    counts = local_db.counts(db, now=NOW)
    assert counts.by_stage[Stage.TO_ACT] == 2
    assert counts.by_status[Status.DALAM_PROSES] == 2
    assert counts.open_total == 7


def _plan(db: LocalDb, flt: QueueFilter) -> str:
    sql, args = queue_sql(flt)
    with db.read() as conn:
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, [*args, 50, 0]).fetchall()
    return " | ".join(r["detail"] for r in rows)


def test_queue_queries_use_their_index_without_sorting(db: LocalDb) -> None:
    _load(db, [report(f"r{i}") for i in range(30)])
    with db.write() as conn:
        conn.execute("ANALYZE")
    cases = {
        QueueFilter(): "reports_queue",
        QueueFilter(stage=Stage.TO_ACT): "reports_stage",
        QueueFilter(status=Status.DITERIMA): "reports_status",
        QueueFilter(category="jalan"): "reports_queue",
        QueueFilter(stage=Stage.DONE, kelurahan_code="x"): "reports_stage",
    }
    for flt, index in cases.items():
        plan = _plan(db, flt)
        assert index in plan, (flt, plan)
        assert "TEMP B-TREE" not in plan, (flt, plan)


def test_overdue_is_counted_per_stage(db: LocalDb) -> None:
    _load(
        db,
        [
            report("todo-late", status=Status.DIDISPOSISIKAN, received_at=NOW - timedelta(days=9)),
            report("todo-ok", status=Status.DIDISPOSISIKAN, received_at=NOW),
            report("work-late", status=Status.DALAM_PROSES, received_at=NOW - timedelta(days=8)),
            report("work-late2", status=Status.DALAM_PROSES, received_at=NOW - timedelta(days=10)),
            report("done-old", status=Status.SELESAI, received_at=NOW - timedelta(days=30)),
        ],
    )
    c = local_db.counts(db, now=NOW)
    assert c.overdue == 3
    assert c.overdue_by_stage == {Stage.TO_ACT: 1, Stage.IN_PROGRESS: 2}
    # The clock moves, the data does not: the same snapshot answers for a later now.
    later = local_db.counts(db, now=NOW + timedelta(days=8))
    assert later.overdue_by_stage == {Stage.TO_ACT: 2, Stage.IN_PROGRESS: 2}


def test_counts_are_read_once_per_data_version(
    db: LocalDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(db, [report("a"), report("b", status=Status.DALAM_PROSES)])
    reads: list[int] = []
    real = counts_module.read_snapshot

    def counting(conn: sqlite3.Connection, now: str) -> counts_module.CountsSnapshot:
        reads.append(1)
        return real(conn, now)

    monkeypatch.setattr(counts_module, "read_snapshot", counting)
    first = local_db.counts(db, now=NOW)
    again = local_db.counts(db, now=NOW + timedelta(hours=1))
    assert len(reads) == 1 and first.by_stage == again.by_stage
    # Past the next deadline an overdue count may change: read again.
    late = local_db.counts(db, now=NOW + timedelta(days=8))
    assert len(reads) == 2 and late.overdue == 2 and first.overdue == 0
    # A write (a pull page here) changes the data version: the counts follow it.
    local_db.apply_page(db, page(upsert(report("c"))), NOW)
    after = local_db.counts(db, now=NOW)
    assert len(reads) == 3
    assert after.by_stage[Stage.TO_ACT] == first.by_stage[Stage.TO_ACT] + 1
