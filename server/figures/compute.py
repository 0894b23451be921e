"""The Dasbor kota's figures, computed in the database (definitions: `domain/city.py`).

Every figure is a GROUP BY over the filtered `reports` rows: the rows never come into
Python (the naive baseline in bench/bench_city.py does that, for the ratio), and the
reporters are counted with COUNT(DISTINCT ...) so no identity leaves the database.
`ix_reports_figures` (migration 2) covers every column read, so a period is read from
the index alone; `ix_reports_figures_area` (migration 5) does the same for an area. A
kota or kecamatan filter is a range on `kelurahan_code` (codes nest: "31.71" <
"31.71.06.1001" < "31.71/").

Dialects: SQLite stores naive UTC text, PostgreSQL `timestamptz`; the Jakarta day, the
Jakarta month and a duration in hours are spelled per dialect in `_Sql`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)

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


def day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), JAKARTA).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class _Sql:
    """Dialect-specific expressions over `reports`."""

    dialect: str

    def hour(self, col: Any) -> ColumnElement[Any]:
        """The UTC hour a timestamp falls in, as text "YYYY-MM-DD HH": cheap on both
        dialects (a substring of SQLite's stored text), shifted to Jakarta in Python."""
        if self.dialect == "postgresql":
            return func.to_char(func.timezone("UTC", col), "YYYY-MM-DD HH24")
        return func.substr(col, 1, 13)

    def hours(self, start: Any, end: Any) -> ColumnElement[Any]:
        if self.dialect == "postgresql":
            return func.extract("epoch", end - start) / 3600.0
        return (func.julianday(end) - func.julianday(start)) * 24.0


def _jakarta(hour: str) -> datetime:
    # fromisoformat, not strptime: 8,784 hours a year, and strptime costs ~80 ms of them.
    return datetime.fromisoformat(f"{hour}:00:00+00:00").astimezone(JAKARTA)


def _where(q: CityQuery) -> list[ColumnElement[bool]]:
    c = reports.c
    cond: list[ColumnElement[bool]] = [
        c.received_at >= day_start_utc(q.period.start),
        c.received_at < day_start_utc(q.period.end + timedelta(days=1)),
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
    """(played out, on time) as SQL conditions at `now`."""
    c = reports.c
    resolved = c.status == SELESAI
    active_late = and_(c.status.in_([s.value for s in SLA_ACTIVE]), c.deadline < now)
    played_out = or_(resolved, active_late)
    on_time = and_(resolved, c.completed_at.is_not(None), c.completed_at <= c.deadline)
    return played_out, on_time


def _count_if(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def city_figures(conn: Connection, q: CityQuery, now: datetime) -> CityFigures:
    sql = _Sql(conn.dialect.name)
    c = reports.c
    where = _where(q)
    played_out, on_time = _flags(now)
    resolved = c.status == SELESAI
    late = and_(played_out, ~on_time)

    dispatched = c.dispatched_at.is_not(None)
    completed = and_(resolved, c.completed_at.is_not(None))
    # Scan 1, by UTC hour (8,784 groups a year), carries every additive figure: the
    # days, the months, the peak, and the sums behind the totals and the averages.
    by_day: dict[date, int] = defaultdict(int)
    month_rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    sums = [0.0] * 8  # reports, resolved, played out, on time, coord h, n, completion h, n
    hour = sql.hour(c.received_at)
    for h, n, res, lt, po, ot, coord_h, coord_n, done_h, done_n in conn.execute(
        select(
            hour,
            func.count(),
            _count_if(resolved),
            _count_if(late),
            _count_if(played_out),
            _count_if(on_time),
            func.sum(case((dispatched, sql.hours(c.received_at, c.dispatched_at)))),
            _count_if(dispatched),
            func.sum(case((completed, sql.hours(c.received_at, c.completed_at)))),
            _count_if(completed),
        )
        .where(*where)
        .group_by(hour)
    ).tuples():
        local = _jakarta(str(h))
        by_day[local.date()] += int(n)
        m = month_rows[local.strftime("%Y-%m")]
        m[0] += int(n)
        m[1] += int(res)
        m[2] += int(lt)
        for i, v in enumerate((n, res, po, ot, coord_h or 0, coord_n, done_h or 0, done_n)):
            sums[i] += float(v)
    n_reports, n_resolved, n_played, n_on_time = (int(v) for v in sums[:4])
    coord = sums[4] / sums[5] if sums[5] else None
    completion = sums[6] / sums[7] if sums[7] else None
    # Scan 2: distinct reporters (counted in the database, never sent).
    n_reporters = conn.execute(
        select(func.count(c.reporter_id.distinct())).where(*where)
    ).scalar_one()
    peak_day = min(by_day, key=lambda d: (-by_day[d], d)) if by_day else None
    peak_reporters = 0
    if peak_day is not None:
        peak_reporters = conn.execute(
            select(func.count(c.reporter_id.distinct())).where(
                *where,
                c.received_at >= day_start_utc(peak_day),
                c.received_at < day_start_utc(peak_day + timedelta(days=1)),
            )
        ).scalar_one()
    days = q.period.days_begun(now.astimezone(JAKARTA).date())
    totals = Totals(
        reports=int(n_reports),
        reporters=int(n_reporters),
        days=days,
        per_day=round(n_reports / days, 2),
        peak_day=peak_day,
        peak_reports=by_day[peak_day] if peak_day else 0,
        peak_reporters=int(peak_reporters),
        resolved=int(n_resolved),
        resolved_share=_share(n_resolved, n_reports),
        coordination_hours=_round(coord),
        completion_hours=_round(completion),
        played_out=int(n_played),
        on_time=int(n_on_time),
        on_time_share=_share(n_on_time, n_played),
    )

    def counts(col: Any) -> tuple[CountRow, ...]:
        rows = conn.execute(
            select(col, func.count(), func.count(c.reporter_id.distinct()), _count_if(resolved))
            .where(*where)
            .group_by(col)
        ).tuples()
        out = [CountRow(str(code), int(n), int(r), int(res)) for code, n, r, res in rows]
        return tuple(sorted(out, key=lambda row: (-row.reports, row.code)))

    months = tuple(MonthRow(m, *v) for m, v in sorted(month_rows.items()))
    # Scans 3 and 4 are the category and channel tables (`counts`); scan 5, by
    # kelurahan and status (at most 267 x 8 groups), gives the areas and the statuses.
    per_kel: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_status: dict[str, int] = defaultdict(int)
    for code, st, n, po, lt in conn.execute(
        select(c.kelurahan_code, c.status, func.count(), _count_if(played_out), _count_if(late))
        .where(*where)
        .group_by(c.kelurahan_code, c.status)
    ).tuples():
        k = per_kel[code or ""]
        k[0] += int(n)
        k[1] += int(n) if st == SELESAI else 0
        k[2] += int(po)
        k[3] += int(lt)
        per_status[str(st)] += int(n)
    kelurahan = tuple(
        AreaRow(code, _kelurahan_name(code), *v) for code, v in sorted(per_kel.items())
    )
    statuses = tuple(
        StatusRow(st, n) for st, n in sorted(per_status.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return CityFigures(
        query=q,
        totals=totals,
        categories=counts(c.category),
        channels=counts(c.channel),
        months=months,
        statuses=statuses,
        areas=_roll_up(kelurahan, q.area_level),
        kelurahan=kelurahan,
    )


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


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)
