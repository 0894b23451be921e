"""The figures' typed values, constants and the SQL pieces the queries share.

Invariant: the SQL pieces inline only our own status codes (enum values, never input);
every value from a caller goes through a parameter.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from domain import JAKARTA, ExtensionState, Status, UrgencyLevel
from domain.city import SLA_ACTIVE as SLA_ACTIVE  # shared with the city figures
from domain.sla import urgency

from ..reports import REPORT_COLUMNS, view_from_row
from ..rows import QueueItem

WORKING: tuple[Status, ...] = (Status.DIDISPOSISIKAN, Status.DITERIMA, Status.DALAM_PROSES)
SUBMITTED: tuple[Status, ...] = (Status.MENUNGGU_VALIDASI, Status.SELESAI)
DEFAULT_DAYS = 30
WATCH_LIMIT = 200
MAP_LIMIT = 500
DAY_S = 86_400.0


def sql_in(statuses: Sequence[Status]) -> str:
    # Status values are our own enum codes, never user input: safe to inline.
    return "(" + ", ".join(f"'{s.value}'" for s in statuses) + ")"


ACTIVE_SQL, WORKING_SQL, SUBMITTED_SQL = sql_in(SLA_ACTIVE), sql_in(WORKING), sql_in(SUBMITTED)


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


# --- SQL pieces ----------------------------------------------------------------------


class Scope:
    """The WHERE clause of the caller's scope, for table alias `r`."""

    def __init__(self, unit_id: str | None) -> None:
        self.sql = "r.in_scope = 1" + (" AND r.unit_id = ?" if unit_id is not None else "")
        self.args: list[Any] = [] if unit_id is None else [unit_id]


def last_event(event: str) -> str:
    """The time of the report's (alias `r`) last `event`, through the timeline's index."""
    return f"(SELECT MAX(t.at) FROM timeline AS t WHERE t.report_id = r.id AND t.event = '{event}')"


def average(days: float | None, n: int) -> Average:
    if days is None or n == 0:
        return Average(None, n)
    # julianday() carries ~10 us of float noise: whole milliseconds are what is true.
    return Average(timedelta(milliseconds=round(days * DAY_S * 1000)), n)


def queue_item(row: sqlite3.Row, now: datetime) -> QueueItem:
    view = view_from_row(row)
    return QueueItem(view, urgency(view.report, now))


def columns(alias: str = "r") -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in REPORT_COLUMNS.split(","))
