"""The Dasbor kota's figures, computed in the database (definitions: `domain/city.py`).

Every figure is a GROUP BY over the filtered `reports` rows: the rows never come into
Python (the naive baseline in bench/bench_city.py does that, for the ratio), and the
reporters are counted in the database, so no identity leaves it. Five scans, each read
from a covering index and never from the wide rows:
- by UTC hour and by kelurahan, the additive figures. A report's flags (resolved, played
  out, on time, late) are not summed per row: the scans group by the two comparisons
  they rest on (`completed_at <= deadline`, `deadline < now`) and Python derives the
  flags per group, which is cheaper than evaluating CASE expressions on every row;
- distinct reporters in total, per category and per channel, each as a nested GROUP BY
  over an index led by (dimension, reporter_id): the groups come out in index order, so
  neither database sorts the rows nor keeps a distinct set per group.
Indexes (server/migrations.py): `ix_reports_figures` (received_at first) for a period,
`ix_reports_figures_area` (kelurahan_code first) for an area, `ix_reports_by_category`,
`ix_reports_by_channel` and `ix_reports_by_reporter` for the distinct counts. A kota or
kecamatan filter is a range on `kelurahan_code` (codes nest: "31.71" < "31.71.06.1001"
< "31.71/").

Dialects: SQLite stores naive UTC text, PostgreSQL `timestamptz`; the hour bucket and a
duration in seconds are spelled per dialect in `_Sql`. SQLite has no statistics unless
someone runs ANALYZE, so `_Sql` also tells its planner which index to read (a `+`
before a column, SQLite's documented way to keep a term from choosing an index);
PostgreSQL plans from its statistics and is given the memory to sort in RAM.
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
    Select,
    and_,
    case,
    func,
    literal,
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
ACTIVE = frozenset(s.value for s in SLA_ACTIVE)
# From this many days on, SQLite reads the distinct counts from the dimension-first
# indexes whole (no sort); a shorter period reads its own range of received_at and sorts
# the few rows it finds.
WHOLE_INDEX_DAYS = 62
# `unixepoch()` came in SQLite 3.38; julianday() is the older, slower spelling.
_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)


def day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), JAKARTA).astimezone(UTC)


def _unindexed(col: Any) -> ColumnElement[Any]:
    """`+col`: the same value, but SQLite will not pick an index for a term on it."""
    return UnaryExpression(col, operator=operators.custom_op("+"), type_=col.type)


@dataclass(frozen=True, slots=True)
class _Sql:
    """Dialect-specific expressions over `reports`."""

    dialect: str

    @property
    def sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def hour(self, col: Any) -> ColumnElement[Any]:
        """The UTC hour a timestamp falls in: SQLite's stored text up to the hour
        ("YYYY-MM-DD HH"), PostgreSQL's `date_trunc` (WIB is a whole number of hours
        from UTC, so the session's time zone does not move the bucket)."""
        if self.sqlite:
            return func.substr(col, 1, 13)
        return func.date_trunc("hour", col)

    def seconds(self, start: Any, end: Any) -> ColumnElement[Any]:
        if not self.sqlite:
            return func.extract("epoch", end - start)
        if _UNIXEPOCH:
            return func.unixepoch(end) - func.unixepoch(start)
        return (func.julianday(end) - func.julianday(start)) * 86400.0

    def where(self, q: CityQuery, *, by_range: bool) -> list[ColumnElement[bool]]:
        """The query's conditions. `by_range=False` keeps SQLite from reading a range
        of `received_at` (the caller wants another index)."""
        received = reports.c.received_at
        return _where(q, received if by_range or not self.sqlite else _unindexed(received))

    def additive_where(self, q: CityQuery) -> list[ColumnElement[bool]]:
        # An area reads its own range of ix_reports_figures_area; the city reads the
        # period's range of ix_reports_figures.
        return self.where(q, by_range=not q.area)

    def distinct_where(self, q: CityQuery) -> list[ColumnElement[bool]]:
        return self.where(q, by_range=q.period.days < WHOLE_INDEX_DAYS)

    def hour_key(self, value: Any) -> datetime:
        """The Jakarta time of an hour bucket from `hour`."""
        if isinstance(value, datetime):
            return value.astimezone(JAKARTA)
        # fromisoformat, not strptime: 8,784 hours a year, and strptime costs ~80 ms.
        return datetime.fromisoformat(f"{value}:00:00+00:00").astimezone(JAKARTA)


def _where(q: CityQuery, received: Any = reports.c.received_at) -> list[ColumnElement[bool]]:
    c = reports.c
    cond: list[ColumnElement[bool]] = [
        received >= day_start_utc(q.period.start),
        received < day_start_utc(q.period.end + timedelta(days=1)),
    ]
    if q.area and q.area.count(".") == 3:
        cond.append(c.kelurahan_code == q.area)
    elif q.area and q.area.count(".") >= 1:
        cond += [c.kelurahan_code > q.area + ".", c.kelurahan_code < q.area + "/"]
    if q.category:
        cond.append(c.category == q.category)
    if q.channel:
        cond.append(c.channel == q.channel)
    if q.status:
        cond.append(c.status == q.status)
    return cond


def _flags(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(played out, on time) as SQL conditions at `now` (the drill-down list's flag)."""
    c = reports.c
    resolved = c.status == SELESAI
    active_late = and_(c.status.in_(sorted(ACTIVE)), c.deadline < now)
    played_out = or_(resolved, active_late)
    on_time = and_(resolved, c.completed_at.is_not(None), c.completed_at <= c.deadline)
    return played_out, on_time


@dataclass(frozen=True, slots=True)
class _Flags:
    """A group's flags, from its status and the two comparisons `_flag_keys` reads."""

    resolved: bool
    played_out: bool
    on_time: bool

    @classmethod
    def of(cls, status: str, completed_in_time: Any, deadline_passed: Any) -> _Flags:
        resolved = status == SELESAI
        # completed_at <= deadline is NULL (None) when nothing was completed.
        on_time = resolved and bool(completed_in_time)
        played_out = resolved or (status in ACTIVE and bool(deadline_passed))
        return cls(resolved, played_out, on_time)

    @property
    def late(self) -> bool:
        return self.played_out and not self.on_time


def _flag_keys(now: datetime) -> tuple[ColumnElement[Any], ...]:
    c = reports.c
    return (c.status, c.completed_at <= c.deadline, c.deadline < now)


def _distinct_counts(
    conn: Connection, sql: _Sql, q: CityQuery, dim: Any
) -> dict[str, tuple[int, int, int]]:
    """{code: (reports, distinct reporters, resolved)} per value of `dim`: the inner
    query has one row per (value, reporter), read in index order."""
    c = reports.c
    inner = (
        select(
            dim.label("code"),
            func.count().label("n"),
            func.sum(case((c.status == SELESAI, 1), else_=0)).label("resolved"),
        )
        .where(*sql.distinct_where(q))
        .group_by(dim, c.reporter_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            inner.c.code, func.sum(inner.c.n), func.count(), func.sum(inner.c.resolved)
        ).group_by(inner.c.code)
    ).tuples()
    return {str(code): (int(n), int(r), int(res)) for code, n, r, res in rows}


def _count_reporters(conn: Connection, sql: _Sql, q: CityQuery) -> int:
    inner = (
        select(reports.c.reporter_id)
        .where(*sql.distinct_where(q))
        .group_by(reports.c.reporter_id)
        .subquery()
    )
    return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def _rows(conn: Connection, query: Select[Any]) -> list[Any]:
    """The rows of a query whose columns are spliced in (`*keys`): typed loosely."""
    return list(conn.execute(query))


def _count_rows(cells: dict[str, tuple[int, int, int]]) -> tuple[CountRow, ...]:
    out = [CountRow(code, *cell) for code, cell in cells.items()]
    return tuple(sorted(out, key=lambda row: (-row.reports, row.code)))


def city_figures(conn: Connection, q: CityQuery, now: datetime) -> CityFigures:
    sql = _Sql(conn.dialect.name)
    c = reports.c
    if not sql.sqlite:
        # The distinct counts sort up to a year of rows; 4 MB (the default) spills to disk.
        conn.execute(text("SET LOCAL work_mem = '64MB'"))
    keys = _flag_keys(now)

    # Scan 1, by UTC hour: the days, the months and the peak day.
    by_day: dict[date, int] = defaultdict(int)
    month_rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    hour = sql.hour(c.received_at)
    for h, status, in_time, passed, n in _rows(
        conn,
        select(hour, *keys, func.count()).where(*sql.additive_where(q)).group_by(hour, *keys),
    ):
        local = sql.hour_key(h)
        flags = _Flags.of(status, in_time, passed)
        by_day[local.date()] += n
        m = month_rows[local.strftime("%Y-%m")]
        m[0] += n
        m[1] += n if flags.resolved else 0
        m[2] += n if flags.late else 0

    # Scan 2, by kelurahan: the areas, the statuses, the totals and the two durations.
    per_kel: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_status: dict[str, int] = defaultdict(int)
    sums = [0] * 4  # reports, resolved, played out, on time
    seconds = [0.0, 0.0]  # coordination, completion
    timed = [0, 0]  # the reports each of those sums covers
    for code, status, in_time, passed, n, coord_s, coord_n, done_s, done_n in _rows(
        conn,
        select(
            c.kelurahan_code,
            *keys,
            func.count(),
            func.sum(sql.seconds(c.received_at, c.dispatched_at)),
            func.count(c.dispatched_at),
            func.sum(sql.seconds(c.received_at, c.completed_at)),
            func.count(c.completed_at),
        )
        .where(*sql.additive_where(q))
        .group_by(c.kelurahan_code, *keys),
    ):
        flags = _Flags.of(status, in_time, passed)
        k = per_kel[code or ""]
        for i, counted in enumerate((True, flags.resolved, flags.played_out, flags.late)):
            k[i] += n if counted else 0
        per_status[str(status)] += n
        for i, counted in enumerate((True, flags.resolved, flags.played_out, flags.on_time)):
            sums[i] += n if counted else 0
        seconds[0] += float(coord_s or 0)
        timed[0] += int(coord_n)
        if flags.resolved:  # completion counts the accepted completions only
            seconds[1] += float(done_s or 0)
            timed[1] += int(done_n)
    n_reports, n_resolved, n_played, n_on_time = sums

    # Scans 3 to 5: distinct reporters (counted in the database, never sent).
    n_reporters = _count_reporters(conn, sql, q)
    peak_day = min(by_day, key=lambda d: (-by_day[d], d)) if by_day else None
    peak_reporters = 0
    if peak_day is not None:
        peak_reporters = _count_reporters(conn, sql, replace(q, period=Period(peak_day, peak_day)))
    days = q.period.days_begun(now.astimezone(JAKARTA).date())
    totals = Totals(
        reports=n_reports,
        reporters=n_reporters,
        days=days,
        per_day=round(n_reports / days, 2),
        peak_day=peak_day,
        peak_reports=by_day[peak_day] if peak_day else 0,
        peak_reporters=peak_reporters,
        resolved=n_resolved,
        resolved_share=_share(n_resolved, n_reports),
        coordination_hours=_hours(seconds[0], timed[0]),
        completion_hours=_hours(seconds[1], timed[1]),
        played_out=n_played,
        on_time=n_on_time,
        on_time_share=_share(n_on_time, n_played),
    )
    kelurahan = tuple(
        AreaRow(code, _kelurahan_name(code), *v) for code, v in sorted(per_kel.items())
    )
    return CityFigures(
        query=q,
        totals=totals,
        categories=_count_rows(_distinct_counts(conn, sql, q, c.category)),
        channels=_count_rows(_distinct_counts(conn, sql, q, c.channel)),
        months=tuple(MonthRow(m, *v) for m, v in sorted(month_rows.items())),
        statuses=_status_rows(per_status.items()),
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
