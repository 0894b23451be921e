"""The HTTP fault wrapper alters only what it says, around a real transport and server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.echo import CountingHttpServer
from tests.support.faulttransport import CAPTIVE_HTML, FaultyTransport, HttpFault, HttpFaultKind


@pytest.fixture
def server() -> Iterator[CountingHttpServer]:
    with CountingHttpServer() as s:
        yield s


def client(server: CountingHttpServer, transport: FaultyTransport) -> httpx.Client:
    return httpx.Client(base_url=f"http://127.0.0.1:{server.port}", transport=transport)


def test_unarmed_passes_everything_through(server: CountingHttpServer) -> None:
    t = FaultyTransport()
    with client(server, t) as c:
        assert c.post("/apply", content=b"x").text == "handled 1: 1 bytes"
    assert (t.requests, t.forwarded, server.handled) == (1, 1, 1)


def test_gateway_error_never_reaches_the_server(server: CountingHttpServer) -> None:
    t = FaultyTransport()
    t.arm(HttpFault.gateway_error(503))
    with client(server, t) as c:
        assert c.post("/apply", content=b"x").status_code == 503
        assert server.handled == 0
        assert c.post("/apply", content=b"x").status_code == 200  # one-shot
    assert server.handled == 1 and t.fired[HttpFaultKind.GATEWAY_ERROR] == 1


def test_captive_portal_answers_200_html_itself(server: CountingHttpServer) -> None:
    t = FaultyTransport()
    t.arm(HttpFault.captive_portal())
    with client(server, t) as c:
        r = c.post("/apply", content=b"x")
    assert r.status_code == 200 and r.content == CAPTIVE_HTML
    assert r.headers["content-type"].startswith("text/html")
    assert server.handled == 0


def test_answered_then_error_lets_the_server_work(server: CountingHttpServer) -> None:
    t = FaultyTransport()
    t.arm(HttpFault.answered_then_error(504))
    with client(server, t) as c:
        assert c.post("/apply", content=b"x").status_code == 504
    assert server.handled == 1


def test_lose_response_raises_after_the_server_worked(server: CountingHttpServer) -> None:
    t = FaultyTransport()
    t.arm(HttpFault.lose_response())
    with client(server, t) as c, pytest.raises(httpx.ReadError):
        c.post("/apply", content=b"x")
    assert server.handled == 1


def test_truncated_json_halves_the_body(server: CountingHttpServer) -> None:
    t = FaultyTransport()
    t.arm(HttpFault.truncated_json())
    with client(server, t) as c:
        r = c.get("/bytes/1000")
    assert r.content == bytes(i % 251 for i in range(500))


def test_match_and_times(server: CountingHttpServer) -> None:
    t = FaultyTransport()
    t.arm(HttpFault.gateway_error(502, match="POST /chunked", times=2))
    with client(server, t) as c:
        assert c.post("/apply", content=b"a").status_code == 200
        assert c.post("/chunked", content=b"b").status_code == 502
        assert c.post("/chunked", content=b"c").status_code == 502
        assert c.post("/chunked", content=b"d").status_code == 200
    assert t.pending == 0
    assert server.received == [b"a", b"d"]


def test_times_none_until_disarmed(server: CountingHttpServer) -> None:
    t = FaultyTransport()
    t.arm(HttpFault.gateway_error(502, times=None))
    with client(server, t) as c:
        assert [c.get("/bytes/2").status_code for _ in range(3)] == [502, 502, 502]
        t.disarm()
        assert c.get("/bytes/2").status_code == 200
