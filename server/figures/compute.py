"""The Dasbor kota's figures, computed in the database (definitions: `domain/city.py`).

Every figure is counted or summed in the database over the filtered `reports` rows: the
rows never come into Python (the naive baseline in bench/bench_city.py does that, for
the ratio), and reporters are counted there too, so no identity leaves the database.
The scans are shaped so that neither database sorts a year of rows (the sort, not the
reading, was most of the time):
- the days: one index range count per Jakarta day of the period (a correlated
  subquery over a VALUES list), so the days are Jakarta days without a time-zone
  conversion per row; the months' resolved and late counts likewise per month;
- the areas, the totals and the two durations: one pass grouped by `kelurahan_code`,
  read in that order from `ix_reports_figures_area`;
- the statuses: a GROUP BY over at most a handful of values;
- distinct reporters in total, per category and per channel: read in (dimension,
  reporter) order from `ix_reports_by_reporter`, `ix_reports_by_category` and
  `ix_reports_by_channel` (migration 6), so the distinct set is built without a sort.
A report's flags follow `domain/city.py`: resolved = status selesai; on time = resolved
and completed by the deadline; played out = resolved, or still active past the deadline;
late = played out and not on time. Since on time is a part of resolved, which is a part
of played out, late = resolved + active past deadline - on time: three cheap sums.

Indexes: `_Plan` says which one each scan reads. SQLite has no statistics unless someone
runs ANALYZE, so a term that must not choose an index is written `+column` (SQLite's
documented way to say so); PostgreSQL plans from its statistics and is given the memory
to hash and sort in RAM. A kota or kecamatan filter is a range on `kelurahan_code`
(codes nest: "31.71" < "31.71.06.1001" < "31.71/").
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from domain import Status
from domain.city import (
    SLA_ACTIVE,
    AreaLevel,
    AreaRow,
    CityFigures,
    CityQuery,
    CityReport,
    CityReportPage,
    CountRow,
    MonthRow,
    Period,
    StatusRow,
    Totals,
    kecamatan_code,
    kota_code,
)
from domain.protocol import iso

from .. import routing
from ..schema import reports

JAKARTA = timezone(timedelta(hours=7))  # WIB has no daylight saving time
MAX_PAGE = 500  # one page of the drill-down list
EXPORT_REPORTS = 10_000  # the reports an export carries at most (a kecamatan's year fits)
SELESAI = Status.SELESAI.value
ACTIVE = tuple(sorted(s.value for s in SLA_ACTIVE))
# From this many days on, the grouped scans read an index in group order whole (no
# sort); a shorter period reads its own range of received_at and sorts the few rows.
WHOLE_INDEX_DAYS = 62
# `unixepoch()` came in SQLite 3.38; julianday() is the older, slower spelling.
_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)


def day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), JAKARTA).astimezone(UTC)


def _unindexed(col: Any) -> ColumnElement[Any]:
    """`+col`: the same value, but SQLite will not pick an index for a term on it."""
    return UnaryExpression(col, operator=operators.custom_op("+"), type_=col.type)


def _where(
    q: CityQuery, *, period: bool = True, index: Any = lambda col: col
) -> list[ColumnElement[bool]]:
    """The query's conditions (`period=False`: all but the period's bounds). `index`
    wraps each filtered column: `_Plan` uses it to say which terms may pick an index."""
    c = reports.c
    received, kelurahan = index(c.received_at), index(c.kelurahan_code)
    cond: list[ColumnElement[bool]] = []
    if period:
        cond += [
            received >= day_start_utc(q.period.start),
            received < day_start_utc(q.period.end + timedelta(days=1)),
        ]
    if q.area and q.area.count(".") == 3:
        cond.append(kelurahan == q.area)
    elif q.area and q.area.count(".") >= 1:
        cond += [kelurahan > q.area + ".", kelurahan < q.area + "/"]
    if q.category:
        cond.append(index(c.category) == q.category)
    if q.channel:
        cond.append(index(c.channel) == q.channel)
    if q.status:
        cond.append(index(c.status) == q.status)
    return cond


@dataclass(frozen=True, slots=True)
class _Plan:
    """Which index each scan reads, and the dialect's spelling of what differs.

    On SQLite every term but the ones named may not choose an index (`+column`);
    PostgreSQL gets the plain terms and chooses from its statistics."""

    dialect: str
    query: CityQuery

    @property
    def sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def _only(self, *names: str, period: bool = True) -> list[ColumnElement[bool]]:
        if not self.sqlite:
            return _where(self.query, period=period)
        return _where(
            self.query,
            period=period,
            index=lambda col: col if col.name in names else _unindexed(col),
        )

    @property
    def _one_kelurahan(self) -> bool:
        return bool(self.query.area) and (self.query.area or "").count(".") == 3

    def by_time(self, *, period: bool = True) -> list[ColumnElement[bool]]:
        """Read a range of received_at: of one kelurahan (ix_reports_figures_area), or
        of the city, an area's range filtered on the way (ix_reports_figures)."""
        if self._one_kelurahan:
            return self._only("kelurahan_code", "received_at", period=period)
        return self._only("received_at", period=period)

    def in_order(self, lead: str) -> list[ColumnElement[bool]]:
        """Read the index led by `lead` in its order, whole, for a long period; a short
        period or one kelurahan reads its own range and sorts what little it finds."""
        if self.query.period.days < WHOLE_INDEX_DAYS or (
            self._one_kelurahan and lead != "kelurahan_code"
        ):
            return self.by_time()
        return self._only(lead)

    def day_bounds(self, first: date, i: Any) -> tuple[Any, Any]:
        """The UTC bounds of the Jakarta day `first` + `i` days, as SQL. SQLite's
        text ("...17:00:00.000") sorts just before a stored time at the same instant
        ("...17:00:00.000000"), so the bounds cut exactly where the days do."""
        start = day_start_utc(first)
        if self.sqlite:
            text_start = start.strftime("%Y-%m-%d %H:%M:%S")

            def at(k: Any) -> Any:
                return func.strftime("%Y-%m-%d %H:%M:%f", text_start, func.printf("+%d days", k))

            return at(i), at(i + 1)
        # WIB has no daylight saving time: a day is 24 hours.
        hour: Any = literal_column("interval '1 hour'")
        origin = literal(start, reports.c.received_at.type)
        return origin + i * 24 * hour, origin + (i + 1) * 24 * hour

    def seconds(self, start: Any, end: Any) -> ColumnElement[Any]:
        if not self.sqlite:
            return func.extract("epoch", end - start)
        if _UNIXEPOCH:
            return func.unixepoch(end) - func.unixepoch(start)
        return (func.julianday(end) - func.julianday(start)) * 86400.0


def _flags(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(played out, on time) as SQL conditions at `now` (the drill-down list's flag)."""
    c = reports.c
    resolved = c.status == SELESAI
    active_late = and_(c.status.in_(ACTIVE), c.deadline < now)
    played_out = or_(resolved, active_late)
    on_time = and_(resolved, c.completed_at.is_not(None), c.completed_at <= c.deadline)
    return played_out, on_time


# A report's three flags packed in one integer, so that one SUM carries all three: the
# resolved count in bits 40-59, on time in 20-39, active past the deadline in 0-19. A
# group is a Jakarta day or a kelurahan over at most MAX_PERIOD_DAYS, far below the
# 2**20 reports a field holds; `_Tally.add_packed` checks it all the same.
_FIELD = 1 << 20


def _packed_flags(now: datetime) -> ColumnElement[Any]:
    """SUM of the packed (resolved, on time, active past the deadline). One CASE, with
    the status tested first: it settles the value for almost every row."""
    c = reports.c
    resolved = _FIELD * _FIELD
    return func.coalesce(
        func.sum(
            case(
                (
                    c.status == SELESAI,
                    case((c.completed_at <= c.deadline, resolved + _FIELD), else_=resolved),
                ),
                (and_(c.deadline < now, c.status.in_(ACTIVE)), 1),
                else_=0,
            )
        ),
        0,
    )


@dataclass(slots=True)
class _Tally:
    """Additive counts of a cell (a month, a kelurahan, the whole query)."""

    reports: int = 0
    resolved: int = 0
    on_time: int = 0
    active_late: int = 0

    def add_packed(self, reports_: Any, packed: Any) -> None:
        """Add a group's count and its `_packed_flags` sum."""
        n, flags = int(reports_), int(packed)
        if n >= _FIELD:
            raise OverflowError(f"{n} reports in one group overflow the packed flags")
        self.reports += n
        self.resolved += flags // (_FIELD * _FIELD)
        self.on_time += flags // _FIELD % _FIELD
        self.active_late += flags % _FIELD

    def __iadd__(self, other: _Tally) -> _Tally:
        self.reports += other.reports
        self.resolved += other.resolved
        self.on_time += other.on_time
        self.active_late += other.active_late
        return self

    @property
    def played_out(self) -> int:
        return self.resolved + self.active_late

    @property
    def late(self) -> int:
        return self.played_out - self.on_time


def _per_day(conn: Connection, plan: _Plan, now: datetime) -> dict[date, _Tally]:
    """Each Jakarta day's tally: two index range reads per day (the count and the packed
    flags), correlated to a day number from a recursive CTE. A VALUES list of a year's
    bounds would cost SQLAlchemy more to compile than a kelurahan's figures to compute;
    grouping by a computed day would sort every row."""
    c = reports.c
    p = plan.query.period
    days = select(literal(0).label("i")).cte("days", recursive=True)
    days = days.union_all(select(days.c.i + 1).where(days.c.i < p.days - 1))
    lo, hi = plan.day_bounds(p.start, days.c.i)

    def per_day(expr: ColumnElement[Any]) -> Any:
        return (
            select(expr)
            .where(c.received_at >= lo, c.received_at < hi)
            .where(*plan.by_time(period=False))
            .scalar_subquery()
        )

    out: dict[date, _Tally] = {}
    for i, n, packed in conn.execute(
        select(days.c.i, per_day(func.count()), per_day(_packed_flags(now)))
    ).tuples():
        if n:
            out[p.start + timedelta(days=int(i))] = tally = _Tally()
            tally.add_packed(n, packed)
    return out


def _count_reporters(conn: Connection, plan: _Plan) -> int:
    inner = (
        select(reports.c.reporter_id)
        .where(*plan.in_order("reporter_id"))
        .group_by(reports.c.reporter_id)
        .subquery()
    )
    return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def _counts(conn: Connection, plan: _Plan, dim: Any) -> tuple[CountRow, ...]:
    """(reports, distinct reporters, resolved) per value of `dim`, read in
    (dim, reporter) order."""
    c = reports.c
    resolved = func.sum(case((c.status == SELESAI, 1), else_=0))
    rows = conn.execute(
        select(dim, func.count(), func.count(c.reporter_id.distinct()), resolved)
        .where(*plan.in_order(dim.name))
        .group_by(dim)
    ).tuples()
    out = [CountRow(str(code), int(n), int(r), int(res or 0)) for code, n, r, res in rows]
    return tuple(sorted(out, key=lambda row: (-row.reports, row.code)))


def city_figures(conn: Connection, q: CityQuery, now: datetime) -> CityFigures:
    plan = _Plan(conn.dialect.name, q)
    c = reports.c
    if not plan.sqlite:
        # Every scan here is shaped to need no sort (see the module docstring), but the
        # planner still prefers an area's short index range plus a sort to the whole
        # dimension-first index for a kota's distinct counts, and loses (measured: a
        # kota's figures take a quarter less CPU without sorts). Sorts that remain (a
        # short period) get memory instead of disk.
        conn.execute(text("SET LOCAL enable_sort = off"))
        conn.execute(text("SET LOCAL work_mem = '64MB'"))

    by_day = _per_day(conn, plan, now)
    month_tallies: dict[str, _Tally] = defaultdict(_Tally)
    for day, tally in by_day.items():
        month_tallies[day.strftime("%Y-%m")] += tally

    # The areas, the totals and the durations, in kelurahan order.
    per_kel: dict[str, _Tally] = {}
    total = _Tally()
    seconds = [0.0, 0.0]  # coordination, completion
    timed = [0, 0]  # the reports each of those sums covers
    resolved = c.status == SELESAI
    for code, n, packed, coord_s, coord_n, done_s, done_n in conn.execute(
        select(
            c.kelurahan_code,
            func.count(),
            _packed_flags(now),
            func.sum(plan.seconds(c.received_at, c.dispatched_at)),
            func.count(c.dispatched_at),
            func.sum(case((resolved, plan.seconds(c.received_at, c.completed_at)))),
            func.sum(case((and_(resolved, c.completed_at.is_not(None)), 1), else_=0)),
        )
        .where(*plan.in_order("kelurahan_code"))
        .group_by(c.kelurahan_code)
    ).all():
        tally = _Tally()
        tally.add_packed(n, packed)
        per_kel[code or ""] = tally
        total += tally
        seconds[0] += float(coord_s or 0)
        timed[0] += int(coord_n or 0)
        seconds[1] += float(done_s or 0)
        timed[1] += int(done_n or 0)
    statuses = _status_rows(
        (str(st), int(n))
        for st, n in conn.execute(
            select(c.status, func.count()).where(*plan.by_time()).group_by(c.status)
        ).tuples()
    )

    # Distinct reporters: counted in the database, never sent.
    peak_day = min(by_day, key=lambda d: (-by_day[d].reports, d)) if by_day else None
    peak_reporters = 0
    if peak_day is not None:
        peak_plan = _Plan(plan.dialect, replace(q, period=Period(peak_day, peak_day)))
        peak_reporters = _count_reporters(conn, peak_plan)
    days = q.period.days_begun(now.astimezone(JAKARTA).date())
    totals = Totals(
        reports=total.reports,
        reporters=_count_reporters(conn, plan),
        days=days,
        per_day=round(total.reports / days, 2),
        peak_day=peak_day,
        peak_reports=by_day[peak_day].reports if peak_day else 0,
        peak_reporters=peak_reporters,
        resolved=total.resolved,
        resolved_share=_share(total.resolved, total.reports),
        coordination_hours=_hours(seconds[0], timed[0]),
        completion_hours=_hours(seconds[1], timed[1]),
        played_out=total.played_out,
        on_time=total.on_time,
        on_time_share=_share(total.on_time, total.played_out),
    )
    kelurahan = tuple(
        AreaRow(code, _kelurahan_name(code), t.reports, t.resolved, t.played_out, t.late)
        for code, t in sorted(per_kel.items())
    )
    return CityFigures(
        query=q,
        totals=totals,
        categories=_counts(conn, plan, c.category),
        channels=_counts(conn, plan, c.channel),
        months=tuple(
            MonthRow(m, t.reports, t.resolved, t.late) for m, t in sorted(month_tallies.items())
        ),
        statuses=statuses,
        areas=_roll_up(kelurahan, q.area_level),
        kelurahan=kelurahan,
    )


def _status_rows(counts: Iterable[tuple[str, int]]) -> tuple[StatusRow, ...]:
    return tuple(StatusRow(st, n) for st, n in sorted(counts, key=lambda kv: (-kv[1], kv[0])))


def _hours(seconds: float, n: int) -> float | None:
    return round(seconds / n / 3600.0, 2) if n else None


def _kelurahan_name(code: str | None) -> str:
    if not code:
        return ""
    try:
        return routing.kelurahan(code).name
    except KeyError:
        return code


def area_name(code: str) -> str:
    """The name of a kota, kecamatan or kelurahan code ("" for the no-kelurahan bucket)."""
    if not code:
        return ""
    for k in routing.kelurahan_list():
        if k.code == code:
            return k.name
        if k.code.startswith(code + "."):
            return k.kecamatan if code.count(".") == 2 else k.kota
    return code


def _roll_up(kelurahan: tuple[AreaRow, ...], level: AreaLevel) -> tuple[AreaRow, ...]:
    if level is AreaLevel.KELURAHAN:
        rows = list(kelurahan)
    else:
        key = kota_code if level is AreaLevel.KOTA else kecamatan_code
        groups: dict[str, list[AreaRow]] = defaultdict(list)
        for row in kelurahan:
            groups[key(row.code) if row.code else ""].append(row)
        rows = [
            AreaRow(
                code=code,
                name=area_name(code),
                reports=sum(r.reports for r in members),
                resolved=sum(r.resolved for r in members),
                played_out=sum(r.played_out for r in members),
                late=sum(r.late for r in members),
            )
            for code, members in groups.items()
        ]
    return tuple(sorted(rows, key=lambda r: (-r.reports, r.code)))


def city_reports(
    conn: Connection, q: CityQuery, now: datetime, *, offset: int = 0, limit: int = 100
) -> CityReportPage:
    """The reports behind the figures, newest first: ids, codes and times only."""
    c = reports.c
    where = _where(q)
    played_out, on_time = _flags(now)
    total = conn.execute(select(func.count()).select_from(reports).where(*where)).scalar_one()
    rows = conn.execute(
        select(
            c.tracking_id,
            c.category,
            c.channel,
            c.status,
            c.kelurahan_code,
            c.received_at,
            c.deadline,
            c.completed_at,
            case((and_(played_out, ~on_time), literal(True)), else_=literal(False)),
        )
        .where(*where)
        .order_by(c.received_at.desc(), c.tracking_id)
        .offset(offset)
        .limit(limit)
    ).tuples()
    return CityReportPage(
        reports=tuple(
            CityReport(
                tracking_id=tid,
                category=cat,
                channel=ch,
                status=st,
                kelurahan_code=kel or "",
                received_at=iso(rec) or "",
                deadline=iso(dl) or "",
                completed_at=iso(done) if done else None,
                late=bool(lt),
            )
            for tid, cat, ch, st, kel, rec, dl, done, lt in rows
        ),
        total=int(total),
        offset=offset,
    )


def _share(part: Any, whole: Any) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None
