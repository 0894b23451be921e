"""The fault proxy does what each mode says, against tiny loopback servers."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.echo import CountingHttpServer, EchoServer
from tests.support.faultproxy import Fault, FaultProxy
from tests.support.httpframe import response_complete

PAYLOAD = bytes(range(256)) * 400  # 102,400 bytes


@pytest.fixture
def echo() -> Iterator[tuple[EchoServer, FaultProxy]]:
    with EchoServer() as server, FaultProxy("127.0.0.1", server.port) as proxy:
        yield server, proxy


@pytest.fixture
def http() -> Iterator[tuple[CountingHttpServer, FaultProxy]]:
    with CountingHttpServer() as server, FaultProxy("127.0.0.1", server.port) as proxy:
        yield server, proxy


def connect(proxy: FaultProxy, timeout: float = 5.0) -> socket.socket:
    sock = socket.create_connection((proxy.host, proxy.port), timeout=timeout)
    return sock


def read_until_eof(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def echo_exactly(sock: socket.socket, data: bytes) -> bytes:
    sock.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = sock.recv(65536)
        assert chunk, "connection closed early"
        got += chunk
    return got


def test_pass_forwards_every_byte_in_order(echo: tuple[EchoServer, FaultProxy]) -> None:
    _, proxy = echo
    with connect(proxy) as sock:
        assert echo_exactly(sock, PAYLOAD) == PAYLOAD
    stats = proxy.stats
    assert stats.connections == 1
    assert stats.bytes_up == len(PAYLOAD) and stats.bytes_down == len(PAYLOAD)
    assert stats.cuts == 0


@pytest.mark.parametrize("n", [0, 1, 1000, 65536, 70000])
def test_cut_upstream_lets_exactly_n_bytes_reach_the_server(
    echo: tuple[EchoServer, FaultProxy], n: int
) -> None:
    server, proxy = echo
    proxy.set(Fault.cut_upstream(n))
    with connect(proxy) as sock:
        # The proxy may close before the client has sent everything.
        with contextlib.suppress(OSError):
            sock.sendall(PAYLOAD)
        echoed = read_until_eof(sock)
    assert server.finished(1) == [PAYLOAD[:n]]
    assert PAYLOAD[:n].startswith(echoed)  # the echo of it may itself be cut short
    assert proxy.stats.cuts == 1
    assert proxy.fault.kind == "pass"  # one-shot: back to pass by itself
    with connect(proxy) as sock:
        assert echo_exactly(sock, b"again") == b"again"


@pytest.mark.parametrize("n", [0, 7, 50_000])
def test_cut_downstream_truncates_the_answer_at_n_bytes(
    echo: tuple[EchoServer, FaultProxy], n: int
) -> None:
    _, proxy = echo
    proxy.set(Fault.cut_downstream(n))
    with connect(proxy) as sock:
        sock.sendall(PAYLOAD)
        assert read_until_eof(sock) == PAYLOAD[:n]
    assert proxy.stats.cuts == 1


def test_cut_counts_from_a_marker_even_split_across_sends(
    echo: tuple[EchoServer, FaultProxy],
) -> None:
    server, proxy = echo
    proxy.set(Fault.cut_upstream(6, after=b"MARKER"))
    with connect(proxy) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        first = b"a" * 100 + b"MAR"
        assert echo_exactly(sock, first) == first  # the marker is not complete yet
        sock.sendall(b"KER" + b"b" * 100)
        read_until_eof(sock)
    # Everything before the marker, then 6 bytes counted from the marker's first byte.
    assert server.finished(1) == [b"a" * 100 + b"MARKER"]


def test_a_marker_binds_the_fault_to_its_connection(echo: tuple[EchoServer, FaultProxy]) -> None:
    _, proxy = echo
    proxy.set(Fault.cut_downstream(3, after=b"push"))
    with connect(proxy) as other, connect(proxy) as target:
        assert echo_exactly(other, b"pull pull") == b"pull pull"
        target.sendall(b"push it")
        assert read_until_eof(target) == b"pus"
        assert echo_exactly(other, b"still alive") == b"still alive"


def test_times_none_cuts_every_connection_until_changed(
    echo: tuple[EchoServer, FaultProxy],
) -> None:
    _, proxy = echo
    proxy.set(Fault.cut_downstream(4, times=None))
    for _ in range(3):
        with connect(proxy) as sock:
            sock.sendall(b"0123456789")
            assert read_until_eof(sock) == b"0123"
    assert proxy.stats.cuts == 3
    proxy.set(Fault.passthrough())
    with connect(proxy) as sock:
        assert echo_exactly(sock, b"0123456789") == b"0123456789"


def test_times_two_fires_twice_then_passes(echo: tuple[EchoServer, FaultProxy]) -> None:
    _, proxy = echo
    proxy.set(Fault.cut_downstream(2, times=2))
    results = []
    for _ in range(2):
        with connect(proxy) as sock:
            sock.sendall(b"abcdef")
            results.append(read_until_eof(sock))
    assert results == [b"ab", b"ab"]
    with connect(proxy) as sock:
        assert echo_exactly(sock, b"abcdef") == b"abcdef"
    assert proxy.stats.cuts == 2


def test_delay_holds_each_chunk_and_alters_nothing(echo: tuple[EchoServer, FaultProxy]) -> None:
    _, proxy = echo
    proxy.set(Fault.delay(0.2))
    began = time.monotonic()
    with connect(proxy) as sock:
        assert echo_exactly(sock, b"slow") == b"slow"
    # A lower bound only: the answer cannot come before both hops were held.
    assert time.monotonic() - began >= 0.4


def test_blackhole_accepts_and_never_answers(http: tuple[CountingHttpServer, FaultProxy]) -> None:
    server, proxy = http
    proxy.set(Fault.blackhole())
    with httpx.Client(base_url=proxy.url, timeout=httpx.Timeout(5.0, read=0.5)) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post("/apply", content=b"x")
        assert server.handled == 0  # the request never reached the server
        assert proxy.stats.blackholed_chunks >= 1
        proxy.set(Fault.passthrough())
        assert client.post("/apply", content=b"x").status_code == 200
    assert server.handled == 1


def test_reset_answers_new_connections_with_rst(echo: tuple[EchoServer, FaultProxy]) -> None:
    _, proxy = echo
    proxy.set(Fault.reset())
    # The RST may even arrive while connect() is still returning.
    with pytest.raises(ConnectionResetError), connect(proxy) as sock:
        sock.sendall(b"hello")
        sock.recv(10)
    assert proxy.stats.resets == 1


def test_reset_ends_live_connections_on_their_next_byte(
    echo: tuple[EchoServer, FaultProxy],
) -> None:
    _, proxy = echo
    with connect(proxy) as sock:
        assert echo_exactly(sock, b"before") == b"before"
        proxy.set(Fault.reset())
        with pytest.raises(ConnectionResetError):
            sock.sendall(b"after")
            sock.recv(10)


def test_refuse_closes_the_port_then_reopens_it(echo: tuple[EchoServer, FaultProxy]) -> None:
    _, proxy = echo
    port = proxy.port
    live = connect(proxy)
    try:
        assert echo_exactly(live, b"x") == b"x"
        proxy.set(Fault.refuse())
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((proxy.host, port), timeout=2)
        assert read_until_eof(live) == b""  # the live connection was dropped too
    finally:
        live.close()
    proxy.set(Fault.passthrough())
    assert proxy.port == port
    with connect(proxy) as sock:
        assert echo_exactly(sock, b"back") == b"back"
    assert proxy.stats.refused == 1


def test_cut_all_ends_live_connections(echo: tuple[EchoServer, FaultProxy]) -> None:
    _, proxy = echo
    socks = [connect(proxy) for _ in range(3)]
    try:
        for sock in socks:
            assert echo_exactly(sock, b"hi") == b"hi"
        assert proxy.cut_all() == 3
        for sock in socks:
            assert read_until_eof(sock) == b""
    finally:
        for sock in socks:
            sock.close()
    assert proxy.stats.cuts == 3


@pytest.mark.parametrize("path", ["/apply", "/chunked"])
def test_lose_response_after_the_server_did_the_work(
    http: tuple[CountingHttpServer, FaultProxy], path: str
) -> None:
    server, proxy = http
    with httpx.Client(base_url=proxy.url, timeout=5.0) as client:
        assert client.post(path, content=b"first").text.startswith("handled 1")
        proxy.set(Fault.lose_response())
        with pytest.raises(httpx.TransportError):
            client.post(path, content=b"second")
        # The server handled it: the client just never heard back.
        assert server.handled == 2
        assert proxy.stats.lost_responses == 1
        # The retry goes through (one-shot), and the server sees it again.
        assert client.post(path, content=b"second").text.startswith("handled 3")
    assert server.received == [b"first", b"second", b"second"]


def test_lose_response_targets_the_request_with_the_marker(
    http: tuple[CountingHttpServer, FaultProxy],
) -> None:
    server, proxy = http
    proxy.set(Fault.lose_response(after=b"POST /chunked"))
    with httpx.Client(base_url=proxy.url, timeout=5.0) as client:
        assert client.post("/apply", content=b"a").status_code == 200
        assert client.get("/bytes/300000").content == bytes(i % 251 for i in range(300000))
        with pytest.raises(httpx.TransportError):
            client.post("/chunked", content=b"b")
        assert client.post("/chunked", content=b"c").status_code == 200
    assert server.handled == 3
    assert proxy.stats.lost_responses == 1


def test_cut_mid_request_body_means_the_server_never_handles_it(
    http: tuple[CountingHttpServer, FaultProxy],
) -> None:
    server, proxy = http
    body = b"z" * 200_000
    proxy.set(Fault.cut_upstream(100_000, after=b"POST /apply"))
    with httpx.Client(base_url=proxy.url, timeout=5.0) as client:
        with pytest.raises(httpx.TransportError):
            client.post("/apply", content=body)
        assert server.handled == 0
        assert client.post("/apply", content=body).status_code == 200
    assert server.received == [body]


def test_unreachable_upstream_resets_the_client() -> None:
    with CountingHttpServer() as server:
        port = server.port
    with FaultProxy("127.0.0.1", port) as proxy:
        try:
            with connect(proxy) as sock:
                got = read_until_eof(sock)
        except ConnectionResetError:
            # On a busy machine the proxy's reset can arrive before this side's connect()
            # has returned (a timed connect reads the socket's error): the same outcome.
            got = b""
        assert got == b""


def test_marker_must_be_short_and_bytes_non_negative() -> None:
    with pytest.raises(ValueError):
        Fault.cut_upstream(1, after=b"x" * 300)
    with pytest.raises(ValueError):
        Fault.cut_upstream(-1)


class TestResponseFraming:
    def test_content_length(self) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
        assert not response_complete(head)
        assert not response_complete(head + b"abcd")
        assert response_complete(head + b"abcde")

    def test_chunked(self) -> None:
        head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        assert not response_complete(head + b"3\r\nabc\r\n")
        assert not response_complete(head + b"3\r\nabc\r\n0\r\n")
        assert response_complete(head + b"3\r\nabc\r\n0\r\n\r\n")
        assert response_complete(head + b"3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n")

    def test_no_body_statuses_and_interim(self) -> None:
        assert response_complete(b"HTTP/1.1 204 No Content\r\n\r\n")
        interim = b"HTTP/1.1 100 Continue\r\n\r\n"
        assert not response_complete(interim)
        assert response_complete(interim + b"HTTP/1.1 204 No Content\r\n\r\n")

    def test_length_less_waits_for_close(self) -> None:
        assert not response_complete(b"HTTP/1.1 200 OK\r\n\r\nbody")

    def test_incomplete_headers(self) -> None:
        assert not response_complete(b"HTTP/1.1 200 OK\r\nContent-Le")
