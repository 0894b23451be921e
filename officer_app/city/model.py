"""Dasbor kota: the period, the filters, the drill-down and the figures the server sent.

The figures are computed on the server (`server/figures`) and read live: the device of
the data team never holds the city. The model keeps the question (`CityQuery`) and the
latest answer; the view renders them and forwards intents (period, filters, drill down
and up, the report list, exports). Figures that belong to an older question than the
one on screen are dropped (`_generation`), so a quick second click never shows the
first click's answer.

Invariant: every read goes through `CitySource` (the `Device`) off the UI loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import InitVar, dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Protocol

import flet as ft

from domain.city import (
    CityFigures,
    CityQuery,
    CityReportPage,
    Period,
    PeriodKind,
    parent_area,
)
from sync import Offline, ProtocolError, SyncError

WIB = timezone(timedelta(hours=7))
PAGE = 100
FILTERS = ("category", "channel", "status")


class CitySource(Protocol):
    def now(self) -> datetime: ...
    def city_figures(self, query: CityQuery) -> CityFigures: ...
    def city_reports(
        self, query: CityQuery, offset: int = 0, limit: int = 100
    ) -> CityReportPage: ...
    def city_export(
        self, query: CityQuery, fmt: str, table: str | None = None
    ) -> tuple[bytes, str]: ...


@ft.observable
@dataclass
class CityModel:
    source: InitVar[CitySource]
    t: Callable[..., str]
    kind: PeriodKind = PeriodKind.YEAR
    period: Period = field(default_factory=lambda: Period(date(2024, 1, 1), date(2024, 12, 31)))
    area: str | None = None
    category: str | None = None
    channel: str | None = None
    status: str | None = None
    figures: CityFigures | None = None
    reports: CityReportPage | None = None
    loading: bool = False
    error: str = ""

    def __post_init__(self, source: CitySource) -> None:
        self._source = source
        self._generation = 0
        self._names: dict[str, str] = {}
        self.period = Period.of(self.kind, source.now().astimezone(WIB).date())

    # --- the question -------------------------------------------------------------

    @property
    def query(self) -> CityQuery:
        return CityQuery(self.period, self.area, self.category, self.channel, self.status)

    @property
    def at_kelurahan(self) -> bool:
        return self.area is not None and self.area.count(".") == 3

    async def set_kind(self, kind: PeriodKind) -> None:
        if kind is PeriodKind.CUSTOM:
            self.kind = kind
            return  # the dates come from the pickers (set_custom)
        self.kind = kind
        self.period = Period.of(kind, self.period.start)
        await self.refresh()

    async def shift(self, step: int) -> None:
        self.period = self.period.shifted(self.kind, step)
        await self.refresh()

    async def set_custom(self, start: date, end: date) -> None:
        if end < start:
            start, end = end, start
        try:
            self.period = Period(start, end)
        except ValueError as exc:
            self.error = self.t("city.error.period", reason=str(exc))
            return
        self.kind = PeriodKind.CUSTOM
        await self.refresh()

    async def set_filter(self, name: str, value: str | None) -> None:
        if name not in FILTERS:
            raise ValueError(f"unknown filter {name!r}")
        setattr(self, name, value or None)
        await self.refresh()

    async def drill(self, area: str | None) -> None:
        """Open an area: the city (None), a kota, a kecamatan or a kelurahan."""
        self.area = area or None
        await self.refresh()

    async def up(self) -> None:
        await self.drill(parent_area(self.area))

    @property
    def area_names(self) -> dict[str, str]:
        """Names of the areas seen so far (the breadcrumb of the drill-down)."""
        return dict(self._names)

    # --- the answer ---------------------------------------------------------------

    async def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        query = self.query
        self.loading = True
        self.error = ""
        source = self._source
        want_list = self.at_kelurahan

        def read() -> tuple[CityFigures, CityReportPage | None]:
            figures = source.city_figures(query)
            page = source.city_reports(query, 0, PAGE) if want_list else None
            return figures, page

        try:
            figures, page = await asyncio.to_thread(read)
        except SyncError as exc:
            if generation == self._generation:
                self.error = self._explain(exc)
                self.loading = False
            return
        if generation != self._generation:
            return
        self._names.update({r.code: r.name for r in figures.areas if r.code})
        self.figures, self.reports, self.loading = figures, page, False

    async def more_reports(self) -> None:
        """The next page of the report list (at a kelurahan)."""
        current = self.reports
        if current is None or len(current.reports) >= current.total:
            return
        query, source, offset = self.query, self._source, len(current.reports)
        try:
            page = await asyncio.to_thread(source.city_reports, query, offset, PAGE)
        except SyncError as exc:
            self.error = self._explain(exc)
            return
        if self.reports is current and query == self.query:
            self.reports = replace(current, reports=current.reports + page.reports)

    async def export(self, fmt: str, table: str | None = None) -> tuple[bytes, str] | None:
        """The file for a download / save dialog, or None (the reason is in `error`)."""
        query, source = self.query, self._source
        try:
            return await asyncio.to_thread(source.city_export, query, fmt, table)
        except SyncError as exc:
            self.error = self._explain(exc)
            return None

    def save_failed(self) -> None:
        """The file came, but this platform could not save it."""
        self.error = self.t("city.export.failed")

    def _explain(self, exc: SyncError) -> str:
        if isinstance(exc, Offline):
            return self.t("city.error.offline")
        if isinstance(exc, ProtocolError) and exc.status == 403:
            return self.t("city.error.forbidden")
        return self.t("city.error.failed", reason=exc.message_id)
