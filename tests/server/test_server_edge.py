"""The server's edge answers bad input with a clear 4xx in the format of the path, never
a 5xx (over real HTTP, on SQLite and PostgreSQL): a NUL character in any text field,
`device_seq` as a whole-number float, Open311's error format for every failure under
/open311 (413 and unparsable bodies included), 405 with Allow, and a 500 that still
carries the server clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from server.apikeys import create_api_key
from server.db import write_tx
from server.schema import feed, login_attempts, mutations, reports, sessions, timeline
from tests.server.kit import (
    OFFICER_A1,
    PASSWORD,
    SUPERVISOR_A,
    ApiClient,
    RunningServer,
    World,
    seed_world,
    start_server,
)

Api = Callable[..., ApiClient]
NUL = "\x00"


def stored(server: RunningServer) -> tuple[int, ...]:
    with server.engine.connect() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (mutations, timeline, feed, reports, sessions, login_attempts)
        )


def nul_refused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert "x-server-time" in response.headers
    if response.request.url.path.startswith("/open311"):
        (error,) = response.json()
        assert error["code"] == 400 and "NUL" in error["description"]
        assert " / " in error["description"]
    else:
        assert response.json()["error"]["code"] == "nul_character"


def open311_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1, body
    assert body[0]["code"] == status and " / " in body[0]["description"]
    description: str = body[0]["description"]
    return description


LOGIN = {"username": OFFICER_A1, "password": PASSWORD, "device_id": "d1", "device_name": "HP"}


@pytest.mark.parametrize("field", list(LOGIN))
def test_a_nul_in_any_login_field_is_refused(
    server: RunningServer, world: World, api: Api, field: str
) -> None:
    before = stored(server)
    client = api()
    for value in (f"a{NUL}b", NUL):
        nul_refused(client.request("POST", "/v1/auth/login", json={**LOGIN, field: value}))
    assert stored(server) == before


def test_a_nul_in_the_refresh_token_and_the_pull_cursor_is_refused(
    server: RunningServer, world: World, api: Api
) -> None:
    client = api(OFFICER_A1)
    nul_refused(client.request("POST", "/v1/auth/refresh", json={"refresh_token": f"x{NUL}"}))
    nul_refused(client.request("GET", "/v1/sync/pull", params={"cursor": f"f:{NUL}"}))
    nul_refused(client.request("GET", "/v1/sync/pull", params={"cursor": "s:1:r:a\x00b"}))
    nul_refused(client.request("GET", f"/v1/photos/{'a' * 63}%00"))


def _mutation(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "id": "5b0c9d7e-0000-4000-8000-000000000077",
        "device_seq": 1,
        "action": "dispatch",
        "report_id": world.rid("a_new"),
        "payload": {"assignee_id": world.uid(OFFICER_A1), "note": "segera"},
        "created_at": "2026-11-20T01:00:00+00:00",
    }


@pytest.mark.parametrize(
    "change",
    [
        {"id": f"5b0c9d7e{NUL}"},
        {"action": f"dispatch{NUL}"},
        {"report_id": f"r{NUL}"},
        {"created_at": f"2026{NUL}"},
        {"payload": {"assignee_id": f"u{NUL}"}},
        {"payload": {"note": f"catatan{NUL}"}},
        {"payload": {f"k{NUL}": "v"}},
        {"payload": {"photo": {"sha256": f"{'a' * 63}{NUL}", "kind": "after"}}},
    ],
)
def test_a_nul_in_any_push_field_is_refused(
    server: RunningServer, world: World, api: Api, change: dict[str, Any]
) -> None:
    sup = api(SUPERVISOR_A)
    before = stored(server)
    mutation = {**_mutation(world), **change}
    nul_refused(sup.request("POST", "/v1/sync/push", json={"mutations": [mutation]}))
    raw = b'{"mutations": [{"id": "a\x00b"}]}'  # an unescaped NUL byte
    nul_refused(
        sup.request(
            "POST", "/v1/sync/push", content=raw, headers={"Content-Type": "application/json"}
        )
    )
    assert stored(server) == before


def test_a_backslash_before_u0000_is_text_not_a_nul(
    server: RunningServer, world: World, api: Api
) -> None:
    sup = api(SUPERVISOR_A)
    note = "lihat C:\\u0000\\berkas"  # an escaped backslash, then the letters u0000
    mutation = {**_mutation(world), "payload": {"assignee_id": world.uid(OFFICER_A1), "note": note}}
    (result,) = sup.push(mutation)
    assert result["outcome"] == "applied", result
    with server.engine.connect() as conn:
        notes = conn.execute(select(timeline.c.note).where(timeline.c.note != "")).scalars()
        assert note in list(notes)


@pytest.fixture
def open311(server: RunningServer) -> Iterator[tuple[httpx.Client, str]]:
    with write_tx(server.engine) as conn:
        key = create_api_key(conn, "jaki", now=server.clock())[1]
    with httpx.Client(base_url=server.base_url, timeout=30.0) as http:
        yield http, key


OPEN311_FORM = {
    "service_code": "jalan",
    "lat": "-6.1754",
    "long": "106.8272",
    "description": "Jalan berlubang.",
    "address_string": "Jl. Medan Merdeka",
    "first_name": "Siti",
    "email": "siti@contoh.example",
    "attribute[visibility]": "public",
    "jurisdiction_id": "jakarta.go.id",
}


@pytest.mark.parametrize("field", ["api_key", *OPEN311_FORM])
def test_a_nul_in_any_open311_post_field_is_refused(
    server: RunningServer, open311: tuple[httpx.Client, str], field: str
) -> None:
    http, key = open311
    before = stored(server)
    form = {"api_key": key, **OPEN311_FORM}
    form[field] = form[field] + NUL
    nul_refused(http.post("/open311/v2/requests.json", data=form))
    files = {name: (None, value) for name, value in form.items()}  # multipart
    nul_refused(http.post("/open311/v2/requests.json", files=files))
    assert stored(server) == before
    good = http.post("/open311/v2/requests.json", data={"api_key": key, **OPEN311_FORM})
    assert good.status_code == 201, good.text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("requests.json", {"service_request_id": f"CRM-2026-000001{NUL}"}),
        ("requests.json", {"service_code": f"jalan{NUL}"}),
        ("requests.json", {"start_date": f"2026-11-01T00:00:00+07:00{NUL}"}),
        ("requests.json", {"status": f"open{NUL}"}),
        ("requests.json", {"jurisdiction_id": f"jakarta.go.id{NUL}"}),
        ("requests/CRM-2026-000001%00.json", {}),
        ("services/jalan%00.json", {}),
        ("services.json", {"jurisdiction_id": NUL}),
    ],
)
def test_a_nul_in_any_open311_get_argument_is_refused(
    server: RunningServer, open311: tuple[httpx.Client, str], path: str, params: dict[str, str]
) -> None:
    http, _ = open311
    nul_refused(http.get(f"/open311/v2/{path}", params=params))


@pytest.mark.parametrize("seq", ["1.0", "2.0", "1e0", "1.5", "1E3"])
def test_device_seq_must_be_an_integer_even_a_whole_float_is_refused(
    server: RunningServer, world: World, api: Api, seq: str
) -> None:
    sup = api(SUPERVISOR_A)
    before = stored(server)
    template = (
        '{"mutations": [{"id": "m-1", "device_seq": SEQ, "action": "dispatch", '
        '"report_id": "RID", "payload": {"assignee_id": "UID"}}]}'
    )
    body = (
        template.replace("SEQ", seq)
        .replace("RID", world.rid("a_new"))
        .replace("UID", world.uid(OFFICER_A1))
    )
    response = sup.request(
        "POST", "/v1/sync/push", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and "device_seq" in error["message_en"]
    assert stored(server) == before


def test_every_open311_failure_keeps_the_open311_format(
    server: RunningServer, open311: tuple[httpx.Client, str]
) -> None:
    http, key = open311
    limit = server.settings.limits.json_body_bytes
    big = {"api_key": key, **OPEN311_FORM, "description": "x" * (limit + 10)}
    assert "too large" in open311_error(http.post("/open311/v2/requests.json", data=big), 413)
    chunked = http.post(  # no Content-Length: counted while it streams
        "/open311/v2/requests.json",
        content=iter([b"description=", b"y" * (limit + 10)]),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    open311_error(chunked, 413)
    broken = http.post(
        "/open311/v2/requests.json",
        content=b"--zz\r\nContent-Disposition: form-data\r\n\r\nbroken",
        headers={"Content-Type": "multipart/form-data; boundary=zz"},
    )
    open311_error(broken, 400)
    no_boundary = http.post(
        "/open311/v2/requests.json",
        content=b"api_key=x",
        headers={"Content-Type": "multipart/form-data"},
    )
    open311_error(no_boundary, 400)
    open311_error(http.get("/open311/v2/nowhere.json"), 404)
    open311_error(http.delete("/open311/v2/requests.json"), 405)
    open311_error(http.get("/open311/v2/requests/x.json", params={"status": "gone"}), 404)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/v1/sync/push", "POST"),
        ("DELETE", "/v1/auth/login", "POST"),
        ("POST", "/v1/sync/pull", "GET"),
        ("DELETE", "/v1/photos/" + "a" * 64, "GET, PUT"),
        ("PUT", "/open311/v2/requests.json", "GET, POST"),
        ("DELETE", "/open311/v2/requests.json", "GET, POST"),
        ("POST", "/open311/v2/services.json", "GET"),
        ("PATCH", "/open311/v2/services/jalan.json", "GET"),
        ("DELETE", "/open311/v2/requests/CRM-2026-000001.json", "GET"),
    ],
)
def test_a_wrong_method_is_405_with_allow(
    server: RunningServer, method: str, path: str, allow: str
) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        response = http.request(method, path)
    assert response.status_code == 405, response.text
    assert sorted(response.headers["Allow"].split(", ")) == sorted(allow.split(", "))
    if path.startswith("/open311"):
        open311_error(response, 405)
    else:
        assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def broken_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningServer]:
    """A server of its own whose database lost two tables under it (a real fault)."""
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_database_factory")()
    else:
        url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    running = start_server(request.param, url, tmp_path / "photos")
    try:
        seed_world(running.engine, running.settings, running.clock())
        with write_tx(running.engine) as conn:
            conn.execute(text("DROP TABLE login_attempts"))
            conn.execute(text("DROP TABLE intake_requests"))
        yield running
    finally:
        running.stop()


def test_a_500_still_carries_the_server_clock(broken_server: RunningServer) -> None:
    expected = broken_server.clock().isoformat()
    with httpx.Client(base_url=broken_server.base_url) as http:
        crashed = http.post("/v1/auth/login", json=LOGIN)
        assert crashed.status_code == 500
        assert crashed.json()["error"]["code"] == "internal_error"
        assert crashed.headers["X-Server-Time"] == expected
        open311 = http.get("/open311/v2/requests.json")
        open311_error(open311, 500)
        assert open311.headers["X-Server-Time"] == expected
