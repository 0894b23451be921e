"""Bad input gets a clear 4xx in the error envelope, and nothing is stored half-way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from server.schema import feed, mutations, reports, timeline
from tests.server.kit import OFFICER_A1, SUPERVISOR_A, ApiClient, RunningServer, World

Api = Callable[..., ApiClient]


def counts(server: RunningServer) -> tuple[int, ...]:
    with server.engine.connect() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (mutations, timeline, feed, reports)
        )


def envelope(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"]
    assert body["error"]["code"] == code
    assert body["error"]["message_id"] and body["error"]["message_en"]
    assert "x-server-time" in response.headers


def raw_push(client: ApiClient, content: bytes) -> httpx.Response:
    return client.request(
        "POST",
        "/v1/sync/push",
        content=content,
        headers={"Content-Type": "application/json"},
    )


def good_mutation(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "id": "2f1d7c1e-0000-4000-8000-000000000001",
        "device_seq": 1,
        "action": "dispatch",
        "report_id": world.rid("a_new"),
        "payload": {"assignee_id": world.uid(OFFICER_A1)},
        **changes,
    }


def test_malformed_json(server: RunningServer, world: World, api: Api) -> None:
    sup = api(SUPERVISOR_A)
    before = counts(server)
    for body in (b'{"mutations": [', b"not json", b'{"mutations": [}]}', b"\xff\xfe"):
        envelope(raw_push(sup, body), 400, "invalid_json")
    assert counts(server) == before


def test_deeply_nested_json(server: RunningServer, world: World, api: Api) -> None:
    sup = api(SUPERVISOR_A)
    before = counts(server)
    response = raw_push(sup, b"[" * 100_000 + b"]" * 100_000)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] in ("invalid_json", "bad_request", "invalid_request")
    assert counts(server) == before


@pytest.mark.parametrize(
    "change",
    [
        {"device_seq": True},  # bool for int
        {"device_seq": "1"},  # str for int
        {"device_seq": 10**30},  # huge int
        {"device_seq": -1},
        {"device_seq": 1.5},
        {"id": 12345},
        {"id": ""},
        {"id": "x" * 65},
        {"report_id": None},
        {"action": "a" * 33},
        {"payload": [1, 2]},
        {"payload": "assignee"},
    ],
    ids=lambda c: f"{next(iter(c))}={str(next(iter(c.values())))[:12]}",
)
def test_wrong_types_and_bounds(
    server: RunningServer, world: World, api: Api, change: dict[str, Any]
) -> None:
    sup = api(SUPERVISOR_A)
    before = counts(server)
    response = sup.push_raw(good_mutation(world, **change))
    envelope(response, 422, "invalid_request")
    assert counts(server) == before
    # The same batch with the field right goes through.
    assert sup.push(good_mutation(world))[0]["outcome"] == "applied"


def test_batch_over_the_limit(server: RunningServer, world: World, api: Api) -> None:
    sup = api(SUPERVISOR_A)
    batch = [good_mutation(world, id=f"m-{i}", device_seq=i) for i in range(201)]
    envelope(sup.push_raw(*batch), 422, "invalid_request")
    assert counts(server)[0] == 0


def test_one_bad_item_fails_the_whole_batch_before_anything_applies(
    server: RunningServer, world: World, api: Api
) -> None:
    sup = api(SUPERVISOR_A)
    before = counts(server)
    response = sup.push_raw(good_mutation(world), good_mutation(world, id="m-2", device_seq=True))
    envelope(response, 422, "invalid_request")
    assert counts(server) == before


def test_body_over_the_limit(server: RunningServer, world: World, api: Api) -> None:
    sup = api(SUPERVISOR_A)
    before = counts(server)
    note = "x" * (1024 * 1024)
    response = sup.push_raw(good_mutation(world, payload={"note": note}))
    envelope(response, 413, "body_too_large")
    assert counts(server) == before


def test_body_over_the_limit_without_content_length(
    server: RunningServer, world: World, api: Api
) -> None:
    sup = api(SUPERVISOR_A)

    def chunks() -> Any:
        for _ in range(40):
            yield b" " * 32 * 1024

    response = sup.request(
        "POST", "/v1/sync/push", content=chunks(), headers={"Content-Type": "application/json"}
    )
    envelope(response, 413, "body_too_large")


def test_login_input_is_strict(server: RunningServer, world: World, api: Api) -> None:
    client = api()
    for body in (
        {"username": OFFICER_A1, "password": 123, "device_id": "d"},
        {"username": OFFICER_A1, "password": "x", "device_id": True},
        {"username": OFFICER_A1, "password": "x"},
        {"username": "u" * 201, "password": "x", "device_id": "d"},
        ["not", "an", "object"],
    ):
        envelope(client.request("POST", "/v1/auth/login", json=body), 422, "invalid_request")


def test_unknown_routes_and_methods(server: RunningServer, world: World, api: Api) -> None:
    client = api(SUPERVISOR_A)
    envelope(client.request("GET", "/v1/tidak-ada"), 404, "not_found")
    envelope(client.request("DELETE", "/v1/sync/push"), 405, "method_not_allowed")


def test_health(server: RunningServer) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        response = client.get("/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == server.backend
    assert body["server_time"] == response.headers["x-server-time"]


def test_openapi_documents_every_route(server: RunningServer) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        spec = client.get("/openapi.json").json()
    documented = {(m.upper(), path) for path, ops in spec["paths"].items() for m in ops}
    expected = {
        ("GET", "/v1/health"),
        ("POST", "/v1/auth/login"),
        ("POST", "/v1/auth/refresh"),
        ("POST", "/v1/auth/logout"),
        ("GET", "/v1/sync/pull"),
        ("POST", "/v1/sync/push"),
        ("GET", "/v1/photos/{sha256}"),
        ("PUT", "/v1/photos/{sha256}"),
        ("GET", "/v1/photos/{sha256}/content"),
    }
    assert expected <= documented
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), f"{method} {path} has no summary"
            assert any(code.startswith("2") for code in op["responses"]), (method, path)
    pull = spec["paths"]["/v1/sync/pull"]["get"]
    ref = pull["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/PullOut")
    assert "ErrorOut" in spec["components"]["schemas"]
