"""The supervisor's aggregate figures: the dashboard, the team table, officers' loads."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime
from typing import Any

from domain import Status
from domain.sla import DUE_SOON

from ..codec import dt_out
from ..connection import LocalDb
from .values import (
    ACTIVE_SQL,
    DEFAULT_DAYS,
    SLA_ACTIVE,
    SUBMITTED_SQL,
    WORKING_SQL,
    Average,
    Count,
    DashboardFigures,
    DayCount,
    OfficerLoad,
    Period,
    Scope,
    Share,
    TeamRow,
    average,
    jakarta_midnight,
    last_event,
)


def dashboard(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, days: int | None = DEFAULT_DAYS
) -> DashboardFigures:
    """The unit's dashboard figures against the server-corrected `now`.

    Three passes over the unit's reports (a device row is wide: it carries the server's
    snapshot, so every pass counts): the current counts, the period's groups, and the
    period's times (the last dispatch / completion found through the timeline's index).
    """
    period = Period.last_days(now, days)
    scope = Scope(unit_id)
    n, n24 = dt_out(now), dt_out(now + DUE_SOON)
    today = dt_out(jakarta_midnight(now))
    start = dt_out(period.start) if period.start is not None else ""
    in_period = f"{scope.sql} AND r.received_at >= ?"
    args = [*scope.args, start]
    with db.read() as conn:
        current = conn.execute(
            f"SELECT r.status, COUNT(*), COALESCE(SUM(r.deadline < ?), 0), "
            f"COALESCE(SUM(r.deadline >= ? AND r.deadline < ?), 0), "
            f"COALESCE(SUM(r.received_at >= ?), 0) FROM reports AS r WHERE {scope.sql} "
            "GROUP BY r.status",
            [n, n, n24, today, *scope.args],
        ).fetchall()
        groups = conn.execute(
            f"SELECT r.category, COALESCE(r.kelurahan_code, ''), MAX(r.kelurahan), "
            f"date(r.received_at, '+7 hours'), COUNT(*) FROM reports AS r WHERE {in_period} "
            "GROUP BY 1, 2, 4",
            args,
        ).fetchall()
        t = conn.execute(
            # MATERIALIZED: each time is looked up once, not once per use below.
            f"WITH x AS MATERIALIZED (SELECT r.received_at, r.status, r.deadline, "
            f"{last_event('dispatch')} AS d, CASE WHEN r.status = 'selesai' "
            f"THEN {last_event('complete')} END AS c FROM reports AS r WHERE {in_period}) "
            f"SELECT AVG(julianday(d) - julianday(received_at)), COUNT(d), "
            f"AVG(julianday(c) - julianday(received_at)), COUNT(c), "
            f"COALESCE(SUM(c <= deadline), 0), "
            f"COALESCE(SUM(status IN {ACTIVE_SQL} AND deadline < ?), 0) FROM x",
            [*args, n],
        ).fetchall()[0]
    by_status = {Status(row[0]): row[1] for row in current}
    active = [row for row in current if Status(row[0]) in SLA_ACTIVE]
    categories: Counter[str] = Counter()
    kelurahan: Counter[str] = Counter()
    kelurahan_names: dict[str, str] = {}
    per_day: Counter[str] = Counter()
    for category, code, name, day, count in groups:
        categories[category] += count
        kelurahan[code] += count
        kelurahan_names[code] = max(kelurahan_names.get(code, ""), name or "")
        per_day[day] += count
    return DashboardFigures(
        period=period,
        by_status=by_status,
        total=sum(by_status.values()),
        sla_active=sum(row[1] for row in active),
        overdue=sum(row[2] for row in active),
        due_24h=sum(row[3] for row in active),
        received_today=sum(row[4] for row in current),
        by_category=tuple(
            Count(k, k, c) for k, c in sorted(categories.items(), key=lambda kc: (-kc[1], kc[0]))
        ),
        by_kelurahan=tuple(
            Count(k, kelurahan_names[k], c)
            for k, c in sorted(kelurahan.items(), key=lambda kc: (-kc[1], kc[0]))
        ),
        by_day=tuple(DayCount(d, per_day.get(d.isoformat(), 0)) for d in period.day_list()),
        coordination=average(t[0], t[1]),
        completion=average(t[2], t[3]),
        within_sla=Share(t[4], t[3] + t[5]),
    )


def team(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, days: int | None = DEFAULT_DAYS
) -> list[TeamRow]:
    """One row per officer, by name: the unit's officers and anyone holding its reports."""
    period = Period.last_days(now, days)
    scope = Scope(unit_id)
    n = dt_out(now)
    start = dt_out(period.start) if period.start is not None else ""
    p = "r.received_at >= ?"
    with db.read() as conn:
        rows = conn.execute(
            f"WITH r AS MATERIALIZED (SELECT r.assignee_id, r.assignee_name, r.status, "
            f"r.received_at, r.deadline, r.rework_count, r.rating, "
            f"CASE WHEN r.status = 'selesai' AND {p} THEN {last_event('complete')} END AS c "
            f"FROM reports AS r WHERE {scope.sql} AND r.assignee_id IS NOT NULL) "
            f"SELECT r.assignee_id, MAX(r.assignee_name), "
            f"COALESCE(SUM(r.status = 'selesai' AND {p}), 0), "
            f"COALESCE(SUM(r.status IN {WORKING_SQL}), 0), "
            f"COALESCE(SUM(r.status IN {WORKING_SQL} AND r.deadline < ?), 0), "
            f"AVG(julianday(r.c) - julianday(r.received_at)), COUNT(r.c), "
            f"COALESCE(SUM({p} AND (r.status IN {SUBMITTED_SQL} OR r.rework_count > 0)), 0), "
            f"COALESCE(SUM({p} AND r.rework_count > 0), 0), "
            f"AVG(CASE WHEN {p} THEN r.rating END), "
            f"COUNT(CASE WHEN {p} THEN r.rating END) FROM r GROUP BY r.assignee_id",
            [start, *scope.args, start, n, start, start, start, start],
        ).fetchall()
        officers = _officers(conn, unit_id)
    stats = {r[0]: r for r in rows}
    names = dict(officers)
    for r in rows:
        names.setdefault(r[0], r[1] or r[0])
    out = []
    for oid, name in names.items():
        r = stats.get(oid)
        if r is None:
            out.append(TeamRow(oid, name, 0, 0, 0, Average(None, 0), Share(0, 0), None, 0))
            continue
        out.append(
            TeamRow(
                officer_id=oid,
                name=name,
                done=r[2],
                in_progress=r[3],
                overdue=r[4],
                completion=average(r[5], r[6]),
                rework=Share(r[8], r[7]),
                rating=r[9],
                rated=r[10],
            )
        )
    return sorted(out, key=lambda t: (t.name.casefold(), t.officer_id))


def _officers(conn: sqlite3.Connection, unit_id: str | None) -> list[tuple[str, str]]:
    sql = "SELECT id, name FROM colleagues WHERE role = 'officer'"
    args: list[Any] = []
    if unit_id is not None:
        sql += " AND unit_id = ?"
        args.append(unit_id)
    return [(r[0], r[1]) for r in conn.execute(sql + " ORDER BY name, id", args)]


def officer_loads(db: LocalDb, *, now: datetime, unit_id: str | None = None) -> list[OfficerLoad]:
    """The unit's officers with their current load, least loaded first (for dispatch)."""
    scope = Scope(unit_id)
    with db.read() as conn:
        loads = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                f"SELECT r.assignee_id, COUNT(*), COALESCE(SUM(r.deadline < ?), 0) "
                f"FROM reports AS r WHERE {scope.sql} AND r.status IN {WORKING_SQL} "
                "AND r.assignee_id IS NOT NULL GROUP BY r.assignee_id",
                [dt_out(now), *scope.args],
            )
        }
        officers = _officers(conn, unit_id)
    out = [OfficerLoad(oid, name, *loads.get(oid, (0, 0))) for oid, name in officers]
    return sorted(out, key=lambda o: (o.active, o.overdue, o.name.casefold(), o.officer_id))
