"""Intake of a citizen report from a channel: validate, route, create (no HTTP here).

`server/open311.py` turns an Open311 POST into an `IntakeRequest` and calls
`create_intake_report`; the admin tools and tests may call it directly.

Invariants:
- the channel comes from the API key, never from the request's own fields;
- the report is routed before anything is written; a refused location writes nothing;
- the kelurahan's unit exists before the report points at it (the wilayah tree is
  installed on first need), and the report, its `received` timeline entry, its feed
  rows and the intake record are written in one transaction;
- the reporter's identity is handed to `create_report` for the `reporters` table only;
- a request repeating an API key's `Idempotency-Key` creates nothing and gets the first
  request's answer (the unique index decides a race between two such requests).

Every refusal is an `IntakeError(status, description)` with an HTTP status (400 bad
arguments or location, 403 bad key) and a description in Indonesian / English.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from domain import CATEGORIES, JAKARTA

from . import routing
from .apikeys import ApiKey, find_api_key
from .config import Settings
from .db import read_tx, write_tx
from .errors import ServerError
from .reports import Reporter, create_report
from .schema import intake_requests, reports, units
from .wilayah import install_wilayah_units, kelurahan_unit

MAX_DESCRIPTION = 4000  # the Open311 specification's limit
MAX_NAME = 100
MAX_EMAIL = 200
MAX_PHONE = 32
MAX_ADDRESS = 500
MAX_URL = 2000
MAX_IDEMPOTENCY_KEY = 200
TITLE_LENGTH = 100
VISIBILITY = ("private", "public")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{4,32}$")


class IntakeError(ServerError):
    """A refused intake request: an HTTP status and a bilingual description.

    Open311 answers with its own error list, not the envelope: `http_status` and
    `description` are what its handler sends.
    """

    status = 400
    code = "bad_request"

    def __init__(self, http_status: int, description: str) -> None:
        super().__init__(description, description)
        self.http_status = http_status
        self.description = description


def _bad(description: str) -> IntakeError:
    return IntakeError(400, description)


def _text(fields: Mapping[str, str | None], name: str, limit: int) -> str:
    value = (fields.get(name) or "").strip()
    if len(value) > limit:
        raise _bad(f"{name} terlalu panjang / {name} is too long (max {limit})")
    return value


def _coordinate(value: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise _bad(f"{name} harus angka / {name} must be a number")
    return number


@dataclass(frozen=True, slots=True)
class IntakeRequest:
    service_code: str
    latitude: float | None
    longitude: float | None
    address: str
    address_id: str
    description: str
    reporter: Reporter | None
    media_url: str
    is_public: bool

    @classmethod
    def parse(
        cls, fields: Mapping[str, str | None], attributes: Mapping[str, str]
    ) -> IntakeRequest:
        """Check an Open311 POST's arguments (strings as received)."""
        code = _text(fields, "service_code", 64)
        if not code:
            raise _bad("service_code wajib diisi / service_code is required")
        if code not in CATEGORIES:
            raise _bad(f"service_code tidak dikenal / unknown service_code: {code!r}")
        lat_s, lon_s = _text(fields, "lat", 40), _text(fields, "long", 40)
        address = _text(fields, "address_string", MAX_ADDRESS)
        address_id = _text(fields, "address_id", 100)
        if bool(lat_s) != bool(lon_s):
            raise _bad("lat dan long harus diisi bersama / lat and long go together")
        if not (lat_s or address or address_id):
            raise _bad(
                "Lokasi wajib: lat/long atau address_string / a location is required: "
                "lat/long or address_string"
            )
        lat = _coordinate(lat_s, "lat") if lat_s else None
        lon = _coordinate(lon_s, "long") if lon_s else None
        for key in attributes:
            if key != "visibility":
                raise _bad(f"attribute tidak dikenal / unknown attribute: {key[:64]!r}")
        visibility = attributes.get("visibility", "private").strip() or "private"
        if visibility not in VISIBILITY:
            raise _bad(
                "attribute[visibility] harus private atau public / must be private or public"
            )
        first = _text(fields, "first_name", MAX_NAME)
        last = _text(fields, "last_name", MAX_NAME)
        email = _text(fields, "email", MAX_EMAIL)
        phone = _text(fields, "phone", MAX_PHONE)
        if email and ("@" not in email or any(c.isspace() for c in email)):
            raise _bad("email tidak sah / invalid email")
        if phone and not _PHONE.match(phone):
            raise _bad("phone tidak sah / invalid phone")
        media_url = _text(fields, "media_url", MAX_URL)
        if media_url and not media_url.lower().startswith(("https://", "http://")):
            raise _bad("media_url harus URL http(s) / media_url must be an http(s) URL")
        name = " ".join(p for p in (first, last) if p)
        reporter = (name, email, phone) if (name or email or phone) else None
        return cls(
            service_code=code,
            latitude=lat,
            longitude=lon,
            address=address,
            address_id=address_id,
            description=_text(fields, "description", MAX_DESCRIPTION),
            reporter=reporter,
            media_url=media_url,
            is_public=visibility == "public",
        )


@dataclass(frozen=True, slots=True)
class IntakeResult:
    report_id: str
    tracking_id: str
    channel: str
    unit_id: str
    unit_name: str
    deadline: datetime
    service_notice: str
    replayed: bool = False  # answered from an earlier request with the same key


def channel_for_key(engine: Engine, api_key: str | None) -> ApiKey:
    """The live key record, else 403 (400 when no key was sent at all)."""
    if not api_key or not api_key.strip():
        raise _bad("api_key wajib diisi / api_key is required")
    if len(api_key) > 200:
        raise IntakeError(403, "api_key tidak sah / invalid api_key")
    with read_tx(engine) as conn:
        key = find_api_key(conn, api_key.strip())
    if key is None:
        raise IntakeError(403, "api_key tidak sah / invalid api_key")
    return key


def locate(req: IntakeRequest) -> routing.KelurahanMatch:
    if req.latitude is not None and req.longitude is not None:
        try:
            return routing.route(req.latitude, req.longitude)
        except routing.RoutingError as exc:
            raise _bad(f"{exc.message_id} / {exc.message_en}") from exc
    found = routing.route_address(req.address)
    if found is None:
        raise _bad(
            "Alamat tidak menyebut kelurahan di DKI Jakarta (mis. 'Kel. Menteng'); "
            "kirim lat/long / the address names no Jakarta kelurahan (e.g. 'Kel. Menteng'); "
            "send lat/long"
        )
    return found


def _title(category_name: str, description: str, kelurahan: str) -> str:
    first = re.split(r"(?<=[.!?])\s|\n", description.strip(), maxsplit=1)[0].strip()
    if not first:
        return f"Laporan {category_name} di Kel. {kelurahan}"
    if len(first) > TITLE_LENGTH:
        first = first[: TITLE_LENGTH - 1].rstrip() + "…"
    return first


def _kelurahan_unit(conn: Connection, code: str) -> tuple[str, str]:
    found = kelurahan_unit(conn, code)
    if found is None:
        install_wilayah_units(conn)
        found = kelurahan_unit(conn, code)
    assert found is not None, f"kelurahan {code} has no unit"
    return found


def _notice(unit_name: str, deadline: datetime, nearest: bool) -> str:
    due = deadline.astimezone(JAKARTA).strftime("%d-%m-%Y %H:%M")
    near = " (kelurahan terdekat / nearest kelurahan)" if nearest else ""
    return (
        f"Laporan diteruskan ke {unit_name}{near}; tindak lanjut paling lambat {due} WIB. / "
        f"Routed to {unit_name}{near}; follow-up due by {due} WIB (Jakarta time)."
    )


def _earlier(conn: Connection, key: ApiKey, idempotency_key: str) -> IntakeResult | None:
    row = conn.execute(
        select(
            reports.c.id,
            reports.c.tracking_id,
            reports.c.channel,
            reports.c.unit_id,
            reports.c.deadline,
            units.c.name,
        )
        .select_from(
            intake_requests.join(reports, reports.c.id == intake_requests.c.report_id).join(
                units, units.c.id == reports.c.unit_id
            )
        )
        .where(
            intake_requests.c.api_key_id == key.id,
            intake_requests.c.idempotency_key == idempotency_key,
        )
    ).first()
    if row is None:
        return None
    return IntakeResult(
        report_id=row.id,
        tracking_id=row.tracking_id,
        channel=row.channel,
        unit_id=row.unit_id,
        unit_name=row.name,
        deadline=row.deadline,
        service_notice=_notice(row.name, row.deadline, False),
        replayed=True,
    )


def check_idempotency_key(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_IDEMPOTENCY_KEY:
        raise _bad(f"Idempotency-Key terlalu panjang / too long (max {MAX_IDEMPOTENCY_KEY})")
    return value.strip()


def create_intake_report(
    engine: Engine,
    settings: Settings,
    key: ApiKey,
    req: IntakeRequest,
    idempotency_key: str | None = None,
) -> IntakeResult:
    """Route and create the report for a checked request; returns its tracking id.

    With an `idempotency_key` already used with this API key, nothing is created and the
    first request's report is answered again (a retry after a lost response)."""
    match = locate(req)
    category = CATEGORIES[req.service_code]
    address = req.address or f"Kel. {match.kelurahan}, Kec. {match.kecamatan}, {match.kota}"
    if idempotency_key is not None:
        with read_tx(engine) as conn:
            earlier = _earlier(conn, key, idempotency_key)
        if earlier is not None:
            return earlier
    now = settings.now()
    try:
        with write_tx(engine) as conn:
            unit_id, unit_name = _kelurahan_unit(conn, match.code)
            report_id = create_report(
                conn,
                report_id=None,
                tracking_id=None,
                category=category.code,
                channel=key.channel,
                unit_id=unit_id,
                received_at=now,
                title=_title(category.name_id, req.description, match.kelurahan),
                description=req.description,
                address=address,
                latitude=req.latitude,
                longitude=req.longitude,
                kelurahan_code=match.code,
                is_public=req.is_public,
                reporter=req.reporter,
                reporter_photo=None,
                now=now,
            )
            conn.execute(
                intake_requests.insert().values(
                    report_id=report_id,
                    api_key_id=key.id,
                    media_url=req.media_url,
                    idempotency_key=idempotency_key,
                )
            )
            row = conn.execute(
                select(reports.c.tracking_id, reports.c.deadline).where(reports.c.id == report_id)
            ).one()
    except IntegrityError:
        if idempotency_key is None:
            raise
        # The same key raced in from another connection and won: answer with its report.
        with read_tx(engine) as conn:
            earlier = _earlier(conn, key, idempotency_key)
        if earlier is None:
            raise
        return earlier
    return IntakeResult(
        report_id=report_id,
        tracking_id=row.tracking_id,
        channel=key.channel,
        unit_id=unit_id,
        unit_name=unit_name,
        deadline=row.deadline,
        service_notice=_notice(unit_name, row.deadline, not match.inside),
    )
