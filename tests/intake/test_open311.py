"""The Open311 GeoReport v2 intake over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from domain import CATEGORIES
from server import schema
from server.db import read_tx, write_tx
from server.reports import create_report
from server.wilayah import install_wilayah_units
from tests.intake.kit import Intake
from tests.server.kit import SUPERVISOR_A, SUPERVISOR_B, ApiClient, World, visible_reports

MONAS = {"lat": "-6.1754", "long": "106.8272"}  # Kelurahan Gambir
BUNDARAN_HI = {"lat": "-6.1950", "long": "106.8230"}  # Kelurahan Menteng
IDENTITY = {
    "first_name": "Rahasia",
    "last_name": "Pelaporwati",
    "email": "rahasia.pelaporwati@surel.example",
    "phone": "0812-0099-4321",
}
TRACKING = re.compile(r"^CRM-\d{4}-\d{6}$")
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def error_of(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1, body
    assert body[0]["code"] == status
    description: str = body[0]["description"]
    assert " / " in description  # Indonesian / English
    return description


def count(intake: Intake, table: Any) -> int:
    with read_tx(intake.server.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_services_one_per_category(intake: Intake) -> None:
    response = intake.get("services.json")
    assert response.status_code == 200
    services = response.json()
    assert [s["service_code"] for s in services] == list(CATEGORIES)
    for s in services:
        assert set(s) == {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        }
        assert s["metadata"] is True and s["type"] == "realtime"
        assert s["service_name"] == CATEGORIES[s["service_code"]].name_id
        assert isinstance(s["keywords"], str) and s["group"]
    assert intake.get("services.json", jurisdiction_id="jakarta.go.id").status_code == 200
    error_of(intake.get("services.json", jurisdiction_id="bandung.go.id"), 404)


def test_service_definition_has_the_visibility_attribute(intake: Intake) -> None:
    response = intake.get("services/pohon.json")
    assert response.status_code == 200
    body = response.json()
    assert body["service_code"] == "pohon"
    (attr,) = body["attributes"]
    assert attr["code"] == "visibility" and attr["variable"] is True
    assert attr["datatype"] == "singlevaluelist" and attr["required"] is False
    assert {"datatype_description", "order", "description"} <= set(attr)
    assert [v["key"] for v in attr["values"]] == ["private", "public"]
    assert "not found" in error_of(intake.get("services/jalan_tol.json"), 404)


def test_post_creates_a_routed_report_that_keeps_its_channel(intake: Intake) -> None:
    response = intake.post(
        "qlue",
        service_code="jalan",
        description="Jalan berlubang di depan Monas. Sudah tiga hari.",
        account_id="acc-77",
        device_id="android-123",
        **MONAS,
        **IDENTITY,
    )
    assert response.status_code == 201, response.text
    (answer,) = response.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert TRACKING.match(answer["service_request_id"])
    assert "Kelurahan Gambir" in answer["service_notice"]
    assert answer["account_id"] == "acc-77"
    with read_tx(intake.server.engine) as conn:
        r = conn.execute(
            select(schema.reports).where(
                schema.reports.c.tracking_id == answer["service_request_id"]
            )
        ).one()
        unit = conn.execute(select(schema.units).where(schema.units.c.id == r.unit_id)).one()
        reporter = conn.execute(
            select(schema.reporters).where(schema.reporters.c.id == r.reporter_id)
        ).one()
        link = conn.execute(
            select(schema.intake_requests, schema.api_keys.c.channel).join(
                schema.api_keys, schema.api_keys.c.id == schema.intake_requests.c.api_key_id
            )
        ).one()
        events = conn.execute(
            select(schema.timeline.c.event).where(schema.timeline.c.report_id == r.id)
        ).scalars()
        assert list(events) == ["received"]
    assert r.channel == "qlue" and link.channel == "qlue" and link.report_id == r.id
    assert (r.status, r.category, r.kelurahan_code) == ("baru", "jalan", "31.71.01.1001")
    assert unit.kelurahan_code == "31.71.01.1001" and unit.name == "Kelurahan Gambir"
    assert r.title == "Jalan berlubang di depan Monas."
    assert r.is_public is False  # private by default
    assert (reporter.name, reporter.email, reporter.phone) == (
        "Rahasia Pelaporwati",
        IDENTITY["email"],
        IDENTITY["phone"],
    )
    # The wilayah tree was installed on first need: 6 kota, 44 kecamatan, 267 kelurahan.
    assert count(intake, schema.units) == 317


@pytest.mark.parametrize(
    ("channel", "fields", "status", "fragment"),
    [
        (None, {"service_code": "jalan", **MONAS}, 400, "api_key is required"),
        ("bogus", {"service_code": "jalan", **MONAS}, 403, "invalid api_key"),
        ("revoked", {"service_code": "jalan", **MONAS}, 403, "invalid api_key"),
        (
            "jaki",
            {"service_code": "jalan", "jurisdiction_id": "x.go.id", **MONAS},
            404,
            "jurisdiction",
        ),
        ("jaki", {**MONAS}, 400, "service_code is required"),
        ("jaki", {"service_code": "jalan_tol", **MONAS}, 400, "unknown service_code"),
        ("jaki", {"service_code": "jalan"}, 400, "location is required"),
        ("jaki", {"service_code": "jalan", "lat": "-6.17"}, 400, "go together"),
        ("jaki", {"service_code": "jalan", "lat": "x", "long": "106.8"}, 400, "must be a number"),
        ("jaki", {"service_code": "jalan", "lat": "nan", "long": "106.8"}, 400, "must be a number"),
        (
            "jaki",
            {"service_code": "jalan", "lat": "-6.9175", "long": "107.6191"},
            400,
            "outside DKI Jakarta",
        ),
        (
            "jaki",
            {"service_code": "jalan", "lat": "95", "long": "106.8"},
            400,
            "Invalid coordinates",
        ),
        (
            "jaki",
            {"service_code": "jalan", "attribute[visibility]": "secret", **MONAS},
            400,
            "private or public",
        ),
        (
            "jaki",
            {"service_code": "jalan", "attribute[colour]": "red", **MONAS},
            400,
            "unknown attribute",
        ),
        ("jaki", {"service_code": "jalan", "description": "x" * 4001, **MONAS}, 400, "too long"),
        (
            "jaki",
            {"service_code": "jalan", "media_url": "ftp://a/b.jpg", **MONAS},
            400,
            "http(s) URL",
        ),
        ("jaki", {"service_code": "jalan", "email": "not an email", **MONAS}, 400, "invalid email"),
        ("jaki", {"service_code": "jalan", "phone": "call me", **MONAS}, 400, "invalid phone"),
        (
            "jaki",
            {"service_code": "jalan", "address_id": "A-17"},
            400,
            "names no Jakarta kelurahan",
        ),
        (
            "jaki",
            {"service_code": "jalan", "address_string": "Jl. Sudirman"},
            400,
            "names no Jakarta",
        ),
    ],
)
def test_post_refusals_follow_the_spec_and_store_nothing(
    intake: Intake, channel: str | None, fields: dict[str, str], status: int, fragment: str
) -> None:
    data = dict(fields)
    if channel is not None:
        data["api_key"] = intake.keys.get(channel, "t311_not_a_key_at_all_0000")
    response = intake.http.post("/open311/v2/requests.json", data=data)
    assert fragment in error_of(response, status)
    assert count(intake, schema.reports) == 0
    assert count(intake, schema.reporters) == 0


def test_an_address_naming_the_kelurahan_routes_without_coordinates(intake: Intake) -> None:
    response = intake.post(
        "twitter",
        service_code="sampah",
        address_string="Jl. Kebon Sirih No. 5, Kel. Kebon Sirih, Jakarta Pusat",
        description="Sampah menumpuk.",
        **{"attribute[visibility]": "public"},  # a private report's address is not shown
    )
    assert response.status_code == 201, response.text
    (answer,) = response.json()
    (found,) = intake.get(f"requests/{answer['service_request_id']}.json").json()
    assert found["kelurahan"] == "Kebon Sirih"
    assert found["lat"] is None and found["long"] is None
    assert found["address"].startswith("Jl. Kebon Sirih No. 5")


def test_gets_never_show_the_reporter_and_hide_private_media(intake: Intake) -> None:
    private = intake.post(
        service_code="pohon", media_url="https://foto.example/p.jpg", **BUNDARAN_HI, **IDENTITY
    ).json()[0]["service_request_id"]
    public = intake.post(
        "qlue",
        service_code="pohon",
        media_url="https://foto.example/q.jpg",
        **{"attribute[visibility]": "public"},
        **MONAS,
        **IDENTITY,
    ).json()[0]["service_request_id"]
    bodies = []
    for path in (f"requests/{private}.json", f"requests/{public}.json", "requests.json"):
        response = intake.get(path)
        assert response.status_code == 200
        bodies.append(response.text)
        for item in response.json():
            assert set(item) >= REQUEST_FIELDS
            assert item["status"] == "open" and item["crm_status"] == "baru"
            assert item["tracking_id"] == item["service_request_id"]
    by_id = {r["service_request_id"]: r for r in intake.get("requests.json").json()}
    assert by_id[private]["media_url"] is None
    assert by_id[public]["media_url"] == "https://foto.example/q.jpg"
    assert by_id[private]["agency_responsible"] == "Kelurahan Menteng"
    assert by_id[public]["kelurahan"] == "Gambir"
    text = "\n".join(bodies).lower()
    for secret in ("rahasia", "pelaporwati", "surel.example", "0812-0099-4321", "4321"):
        assert secret not in text


def _old_report(intake: Intake, days_ago: int, category: str = "sampah") -> str:
    now = intake.server.clock()
    with write_tx(intake.server.engine) as conn:
        install_wilayah_units(conn)
        rid = create_report(
            conn,
            report_id=None,
            tracking_id=None,
            category=category,
            channel="email",
            unit_id="kel-31.71.01.1001",
            received_at=now - timedelta(days=days_ago),
            title="Laporan lama",
            description="Laporan lama.",
            address="",
            latitude=None,
            longitude=None,
            kelurahan_code="31.71.01.1001",
            is_public=False,
            reporter=None,
            reporter_photo=None,
            now=now,
        )
        tid = conn.execute(
            select(schema.reports.c.tracking_id).where(schema.reports.c.id == rid)
        ).scalar_one()
    return str(tid)


def test_get_requests_filters(intake: Intake) -> None:
    jalan = intake.post(service_code="jalan", **MONAS).json()[0]["service_request_id"]
    pohon = intake.post(service_code="pohon", **MONAS).json()[0]["service_request_id"]
    old = _old_report(intake, days_ago=100)
    with write_tx(intake.server.engine) as conn:
        conn.execute(
            update(schema.reports)
            .where(schema.reports.c.tracking_id == pohon)
            .values(status="selesai")
        )

    def ids(**params: str) -> list[str]:
        response = intake.get("requests.json", **params)
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert set(ids()) == {jalan, pohon}  # the last 90 days by default
    assert ids(service_code="jalan") == [jalan]
    assert set(ids(service_code="jalan,pohon")) == {jalan, pohon}
    assert ids(status="closed") == [pohon]
    assert ids(status="open") == [jalan]
    assert set(ids(status="open,closed")) == {jalan, pohon}
    now = intake.server.clock()
    old_window = {
        "start_date": (now - timedelta(days=120)).isoformat(),
        "end_date": (now - timedelta(days=40)).isoformat(),
    }
    assert ids(**old_window) == [old]
    assert ids(end_date=(now - timedelta(days=50)).isoformat()) == [old]
    assert set(ids(start_date=(now - timedelta(days=1)).isoformat())) == {jalan, pohon}
    # With ids, every other filter is ignored (the specification).
    assert set(ids(service_request_id=f"{old},{jalan}", status="closed")) == {old, jalan}
    (closed,) = intake.get(f"requests/{pohon}.json").json()
    assert closed["status"] == "closed" and closed["crm_status"] == "selesai"

    too_long = {
        "start_date": (now - timedelta(days=91)).isoformat(),
        "end_date": now.isoformat(),
    }
    assert "90" in error_of(intake.get("requests.json", **too_long), 400)
    assert "W3C" in error_of(intake.get("requests.json", start_date="kemarin"), 400)
    assert "W3C" in error_of(intake.get("requests.json", start_date="2026-11-01T00:00:00"), 400)
    assert "open and/or closed" in error_of(intake.get("requests.json", status="pending"), 400)
    error_of(intake.get("requests.json", jurisdiction_id="nope"), 404)
    assert "not found" in error_of(intake.get("requests/CRM-1999-000001.json"), 404)


def test_get_requests_returns_at_most_1000(intake: Intake) -> None:
    now = intake.server.clock()
    rows = [
        {
            "id": f"bulk-{i}",
            "tracking_id": f"CRM-2026-9{i:05d}",
            "status": "baru",
            "category": "sampah",
            "channel": "jaki",
            "unit_id": "kel-31.71.01.1001",
            "received_at": now - timedelta(minutes=i),
            "sla_days": 7,
            "deadline": now + timedelta(days=7),
            "kelurahan_code": "31.71.01.1001",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(1003)
    ]
    with write_tx(intake.server.engine) as conn:
        install_wilayah_units(conn)
        conn.execute(schema.reports.insert(), rows)
    found = intake.get("requests.json").json()
    assert len(found) == 1000
    times = [r["requested_datetime"] for r in found]
    assert times == sorted(times, reverse=True)  # newest first
    assert found[0]["service_request_id"] == "CRM-2026-900000"


def test_unknown_paths_answer_in_open311_format(intake: Intake) -> None:
    assert "JSON" in error_of(intake.get("services.xml"), 400)
    error_of(intake.get("tokens/abc.json"), 404)


def test_openapi_documents_the_open311_routes(intake: Intake) -> None:
    paths = intake.http.get("/openapi.json").json()["paths"]
    for path in (
        "/open311/v2/services.json",
        "/open311/v2/services/{service_code}.json",
        "/open311/v2/requests.json",
        "/open311/v2/requests/{service_request_id}.json",
    ):
        assert path in paths
    assert "post" in paths["/open311/v2/requests.json"]


def test_a_new_report_reaches_its_kelurahan_supervisor_through_pull(
    intake: Intake, world: World, api: Callable[..., ApiClient]
) -> None:
    # The world's Menteng unit has its own id: routing finds it by its kelurahan code.
    response = intake.post(
        service_code="pohon", description="Pohon tumbang.", **BUNDARAN_HI, **IDENTITY
    )
    assert response.status_code == 201, response.text
    tracking = response.json()[0]["service_request_id"]
    with read_tx(intake.server.engine) as conn:
        menteng_units = conn.execute(
            select(func.count())
            .select_from(schema.units)
            .where(schema.units.c.kelurahan_code == "31.71.06.1001")
        ).scalar_one()
    assert menteng_units == 1

    supervisor = api(SUPERVISOR_A)
    changes, _ = supervisor.pull_all()
    mine = [r for r in visible_reports(changes).values() if r["tracking_id"] == tracking]
    assert len(mine) == 1
    report = mine[0]
    assert report["unit_id"] == world.unit_a and report["channel"] == "jaki"
    assert report["status"] == "baru" and report["category"] == "pohon"
    other = api(SUPERVISOR_B)
    changes_b, _ = other.pull_all()
    assert tracking not in {r["tracking_id"] for r in visible_reports(changes_b).values()}
    everything = b"\n".join(supervisor.bodies).lower()
    for secret in (b"rahasia", b"pelaporwati", b"surel.example", b"0099-4321"):
        assert secret not in everything


def test_a_retried_post_with_the_same_idempotency_key_creates_one_report(
    intake: Intake,
) -> None:
    def post(key: str, channel: str = "jaki") -> Any:
        return intake.http.post(
            "/open311/v2/requests.json",
            data={"api_key": intake.keys[channel], "service_code": "sampah", **MONAS},
            headers={"Idempotency-Key": key},
        )

    first = post("retry-1")
    assert first.status_code == 201, first.text
    again = post("retry-1")
    assert again.status_code == 201
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert count(intake, schema.reports) == 1
    other = post("retry-2")
    assert other.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    elsewhere = post("retry-1", channel="qlue")  # keys are per API key
    assert elsewhere.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    assert count(intake, schema.reports) == 3
    assert "too long" in error_of(post("k" * 201), 400)

    # Concurrent retries: the unique index lets exactly one through.
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: post("storm"), range(6)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()[0]["service_request_id"] for a in answers}) == 1
    assert count(intake, schema.reports) == 4
