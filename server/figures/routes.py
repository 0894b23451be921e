"""The Dasbor kota's HTTP API (role `analyst` only; everyone else gets 403).

    GET /v1/figures/city             every figure of the screen for a period and filters
    GET /v1/figures/city/reports     the reports behind them (ids, codes, times), paged
    GET /v1/figures/city/export      a table as CSV (`table=`) or every table as XLSX

No response carries a report's text, its location or its reporter: reporters are only
counted, in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from domain import Role, Status
from domain.categories import CATEGORIES, CHANNELS
from domain.city import AREA_PATTERN, CityQuery, Period
from domain.errors import DomainError
from domain.protocol import API_PREFIX

from ..api import Caller
from ..auth import Principal
from ..db import read_tx
from ..errors import Forbidden, InvalidRequest
from ..models import ErrorOut
from .compute import EXPORT_REPORTS, MAX_PAGE, city_figures, city_reports
from .export import ExportFormat, export_tables

T = TypeVar("T")

router = APIRouter(prefix=f"{API_PREFIX}/figures", tags=["figures"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 422)
}

Start = Annotated[date, Query(description="First Jakarta day of the period (YYYY-MM-DD)")]
End = Annotated[date, Query(description="Last Jakarta day of the period, included")]
Area = Annotated[
    str | None,
    Query(pattern=AREA_PATTERN, description="Kemendagri code prefix: kota, kecamatan or kelurahan"),
]
Code = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9_]+$")]


def _analyst(who: Principal) -> None:
    if who.role is not Role.ANALYST:
        raise Forbidden(
            "City-wide figures are for the data team (role analyst).",
            "Angka seluruh kota hanya untuk tim data (peran analis).",
        )


def _city_query(
    who: Caller,
    start: Start,
    end: End,
    area: Area = None,
    category: Code = None,
    channel: Code = None,
    status: Code = None,
) -> CityQuery:
    """The question every endpoint answers, after the role check (one place for both)."""
    _analyst(who)
    if category and category not in CATEGORIES:
        raise InvalidRequest(
            f"unknown category {category!r}", f"Kategori tidak dikenal: {category}."
        )
    if channel and channel not in CHANNELS:
        raise InvalidRequest(f"unknown channel {channel!r}", f"Kanal tidak dikenal: {channel}.")
    if status and status not in {s.value for s in Status}:
        raise InvalidRequest(f"unknown status {status!r}", f"Status tidak dikenal: {status}.")
    try:
        period = Period(start, end)
    except DomainError as exc:
        raise InvalidRequest(f"invalid period: {exc}", f"Periode tidak sah: {exc}") from exc
    return CityQuery(period, area or None, category or None, channel or None, status or None)


Question = Annotated[CityQuery, Depends(_city_query)]


async def _read(request: Request, work: Callable[[Connection, datetime], T]) -> T:
    """`work(conn, now)` in one read transaction, off the event loop."""
    engine, settings = request.app.state.engine, request.app.state.settings

    def run() -> T:
        with read_tx(engine) as conn:
            return work(conn, settings.now())

    return await run_in_threadpool(run)


def _json(body: dict[str, Any]) -> Response:
    return JSONResponse(body, headers={"Cache-Control": "private, no-store"})


@router.get("/city", summary="City-wide figures for a period (analyst)", responses=_ERRORS)
async def figures_city(q: Question, request: Request) -> Response:
    return _json(await _read(request, lambda conn, now: city_figures(conn, q, now).to_wire()))


@router.get("/city/reports", summary="The reports behind the figures (analyst)", responses=_ERRORS)
async def figures_reports(
    q: Question,
    request: Request,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> Response:
    return _json(
        await _read(
            request,
            lambda conn, now: city_reports(conn, q, now, offset=offset, limit=limit).to_wire(),
        )
    )


@router.get(
    "/city/export",
    summary="A table as CSV, or every table as XLSX (analyst)",
    responses={**_ERRORS, 200: {"content": {"text/csv": {}, "application/octet-stream": {}}}},
)
async def figures_export(
    q: Question,
    request: Request,
    format: ExportFormat = ExportFormat.CSV,
    table: Code = None,
) -> Response:
    def build(conn: Connection, now: datetime) -> tuple[bytes, str, str]:
        figures = city_figures(conn, q, now)
        wants_list = table == "laporan" or format is ExportFormat.XLSX
        page = city_reports(conn, q, now, limit=EXPORT_REPORTS) if wants_list else None
        return export_tables(figures, format, table, page)

    data, media, name = await _read(request, build)
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
