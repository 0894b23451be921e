"""Open311 GeoReport v2 intake: how the citizen channels hand reports to CRM.

    GET  /open311/v2/services.json                      one service per CRM category
    GET  /open311/v2/services/{service_code}.json       its definition (attributes)
    POST /open311/v2/requests.json                      a new report (form-encoded)
    GET  /open311/v2/requests.json                      requests, filtered (public view)
    GET  /open311/v2/requests/{service_request_id}.json one request (public view)

As the specification (wiki.open311.org/GeoReport_v2) defines them, JSON format only.
Errors are the specification's list `[{"code": <HTTP status>, "description": ...}]`
(Indonesian / English), not the /v1 envelope, so the router parses its own arguments and
never lets FastAPI's validation answer for it.

Invariants:
- the `api_key` decides the channel: a report keeps the channel of the key it came with;
- `service_request_id` is the report's CRM tracking id (`CRM-<year>-<n>`);
- a report is routed to the kelurahan containing its location (`server.routing`), or
  to the kelurahan its address names when it has no coordinates; a point outside
  Jakarta is refused;
- the reporter's identity (first/last name, e-mail, phone) goes to `reporters` only and
  no GET reads that table; `device_id` and `account_id` are not stored at all;
- private by default: a request is public only with `attribute[visibility]=public`.
  To the public a private request shows only what its reporter needs to follow it
  (tracking id, service, status and notes, dates, the responsible agency and its
  kelurahan): never its description, address, coordinates or media. A public request
  also shows its description, address, coordinates and `media_url` (`_request_json`);
- `jurisdiction_id`, when given, must be ours (`jurisdiction_id()`);
- a POST repeating an API key's `Idempotency-Key` header creates nothing and answers
  with the first report (a channel retrying after a lost response makes no duplicate).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import Engine, Row, select
from starlette.concurrency import run_in_threadpool

from domain import CATEGORIES, JAKARTA, Category, Status

from . import routing
from .config import Settings
from .db import read_tx
from .intake import IntakeError as Open311Error
from .intake import (
    IntakeRequest,
    channel_for_key,
    check_idempotency_key,
    create_intake_report,
)
from .schema import intake_requests, reports, units

DEFAULT_JURISDICTION_ID = "jakarta.go.id"
PREFIX = "/open311/v2"
MAX_RESULTS = 1000
WINDOW = timedelta(days=90)

router = APIRouter(prefix=PREFIX, tags=["open311"])


class Open311ErrorOut(BaseModel):
    """One error of the GeoReport v2 error list (the HTTP status and a description)."""

    code: int
    description: str


_WHY: dict[int, str] = {
    400: "bad arguments, a NUL character, a body that does not parse",
    403: "invalid or revoked api_key",
    404: "unknown jurisdiction_id, service_code or service_request_id",
    413: "the body is too large",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The Open311 error answers an operation really gives, for /openapi.json."""
    return {code: {"model": list[Open311ErrorOut], "description": _WHY[code]} for code in codes}


# Service groups shown to citizens (Open311 `group`).
GROUPS: Mapping[str, str] = {
    "jalan": "Infrastruktur",
    "jaringan_listrik": "Infrastruktur",
    "fasilitas_gedung": "Infrastruktur",
    "lalu_lintas": "Transportasi",
    "parkir_liar": "Transportasi",
    "pohon": "Lingkungan",
    "sampah": "Lingkungan",
    "kebisingan": "Ketertiban Umum",
    "pkl_liar": "Ketertiban Umum",
    "kawasan_dilarang_merokok": "Ketertiban Umum",
    "ketertiban": "Ketertiban Umum",
    "pelanggaran_perda": "Ketertiban Umum",
    "bantuan_sosial": "Sosial dan Kesehatan",
    "pendataan_kesehatan": "Sosial dan Kesehatan",
    "hubungan_pekerja": "Sosial dan Kesehatan",
    "fasilitas_kesehatan": "Sosial dan Kesehatan",
}

STATUS_NOTES: Mapping[Status, str] = {
    Status.BARU: "Laporan diterima dan diteruskan ke unit / Received and routed to a unit",
    Status.DIDISPOSISIKAN: "Didisposisikan ke petugas / Dispatched to an officer",
    Status.DITERIMA: "Diterima petugas / Acknowledged by the officer",
    Status.DALAM_PROSES: "Sedang ditindaklanjuti / Follow-up in progress",
    Status.MENUNGGU_VALIDASI: "Menunggu validasi dan verifikasi / Waiting for validation",
    Status.SELESAI: "Selesai ditindaklanjuti / Done",
    Status.KOORDINASI: "Dikoordinasikan dengan instansi terkait / Being coordinated",
    Status.DITUTUP: "Ditutup (ganda atau tidak valid) / Closed (duplicate or invalid)",
}

VISIBILITY_ATTRIBUTE: dict[str, Any] = {
    "variable": True,
    "code": "visibility",
    "datatype": "singlevaluelist",
    "required": False,
    "datatype_description": "private (bawaan/default) atau/or public",
    "order": 1,
    "description": (
        "Tampilkan laporan ini untuk publik? Laporan bersifat privat kecuali pelapor "
        "memilih publik. Untuk laporan privat, publik hanya melihat nomor pelacakan, "
        "layanan, status, tanggal dan instansi penanggung jawab; tanpa uraian, alamat, "
        "koordinat, maupun foto. Laporan publik juga menampilkan uraian, lokasi dan "
        "fotonya. / Show this report publicly? Reports are private unless the reporter "
        "chooses public. For a private report the public sees only the tracking id, "
        "service, status, dates and the responsible agency: no description, address, "
        "coordinates or media. A public report also shows its description, location "
        "and photo."
    ),
    "values": [
        {"key": "private", "name": "Privat / Private"},
        {"key": "public", "name": "Publik / Public"},
    ],
}


def jurisdiction_id(settings: Settings) -> str:
    """Ours: the settings' `open311_jurisdiction_id` if it has one, else the
    `TINDAK_JURISDICTION_ID` environment variable, else `jakarta.go.id`."""
    configured = getattr(settings, "open311_jurisdiction_id", None)
    if isinstance(configured, str) and configured:
        return configured
    return os.environ.get("TINDAK_JURISDICTION_ID") or DEFAULT_JURISDICTION_ID


def _answer(exc: Open311Error) -> JSONResponse:
    return JSONResponse(
        [{"code": exc.http_status, "description": exc.description}], exc.http_status
    )


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _check_jurisdiction(request: Request, given: str | None) -> None:
    if given is not None and given.strip() != jurisdiction_id(_settings(request)):
        raise Open311Error(
            404, f"jurisdiction_id tidak dikenal / unknown jurisdiction_id: {given[:100]!r}"
        )


def _service_json(c: Category) -> dict[str, Any]:
    return {
        "service_code": c.code,
        "service_name": c.name_id,
        "description": f"Laporan {c.name_id} / Reports about {c.name_en.lower()}",
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys([c.name_id.lower(), c.name_en.lower(), c.code])),
        "group": GROUPS.get(c.code, "Lainnya"),
    }


# --- services ----------------------------------------------------------------------------


@router.get(
    "/services.json",
    summary="Open311: the service list (one per CRM category)",
    responses=_errors(400, 404),
)
def services(request: Request, jurisdiction_id: str | None = None) -> JSONResponse:
    try:
        _check_jurisdiction(request, jurisdiction_id)
    except Open311Error as exc:
        return _answer(exc)
    return JSONResponse([_service_json(c) for c in CATEGORIES.values()])


@router.get(
    "/services/{service_code}.json",
    summary="Open311: a service definition (its attributes)",
    responses=_errors(400, 404),
)
def service_definition(
    request: Request, service_code: str, jurisdiction_id: str | None = None
) -> JSONResponse:
    try:
        _check_jurisdiction(request, jurisdiction_id)
        if service_code not in CATEGORIES:
            raise Open311Error(
                404, f"service_code tidak ditemukan / service_code not found: {service_code[:64]!r}"
            )
    except Open311Error as exc:
        return _answer(exc)
    return JSONResponse({"service_code": service_code, "attributes": [VISIBILITY_ATTRIBUTE]})


# --- POST a request ----------------------------------------------------------------------

FormStr = Annotated[str | None, Form()]


@router.post(
    "/requests.json",
    summary="Open311: submit a new report (form-encoded)",
    status_code=201,
    responses=_errors(400, 403, 404, 413),
    description=(
        "Arguments per GeoReport v2: api_key (identifies the channel), jurisdiction_id, "
        "service_code, lat+long or address_string (naming the kelurahan) or address_id, "
        "attribute[visibility]=private|public, email, device_id, account_id, first_name, "
        "last_name, phone, description (<= 4000 characters), media_url. An optional "
        "Idempotency-Key header makes a retry answer with the first report."
    ),
)
async def post_request(
    request: Request,
    api_key: FormStr = None,
    jurisdiction_id: FormStr = None,
    service_code: FormStr = None,
    lat: FormStr = None,
    long: FormStr = None,
    address_string: FormStr = None,
    address_id: FormStr = None,
    email: FormStr = None,
    device_id: FormStr = None,
    account_id: FormStr = None,
    first_name: FormStr = None,
    last_name: FormStr = None,
    phone: FormStr = None,
    description: FormStr = None,
    media_url: FormStr = None,
) -> JSONResponse:
    form = await request.form()
    attributes = {
        key[len("attribute[") : -1]: str(value)
        for key, value in form.multi_items()
        if key.startswith("attribute[") and key.endswith("]")
    }
    fields = {
        "api_key": api_key,
        "service_code": service_code,
        "lat": lat,
        "long": long,
        "address_string": address_string,
        "address_id": address_id,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "phone": phone,
        "description": description,
        "media_url": media_url,
    }
    try:
        _check_jurisdiction(request, jurisdiction_id)
        # The key first: a caller without one learns nothing about the rest.
        key = await run_in_threadpool(channel_for_key, _engine(request), api_key)
        intake = IntakeRequest.parse(fields, attributes)
        once = check_idempotency_key(request.headers.get("Idempotency-Key"))
        result = await run_in_threadpool(
            create_intake_report, _engine(request), _settings(request), key, intake, once
        )
    except Open311Error as exc:
        return _answer(exc)
    body: dict[str, Any] = {
        "service_request_id": result.tracking_id,
        "service_notice": result.service_notice,
        "account_id": (account_id or None) and account_id[:200],
    }
    return JSONResponse([body], status_code=201)


# --- GET requests ------------------------------------------------------------------------


def _w3c(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(JAKARTA).replace(microsecond=0).isoformat()


def _kelurahan_or_none(code: str | None) -> routing.Kelurahan | None:
    try:
        return routing.kelurahan(code) if code else None
    except KeyError:  # a code from elsewhere than the shipped data
        return None


def _request_json(row: Row[Any]) -> dict[str, Any]:
    m = row._mapping
    status = Status(m["status"])
    cat = CATEGORIES.get(m["category"])
    notes = STATUS_NOTES[status]
    if status is Status.DALAM_PROSES and m["progress_pct"]:
        notes += f" ({m['progress_pct']}%)"
    kel = _kelurahan_or_none(m["kelurahan_code"])
    public = bool(m["is_public"])  # private: nothing the reporter wrote or where it is
    return {
        "service_request_id": m["tracking_id"],
        "status": "closed" if status.is_terminal else "open",
        "status_notes": notes,
        "service_name": cat.name_id if cat else m["category"],
        "service_code": m["category"],
        "description": m["description"] if public else None,
        "agency_responsible": m["unit_name"],
        "service_notice": None,
        "requested_datetime": _w3c(m["received_at"]),
        "updated_datetime": _w3c(m["updated_at"]),
        "expected_datetime": _w3c(m["deadline"]),
        "address": m["address"] if public else None,
        "address_id": None,
        "zipcode": None,
        "lat": m["latitude"] if public else None,
        "long": m["longitude"] if public else None,
        "media_url": (m["media_url"] or None) if public else None,
        # Extensions (the specification allows more fields than its own).
        "tracking_id": m["tracking_id"],
        "crm_status": status.value,
        "kelurahan": kel.name if kel else None,
        "kecamatan": kel.kecamatan if kel else None,
        "kota": kel.kota if kel else None,
    }


# Only these columns are ever read for the public view (never `reporters`).
_PUBLIC_COLUMNS = (
    reports.c.tracking_id,
    reports.c.status,
    reports.c.category,
    reports.c.description,
    reports.c.progress_pct,
    reports.c.received_at,
    reports.c.updated_at,
    reports.c.deadline,
    reports.c.address,
    reports.c.latitude,
    reports.c.longitude,
    reports.c.kelurahan_code,
    reports.c.is_public,
    units.c.name.label("unit_name"),
    intake_requests.c.media_url,
)


def _public_select() -> Any:
    return select(*_PUBLIC_COLUMNS).select_from(
        reports.join(units, units.c.id == reports.c.unit_id).outerjoin(
            intake_requests, intake_requests.c.report_id == reports.c.id
        )
    )


def _csv(value: str | None, limit: int = 200) -> list[str]:
    if not value:
        return []
    items = [v.strip() for v in value.split(",") if v.strip()]
    if len(items) > limit:
        raise Open311Error(400, f"Terlalu banyak nilai / too many values (max {limit})")
    return items


def _date(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Open311Error(
            400,
            f"{name} harus tanggal-waktu W3C dengan zona waktu / {name} must be a W3C "
            "datetime with a time zone (e.g. 2026-03-01T00:00:00+07:00)",
        )
    return parsed


def _statuses(value: str | None) -> list[str] | None:
    wanted = _csv(value, 2)
    if not wanted:
        return None
    if any(s not in ("open", "closed") for s in wanted):
        raise Open311Error(
            400, "status harus open dan/atau closed / status must be open and/or closed"
        )
    chosen: list[str] = []
    for s in wanted:
        chosen += [x.value for x in Status if (x.is_terminal == (s == "closed"))]
    return chosen


def _query(
    engine: Engine,
    now: datetime,
    ids: list[str],
    codes: list[str],
    start: datetime | None,
    end: datetime | None,
    statuses: list[str] | None,
) -> list[dict[str, Any]]:
    stmt = _public_select()
    if ids:  # the specification: with ids, every other filter is ignored
        stmt = stmt.where(reports.c.tracking_id.in_(ids))
    else:
        if start is not None and end is not None and end - start > WINDOW:
            raise Open311Error(
                400, "Rentang tanggal maksimal 90 hari / the date range may span at most 90 days"
            )
        if start is None and end is None:
            start = now - WINDOW
        elif start is None and end is not None:
            start = end - WINDOW
        if start is not None:
            stmt = stmt.where(reports.c.received_at >= start)
        if end is not None:
            stmt = stmt.where(reports.c.received_at <= end)
        if codes:
            stmt = stmt.where(reports.c.category.in_(codes))
        if statuses is not None:
            stmt = stmt.where(reports.c.status.in_(statuses))
    stmt = stmt.order_by(reports.c.received_at.desc(), reports.c.tracking_id).limit(MAX_RESULTS)
    with read_tx(engine) as conn:
        return [_request_json(r) for r in conn.execute(stmt)]


@router.get(
    "/requests.json",
    summary="Open311: service requests (last 90 days by default, at most 1000)",
    responses=_errors(400, 404),
)
async def get_requests(
    request: Request,
    jurisdiction_id: Annotated[str | None, Query()] = None,
    service_request_id: Annotated[str | None, Query()] = None,
    service_code: Annotated[str | None, Query()] = None,
    start_date: Annotated[str | None, Query()] = None,
    end_date: Annotated[str | None, Query()] = None,
    status: Annotated[str | None, Query()] = None,
) -> JSONResponse:
    try:
        _check_jurisdiction(request, jurisdiction_id)
        ids = _csv(service_request_id, MAX_RESULTS)
        codes = _csv(service_code)
        start = _date(start_date, "start_date")
        end = _date(end_date, "end_date")
        statuses = _statuses(status)
        now = _settings(request).now()
        found = await run_in_threadpool(
            _query, _engine(request), now, ids, codes, start, end, statuses
        )
    except Open311Error as exc:
        return _answer(exc)
    return JSONResponse(found)


@router.get(
    "/requests/{service_request_id}.json",
    summary="Open311: one service request",
    responses=_errors(400, 404),
)
async def get_request(
    request: Request,
    service_request_id: str,
    jurisdiction_id: Annotated[str | None, Query()] = None,
) -> JSONResponse:
    try:
        _check_jurisdiction(request, jurisdiction_id)
        now = _settings(request).now()
        found = await run_in_threadpool(
            _query, _engine(request), now, [service_request_id[:64]], [], None, None, None
        )
        if not found:
            raise Open311Error(
                404,
                "service_request_id tidak ditemukan / service_request_id not found: "
                f"{service_request_id[:64]!r}",
            )
    except Open311Error as exc:
        return _answer(exc)
    return JSONResponse(found)


def _allowed_methods(request: Request) -> list[str]:
    """The methods the router's own routes accept at this path (none: unknown path)."""
    allowed: set[str] = set()
    for route in router.routes:
        if (
            isinstance(route, APIRoute)
            and route.endpoint is not unknown
            and route.path_regex.match(request.url.path)
        ):
            allowed |= route.methods or set()
    return sorted(allowed)


@router.api_route(
    "/{rest:path}",
    methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"],
    include_in_schema=False,
)
def unknown(request: Request, rest: str) -> JSONResponse:
    """Anything else under the prefix (another format such as .xml, a typo, a method a
    path does not take) answers in Open311's error format rather than the /v1 envelope."""
    allowed = _allowed_methods(request)
    if allowed:
        answer = _answer(
            Open311Error(
                405,
                f"Metode {request.method} tidak diizinkan di sini / method "
                f"{request.method} not allowed here (allowed: {', '.join(allowed)})",
            )
        )
        answer.headers["Allow"] = ", ".join(allowed)
        return answer
    if rest.endswith(".xml"):
        return _answer(Open311Error(400, "Hanya format JSON / only the JSON format is supported"))
    return _answer(Open311Error(404, f"Tidak ditemukan / not found: {rest[:100]!r}"))
