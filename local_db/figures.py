"""The supervisor's and validator's figures: dashboard, team, dispatch, SLA watch, queues.

Every function reads one consistent snapshot of the device database and returns typed
rows; the screens never see SQL. Definitions (docs/roles.md has them for users too):

- scope: the reports the device holds in scope (`in_scope = 1`), of one unit when a
  `unit_id` is given (a supervisor's device holds only its unit anyway);
- SLA-active: open and still the city's to act on: baru, didisposisikan, diterima,
  dalam_proses, menunggu_validasi (koordinasi waits for re-routing: the unit's clock
  is not running on it);
- overdue: SLA-active with deadline < now; due within 24 h: now <= deadline < now+24h;
  at risk: now <= deadline < now+72h (`domain.sla`);
- "today" and the days of the charts are Asia/Jakarta calendar days; the period of the
  period figures is the last `days` Jakarta days including today, by date received
  (`days=None`: every report held);
- coordination time: receipt to the last `dispatch` event (the dispatch that put the
  report with an officer of its current unit; a reassignment is not coordination);
- completion time: receipt to the last `complete` event, over reports `selesai`;
- resolved within SLA: of the reports whose SLA has played out (selesai, or SLA-active
  past the deadline), the share completed (last `complete`) by the deadline;
- team: per officer (the unit's officers, plus anyone holding one of its reports):
  done = selesai, in progress = didisposisikan/diterima/dalam_proses now, overdue =
  those past the deadline now, average completion time, rework rate = share of the
  submitted reports (waiting for validation, selesai, or sent back at least once)
  sent back at least once, the citizens' average rating; period figures by receipt.

Invariants: `now` is the caller's server-corrected clock (never read here); datetimes
are compared as the fixed-width UTC text of `codec` (text order is time order); the
local overlay counts (a supervisor's unsent dispatch already shows as dispatched).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from domain import JAKARTA, ExtensionState, Status, UrgencyLevel
from domain.sla import AT_RISK, DUE_SOON, urgency

from .codec import dt_in, dt_out
from .connection import LocalDb
from .reports import REPORT_COLUMNS, view_from_row
from .rows import QueueItem

SLA_ACTIVE: tuple[Status, ...] = (
    Status.BARU,
    Status.DIDISPOSISIKAN,
    Status.DITERIMA,
    Status.DALAM_PROSES,
    Status.MENUNGGU_VALIDASI,
)
WORKING: tuple[Status, ...] = (Status.DIDISPOSISIKAN, Status.DITERIMA, Status.DALAM_PROSES)
SUBMITTED: tuple[Status, ...] = (Status.MENUNGGU_VALIDASI, Status.SELESAI)
DEFAULT_DAYS = 30
WATCH_LIMIT = 200
MAP_LIMIT = 500
_DAY_S = 86_400.0


def _in(statuses: Sequence[Status]) -> str:
    # Status values are our own enum codes, never user input: safe to inline.
    return "(" + ", ".join(f"'{s.value}'" for s in statuses) + ")"


_ACTIVE, _WORKING, _SUBMITTED = _in(SLA_ACTIVE), _in(WORKING), _in(SUBMITTED)


# --- values --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """[start, now]: from Jakarta midnight `days - 1` days ago (or everything)."""

    start: datetime | None
    now: datetime
    days: int | None

    @classmethod
    def last_days(cls, now: datetime, days: int | None = DEFAULT_DAYS) -> Period:
        if days is None:
            return cls(None, now, None)
        if days < 1:
            raise ValueError("days must be >= 1")
        return cls(jakarta_midnight(now, days - 1), now, days)

    def day_list(self) -> list[date]:
        if self.start is None or self.days is None:
            return []
        first = self.start.astimezone(JAKARTA).date()
        return [first + timedelta(days=i) for i in range(self.days)]


def jakarta_midnight(now: datetime, days_back: int = 0) -> datetime:
    """00:00 WIB of the Jakarta day `days_back` days before `now`'s, in UTC."""
    day = now.astimezone(JAKARTA).date() - timedelta(days=days_back)
    return datetime.combine(day, time(0), JAKARTA).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Count:
    key: str  # a category code, kelurahan code ("" when none)
    label: str  # kelurahan name (categories are named by the domain)
    count: int


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date  # Jakarta calendar day
    count: int


@dataclass(frozen=True, slots=True)
class Average:
    """A mean duration over `n` reports (None when there is none)."""

    value: timedelta | None
    n: int


@dataclass(frozen=True, slots=True)
class Share:
    part: int
    whole: int

    @property
    def ratio(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    period: Period
    by_status: Mapping[Status, int]
    total: int
    sla_active: int
    overdue: int
    due_24h: int
    received_today: int
    by_category: tuple[Count, ...]  # in the period, most first
    by_kelurahan: tuple[Count, ...]  # in the period, most first
    by_day: tuple[DayCount, ...]  # every day of the period, oldest first
    coordination: Average
    completion: Average
    within_sla: Share


@dataclass(frozen=True, slots=True)
class TeamRow:
    officer_id: str
    name: str
    done: int
    in_progress: int
    overdue: int
    completion: Average
    rework: Share  # reworked / submitted
    rating: float | None
    rated: int


@dataclass(frozen=True, slots=True)
class OfficerLoad:
    officer_id: str
    name: str
    active: int  # didisposisikan / diterima / dalam_proses now
    overdue: int


class HolderKind(StrEnum):
    UNIT = "unit"  # baru: nobody yet, the unit's dispatch queue
    OFFICER = "officer"
    VALIDATOR = "validator"  # menunggu_validasi


@dataclass(frozen=True, slots=True)
class WatchItem:
    item: QueueItem
    holder: HolderKind
    holder_name: str  # the officer's name for OFFICER, else ""


@dataclass(frozen=True, slots=True)
class SlaWatch:
    breaches: tuple[WatchItem, ...]  # most overdue first
    at_risk: tuple[WatchItem, ...]  # least time left first


@dataclass(frozen=True, slots=True)
class WaitingItem:
    """A report waiting for validation, with since when (the last completion)."""

    item: QueueItem
    submitted_at: datetime | None
    waited: timedelta


@dataclass(frozen=True, slots=True)
class MapPoint:
    report_id: str
    tracking_id: str
    title: str
    latitude: float
    longitude: float
    level: UrgencyLevel
    kelurahan: str


@dataclass(frozen=True, slots=True)
class KelurahanLoad:
    code: str
    name: str
    open: int
    overdue: int
    due_soon: int
    latitude: float | None  # mean position of its open reports
    longitude: float | None


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One report as the monthly-evaluation CSV lists it."""

    tracking_id: str
    title: str
    category: str
    channel: str
    status: Status
    kelurahan: str
    kecamatan: str
    kota: str
    address: str
    assignee_name: str
    received_at: datetime
    deadline: datetime
    dispatched_at: datetime | None
    completed_at: datetime | None
    overdue: bool
    progress_pct: int
    rework_count: int
    extension: ExtensionState
    rating: int | None
    latitude: float | None
    longitude: float | None


# --- helpers -------------------------------------------------------------------------


class _Scope:
    """The WHERE clause of the caller's scope, for table alias `r`."""

    def __init__(self, unit_id: str | None) -> None:
        self.sql = "r.in_scope = 1" + (" AND r.unit_id = ?" if unit_id is not None else "")
        self.args: list[Any] = [] if unit_id is None else [unit_id]


def _last(event: str) -> str:
    """The time of the report's (alias `r`) last `event`, through the timeline's index."""
    return f"(SELECT MAX(t.at) FROM timeline AS t WHERE t.report_id = r.id AND t.event = '{event}')"


def _avg(days: float | None, n: int) -> Average:
    if days is None or n == 0:
        return Average(None, n)
    # julianday() carries ~10 us of float noise: whole milliseconds are what is true.
    return Average(timedelta(milliseconds=round(days * _DAY_S * 1000)), n)


def _item(row: sqlite3.Row, now: datetime) -> QueueItem:
    view = view_from_row(row)
    return QueueItem(view, urgency(view.report, now))


def _columns(alias: str = "r") -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in REPORT_COLUMNS.split(","))


# --- supervisor ----------------------------------------------------------------------


def dashboard(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, days: int | None = DEFAULT_DAYS
) -> DashboardFigures:
    """The unit's dashboard figures against the server-corrected `now`.

    Three passes over the unit's reports (a device row is wide: it carries the server's
    snapshot, so every pass counts): the current counts, the period's groups, and the
    period's times (the last dispatch / completion found through the timeline's index).
    """
    period = Period.last_days(now, days)
    scope = _Scope(unit_id)
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
            f"{_last('dispatch')} AS d, CASE WHEN r.status = 'selesai' "
            f"THEN {_last('complete')} END AS c FROM reports AS r WHERE {in_period}) "
            f"SELECT AVG(julianday(d) - julianday(received_at)), COUNT(d), "
            f"AVG(julianday(c) - julianday(received_at)), COUNT(c), "
            f"COALESCE(SUM(c <= deadline), 0), "
            f"COALESCE(SUM(status IN {_ACTIVE} AND deadline < ?), 0) FROM x",
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
        coordination=_avg(t[0], t[1]),
        completion=_avg(t[2], t[3]),
        within_sla=Share(t[4], t[3] + t[5]),
    )


def team(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, days: int | None = DEFAULT_DAYS
) -> list[TeamRow]:
    """One row per officer, by name: the unit's officers and anyone holding its reports."""
    period = Period.last_days(now, days)
    scope = _Scope(unit_id)
    n = dt_out(now)
    start = dt_out(period.start) if period.start is not None else ""
    p = "r.received_at >= ?"
    with db.read() as conn:
        rows = conn.execute(
            f"WITH r AS MATERIALIZED (SELECT r.assignee_id, r.assignee_name, r.status, "
            f"r.received_at, r.deadline, r.rework_count, r.rating, "
            f"CASE WHEN r.status = 'selesai' AND {p} THEN {_last('complete')} END AS c "
            f"FROM reports AS r WHERE {scope.sql} AND r.assignee_id IS NOT NULL) "
            f"SELECT r.assignee_id, MAX(r.assignee_name), "
            f"COALESCE(SUM(r.status = 'selesai' AND {p}), 0), "
            f"COALESCE(SUM(r.status IN {_WORKING}), 0), "
            f"COALESCE(SUM(r.status IN {_WORKING} AND r.deadline < ?), 0), "
            f"AVG(julianday(r.c) - julianday(r.received_at)), COUNT(r.c), "
            f"COALESCE(SUM({p} AND (r.status IN {_SUBMITTED} OR r.rework_count > 0)), 0), "
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
                completion=_avg(r[5], r[6]),
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
    scope = _Scope(unit_id)
    with db.read() as conn:
        loads = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                f"SELECT r.assignee_id, COUNT(*), COALESCE(SUM(r.deadline < ?), 0) "
                f"FROM reports AS r WHERE {scope.sql} AND r.status IN {_WORKING} "
                "AND r.assignee_id IS NOT NULL GROUP BY r.assignee_id",
                [dt_out(now), *scope.args],
            )
        }
        officers = _officers(conn, unit_id)
    out = [OfficerLoad(oid, name, *loads.get(oid, (0, 0))) for oid, name in officers]
    return sorted(out, key=lambda o: (o.active, o.overdue, o.name.casefold(), o.officer_id))


def dispatch_queue(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, limit: int = 100, offset: int = 0
) -> list[QueueItem]:
    """Reports at the unit not yet given to an officer, most urgent first."""
    return _list(db, now, unit_id, "r.status = 'baru'", [], limit, offset)


def working_queue(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, limit: int = 100, offset: int = 0
) -> list[QueueItem]:
    """Reports with an officer now (to reassign or return), most urgent first."""
    return _list(db, now, unit_id, f"r.status IN {_WORKING}", [], limit, offset)


def extension_requests(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, limit: int = 100
) -> list[QueueItem]:
    """Reports whose officer asked for more time, most urgent first."""
    cond = f"r.extension_state = 'requested' AND r.status IN {_WORKING}"
    return _list(db, now, unit_id, cond, [], limit, 0)


def _list(
    db: LocalDb,
    now: datetime,
    unit_id: str | None,
    cond: str,
    args: list[Any],
    limit: int,
    offset: int,
) -> list[QueueItem]:
    scope = _Scope(unit_id)
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT {_columns()} FROM reports AS r WHERE {scope.sql} AND {cond} "
            "ORDER BY r.deadline, r.received_at, r.id LIMIT ? OFFSET ?",
            [*scope.args, *args, limit, offset],
        ).fetchall()
    return [_item(r, now) for r in rows]


def _watch(item: QueueItem) -> WatchItem:
    status = item.report.status
    if status is Status.BARU:
        return WatchItem(item, HolderKind.UNIT, "")
    if status is Status.MENUNGGU_VALIDASI:
        return WatchItem(item, HolderKind.VALIDATOR, "")
    return WatchItem(item, HolderKind.OFFICER, item.view.assignee_name)


def sla_watch(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, limit: int = WATCH_LIMIT
) -> SlaWatch:
    """The breach list (past the deadline) and the at-risk list (under 72 h left)."""
    n = dt_out(now)
    breaches = _list(db, now, unit_id, f"r.status IN {_ACTIVE} AND r.deadline < ?", [n], limit, 0)
    risk = _list(
        db,
        now,
        unit_id,
        f"r.status IN {_ACTIVE} AND r.deadline >= ? AND r.deadline < ?",
        [n, dt_out(now + AT_RISK)],
        limit,
        0,
    )
    return SlaWatch(tuple(map(_watch, breaches)), tuple(map(_watch, risk)))


def _level_sql() -> str:
    return (
        "CASE WHEN r.deadline < ? THEN 'overdue' WHEN r.deadline < ? THEN 'due_soon' "
        "WHEN r.deadline < ? THEN 'at_risk' ELSE 'on_track' END"
    )


def _level_args(now: datetime) -> list[Any]:
    return [dt_out(now), dt_out(now + DUE_SOON), dt_out(now + AT_RISK)]


def map_points(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, limit: int = MAP_LIMIT
) -> list[MapPoint]:
    """The unit's SLA-active reports with a location, most urgent first (capped)."""
    scope = _Scope(unit_id)
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT r.id, r.tracking_id, r.title, r.latitude, r.longitude, {_level_sql()}, "
            f"r.kelurahan FROM reports AS r WHERE {scope.sql} AND r.status IN {_ACTIVE} "
            "AND r.latitude IS NOT NULL AND r.longitude IS NOT NULL "
            "ORDER BY r.deadline, r.received_at, r.id LIMIT ?",
            [*_level_args(now), *scope.args, limit],
        ).fetchall()
    return [MapPoint(r[0], r[1], r[2], r[3], r[4], UrgencyLevel(r[5]), r[6]) for r in rows]


def kelurahan_loads(
    db: LocalDb, *, now: datetime, unit_id: str | None = None
) -> list[KelurahanLoad]:
    """SLA-active reports per kelurahan (the map's offline fallback), most overdue first."""
    scope = _Scope(unit_id)
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT COALESCE(r.kelurahan_code, ''), MAX(r.kelurahan), COUNT(*), "
            f"COALESCE(SUM(r.deadline < ?), 0), "
            f"COALESCE(SUM(r.deadline >= ? AND r.deadline < ?), 0), "
            f"AVG(r.latitude), AVG(r.longitude) FROM reports AS r "
            f"WHERE {scope.sql} AND r.status IN {_ACTIVE} "
            "GROUP BY COALESCE(r.kelurahan_code, '')",
            [dt_out(now), dt_out(now), dt_out(now + DUE_SOON), *scope.args],
        ).fetchall()
    out = [KelurahanLoad(r[0], r[1] or "", r[2], r[3], r[4], r[5], r[6]) for r in rows]
    return sorted(out, key=lambda k: (-k.overdue, -k.open, k.name, k.code))


def export_rows(db: LocalDb, *, now: datetime, unit_id: str | None = None) -> list[ExportRow]:
    """Every report of the unit held on the device, oldest received first (for CSV)."""
    scope = _Scope(unit_id)
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT r.tracking_id, r.title, r.category, r.channel, r.status, r.kelurahan, "
            f"r.kecamatan, r.kota, r.address, r.assignee_name, r.received_at, r.deadline, "
            f"{_last('dispatch')}, {_last('complete')}, "
            f"r.status IN {_ACTIVE} AND r.deadline < ?, r.progress_pct, r.rework_count, "
            f"r.extension_state, r.rating, r.latitude, r.longitude FROM reports AS r "
            f"WHERE {scope.sql} ORDER BY r.received_at, r.id",
            [dt_out(now), *scope.args],
        ).fetchall()
    return [
        ExportRow(
            r[0],
            r[1],
            r[2],
            r[3],
            Status(r[4]),
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            _when(r[10]),
            _when(r[11]),
            _maybe(r[12]),
            _maybe(r[13]),
            bool(r[14]),
            r[15],
            r[16],
            ExtensionState(r[17]),
            r[18],
            r[19],
            r[20],
        )
        for r in rows
    ]


def _when(text: str) -> datetime:
    # The codec's fixed UTC form; fromisoformat is C-fast (an export parses 100k of them).
    return datetime.fromisoformat(text)


def _maybe(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# --- validator -----------------------------------------------------------------------


def validation_queue(
    db: LocalDb, *, now: datetime, limit: int = 200, offset: int = 0
) -> list[WaitingItem]:
    """Reports waiting for validation, longest waiting first."""
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT {_columns()}, (SELECT MAX(t.at) FROM timeline AS t WHERE t.report_id = r.id "
            "AND t.event = 'complete') AS submitted_at FROM reports AS r "
            "WHERE r.in_scope = 1 AND r.status = 'menunggu_validasi' "
            "ORDER BY COALESCE(submitted_at, r.received_at), r.received_at, r.id LIMIT ? OFFSET ?",
            [limit, offset],
        ).fetchall()
    out = []
    for r in rows:
        submitted = dt_in(r["submitted_at"])
        since = submitted if submitted is not None else dt_in(r["received_at"])
        assert since is not None
        out.append(WaitingItem(_item(r, now), submitted, max(now - since, timedelta(0))))
    return out
