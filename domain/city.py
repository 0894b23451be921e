"""City-wide figures (Dasbor kota): the question, the answer, and what each figure means.

Biro Pemerintahan and the data team read CRM the way the sources do: reports and distinct
reporters per category and per channel, per kota / kecamatan / kelurahan on a map, per
status and month, the share resolved, and the average coordination and completion times.
The server computes every figure over its whole database (a device never holds the
city); this module is the wire contract both sides share.

Definitions (the same as the supervisor's dashboard, docs/roles.md, widened to the city):
- the **period** is a range of Asia/Jakarta calendar days, both ends included; a report
  belongs to it by the day it was *received*;
- **reports**: reports received in the period that match the filters;
- **reporters**: distinct reporters of those reports, counted in the database (the
  identities never leave it);
- **per day**: reports / days of the period that have begun (a period reaching into the
  future is not diluted by days to come); **peak day**: the day with the most reports
  (ties: the earliest), with its own distinct reporters;
- **resolved**: reports in `selesai`; the share is over all reports;
- **coordination time**: receipt to the dispatch to an officer of the unit that took the
  report, averaged over the reports dispatched at least once;
- **completion time**: receipt to the completion the validator accepted, averaged over the
  resolved reports;
- **SLA played out**: resolved, or still SLA-active (`baru` .. `menunggu_validasi`) past
  its deadline; **on time**: played out and completed by the deadline (an approved
  extension moves the deadline); **late**: played out and not on time. The on-time share
  and each area's late share are over the reports whose SLA played out.
- **areas**: the kelurahan code is the Kemendagri code ("31.71.06.1001"); a filter on an
  area is a code prefix: "31.71" (a kota), "31.71.06" (a kecamatan) or a kelurahan.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from .errors import InvalidValue
from .statuses import Status

# Statuses that run against the SLA deadline (`koordinasi` waits for re-routing; `selesai`
# and `ditutup` are closed): the same set as the supervisor's dashboard.
SLA_ACTIVE: tuple[Status, ...] = (
    Status.BARU,
    Status.DIDISPOSISIKAN,
    Status.DITERIMA,
    Status.DALAM_PROSES,
    Status.MENUNGGU_VALIDASI,
)
MAX_PERIOD_DAYS = 3 * 366  # a custom period longer than this is refused
AREA_PATTERN = r"^31(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class Period:
    """Jakarta calendar days `start` .. `end`, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidValue(f"period ends ({self.end}) before it starts ({self.start})")
        if (self.end - self.start).days + 1 > MAX_PERIOD_DAYS:
            raise InvalidValue(f"a period spans at most {MAX_PERIOD_DAYS} days")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def days_begun(self, today: date) -> int:
        """Days of the period up to and including `today` (at least one)."""
        last = min(self.end, today)
        return max(1, (last - self.start).days + 1)

    @classmethod
    def of(cls, kind: PeriodKind, anchor: date) -> Period:
        """The month, quarter or year that holds `anchor`."""
        if kind is PeriodKind.MONTH:
            last = calendar.monthrange(anchor.year, anchor.month)[1]
            return cls(anchor.replace(day=1), anchor.replace(day=last))
        if kind is PeriodKind.QUARTER:
            first_month = 3 * ((anchor.month - 1) // 3) + 1
            start = date(anchor.year, first_month, 1)
            end_month = first_month + 2
            return cls(
                start, date(anchor.year, end_month, calendar.monthrange(anchor.year, end_month)[1])
            )
        if kind is PeriodKind.YEAR:
            return cls(date(anchor.year, 1, 1), date(anchor.year, 12, 31))
        raise InvalidValue("a custom period needs its own start and end")

    def shifted(self, kind: PeriodKind, step: int) -> Period:
        """The previous (-1) or next (+1) month/quarter/year."""
        if kind is PeriodKind.CUSTOM:
            span = timedelta(days=self.days * step)
            return Period(self.start + span, self.end + span)
        anchor = self.start - timedelta(days=1) if step < 0 else self.end + timedelta(days=1)
        return Period.of(kind, anchor)


@dataclass(frozen=True, slots=True)
class CityQuery:
    """What the Dasbor kota asks: a period and optional filters (None = all)."""

    period: Period
    area: str | None = None  # a kelurahan code prefix, see the module docstring
    category: str | None = None
    channel: str | None = None
    status: str | None = None

    def to_params(self) -> dict[str, str]:
        params = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        for name in ("area", "category", "channel", "status"):
            value = getattr(self, name)
            if value:
                params[name] = value
        return params

    @property
    def area_level(self) -> AreaLevel:
        """The level of the areas the figures break down to under this filter."""
        depth = self.area.count(".") if self.area else 0
        if depth == 0:
            return AreaLevel.KOTA
        return (AreaLevel.KECAMATAN, AreaLevel.KELURAHAN, AreaLevel.KELURAHAN)[min(depth, 3) - 1]


class AreaLevel(StrEnum):
    KOTA = "kota"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"


@dataclass(frozen=True, slots=True)
class Totals:
    reports: int
    reporters: int
    days: int
    per_day: float
    peak_day: date | None
    peak_reports: int
    peak_reporters: int
    resolved: int
    resolved_share: float | None
    coordination_hours: float | None
    completion_hours: float | None
    played_out: int
    on_time: int
    on_time_share: float | None


@dataclass(frozen=True, slots=True)
class CountRow:
    """A row of the category and channel tables."""

    code: str
    reports: int
    reporters: int
    resolved: int


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: str  # "2024-05"
    reports: int
    resolved: int
    late: int


@dataclass(frozen=True, slots=True)
class StatusRow:
    status: str
    reports: int


@dataclass(frozen=True, slots=True)
class AreaRow:
    """An area (kota, kecamatan or kelurahan); `code` "" holds reports with no kelurahan."""

    code: str
    name: str
    reports: int
    resolved: int
    played_out: int
    late: int

    @property
    def late_share(self) -> float | None:
        return self.late / self.played_out if self.played_out else None


@dataclass(frozen=True, slots=True)
class CityFigures:
    query: CityQuery
    totals: Totals
    categories: tuple[CountRow, ...]
    channels: tuple[CountRow, ...]
    months: tuple[MonthRow, ...]
    statuses: tuple[StatusRow, ...]
    areas: tuple[AreaRow, ...]  # at `query.area_level`, most reports first
    kelurahan: tuple[AreaRow, ...] = field(default=())  # every kelurahan: the choropleth

    def to_wire(self) -> dict[str, Any]:
        t = self.totals
        return {
            "query": self.query.to_params(),
            "totals": {
                **{f.name: getattr(t, f.name) for f in fields(Totals)},
                "peak_day": t.peak_day.isoformat() if t.peak_day else None,
            },
            "categories": [_row(r) for r in self.categories],
            "channels": [_row(r) for r in self.channels],
            "months": [_row(r) for r in self.months],
            "statuses": [_row(r) for r in self.statuses],
            "areas": [_row(r) for r in self.areas],
            "kelurahan": [_row(r) for r in self.kelurahan],
        }

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> CityFigures:
        totals = dict(d["totals"])
        peak = totals.get("peak_day")
        totals["peak_day"] = date.fromisoformat(peak) if peak else None
        return cls(
            query=query_from_params(d["query"]),
            totals=Totals(**totals),
            categories=tuple(CountRow(**r) for r in d["categories"]),
            channels=tuple(CountRow(**r) for r in d["channels"]),
            months=tuple(MonthRow(**r) for r in d["months"]),
            statuses=tuple(StatusRow(**r) for r in d["statuses"]),
            areas=tuple(AreaRow(**r) for r in d["areas"]),
            kelurahan=tuple(AreaRow(**r) for r in d.get("kelurahan", ())),
        )


@dataclass(frozen=True, slots=True)
class CityReport:
    """One line of the drill-down list: never the text or the reporter of a report."""

    tracking_id: str
    category: str
    channel: str
    status: str
    kelurahan_code: str
    received_at: str  # ISO-8601 UTC
    deadline: str
    completed_at: str | None
    late: bool


@dataclass(frozen=True, slots=True)
class CityReportPage:
    reports: tuple[CityReport, ...]
    total: int
    offset: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "reports": [_row(r) for r in self.reports],
            "total": self.total,
            "offset": self.offset,
        }

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> CityReportPage:
        return cls(
            reports=tuple(CityReport(**r) for r in d["reports"]),
            total=int(d["total"]),
            offset=int(d["offset"]),
        )


def _row(row: Any) -> dict[str, Any]:
    return {f.name: getattr(row, f.name) for f in fields(row)}


def query_from_params(params: Mapping[str, str]) -> CityQuery:
    """The query from its wire parameters (raises `InvalidValue` on a malformed one)."""
    try:
        period = Period(date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))
    except (KeyError, ValueError) as exc:
        raise InvalidValue(f"start and end must be ISO dates: {exc}") from exc
    return CityQuery(
        period=period,
        area=params.get("area") or None,
        category=params.get("category") or None,
        channel=params.get("channel") or None,
        status=params.get("status") or None,
    )


def kota_code(code: str) -> str:
    return code[:5]


def kecamatan_code(code: str) -> str:
    return code[:8]


def parent_area(area: str | None) -> str | None:
    """One level up: kelurahan → kecamatan → kota → the city (None)."""
    if not area or area.count(".") <= 1:
        return None
    return area.rsplit(".", 1)[0]
