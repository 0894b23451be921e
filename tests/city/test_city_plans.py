"""The Dasbor kota's scans keep the plans their speed rests on (SQLite).

Timing was dominated by sorting a year's rows for GROUP BY, so `server/figures` reads
indexes in group order (see the module docstring). SQLite has no statistics to find
those plans by itself; this test fails if a change makes it sort a year again (the
figures would still be right, only slow: the other tests cannot see it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, event

from domain.city import CityQuery, Period
from server.db import read_tx
from server.figures import city_figures
from tests.city.conftest import YearServer

# The first test seeds a whole year (185,852 reports, per database) in its setup: on a
# busy 2-core machine that alone can pass the suite's 300 s default.
# One worker seeds the year (a session fixture) and runs every city test with it.
pytestmark = [pytest.mark.timeout(1500), pytest.mark.xdist_group("city")]

YEAR = Period(date(2024, 1, 1), date(2024, 12, 31))


@contextmanager
def _statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _plans(year: YearServer, q: CityQuery) -> list[tuple[str, str]]:
    engine = year.running.engine
    with _statements(engine) as seen, read_tx(engine) as conn:
        city_figures(conn, q, year.running.clock())
    with engine.connect() as conn:
        return [
            (
                statement,
                " | ".join(
                    str(row[3])
                    for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
                ),
            )
            for statement, params in seen
        ]


def _plan_of(plans: list[tuple[str, str]], marker: str) -> list[str]:
    found = [plan for statement, plan in plans if marker in statement]
    assert found, f"no statement with {marker!r}"
    return found


def test_a_year_of_the_city_or_a_kota_is_never_sorted_for_its_groups(
    sqlite_year: YearServer,
) -> None:
    for q in (CityQuery(YEAR), CityQuery(YEAR, area="31.75")):
        plans = _plans(sqlite_year, q)
        # The days: one range of the time index per day, nothing sorted.
        (days,) = _plan_of(plans, "WITH RECURSIVE")
        assert "CORRELATED SCALAR SUBQUERY" in days, days
        assert "ix_reports_figures (received_at>? AND received_at<?)" in days, days
        assert "TEMP B-TREE" not in days, days
        # The grouped scans read an index in their group's order.
        for marker, index in (
            ("GROUP BY reports.kelurahan_code", "ix_reports_figures_area"),
            ("GROUP BY reports.category", "ix_reports_by_category"),
            ("GROUP BY reports.channel", "ix_reports_by_channel"),
        ):
            (plan,) = _plan_of(plans, marker)
            assert index in plan and "TEMP B-TREE FOR GROUP BY" not in plan, (q.area, plan)
        # The period's distinct reporters (the peak day's, a single day, may sort).
        reporters = _plan_of(plans, "GROUP BY reports.reporter_id")
        assert any(
            "ix_reports_by_reporter" in plan and "TEMP B-TREE" not in plan for plan in reporters
        ), reporters


def test_a_short_period_reads_its_own_range_of_the_time_index(sqlite_year: YearServer) -> None:
    may = CityQuery(Period(date(2024, 5, 1), date(2024, 5, 31)))
    for _statement, plan in _plans(sqlite_year, may):
        assert "ix_reports_figures (received_at>? AND received_at<?)" in plan, plan
