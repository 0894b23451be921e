"""A small TCP fault proxy (toxiproxy is not available here), run in a thread.

`FaultProxy(upstream_host, upstream_port)` listens on 127.0.0.1 at a free port and
forwards every connection to the upstream. The fault in force is switched at run time
with `proxy.set(Fault....)`; it applies to new *and* live connections (an HTTP client
keeps its connections alive, so a fault that only hit new connections would miss):

    pass              forward everything
    delay(s)          hold every chunk, both ways, for s seconds
    blackhole         accept, swallow what the client sends, never answer (timeouts)
    reset             answer every connection, new or live, with a TCP RST
    refuse            stop listening (connection refused) and drop live connections
    cut_upstream(n)   let n more client->server bytes through, then close both sides
    cut_downstream(n) let n more server->client bytes through, then close both sides
    lose_response     let the request through, read the server's whole response (so
                      the server did the work), then drop the client instead

A fault fires `times` times (cuts and lost responses: 1 by default) and the proxy then
returns to pass by itself; `times=None` keeps it until changed. A fault with
`after=b"POST /v1/sync/push"` waits until the client sends those bytes, binds to that
connection, and counts its bytes from the marker's first byte: that is how a test cuts
mid-push rather than somewhere in the sync.

Invariants kept:
- bytes are forwarded in order and never altered; a cut lets exactly n bytes through;
- every state change runs on the proxy's event loop (callers block until it is done),
  so a test that set a fault knows it is in force for the next byte;
- `stats` counts connections, cuts, resets, refusals, blackholed chunks and lost
  responses, so a scenario can report how many faults it really injected.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Any, TypeVar

from .httpframe import response_complete

T = TypeVar("T")

_READ = 64 * 1024
_TAIL = 256  # client bytes remembered to find a marker split across two reads


class FaultKind(StrEnum):
    PASS = "pass"
    DELAY = "delay"
    BLACKHOLE = "blackhole"
    RESET = "reset"
    REFUSE = "refuse"
    CUT_UPSTREAM = "cut_upstream"
    CUT_DOWNSTREAM = "cut_downstream"
    LOSE_RESPONSE = "lose_response"


# Faults that count bytes and may wait for a marker.
_BYTE_FAULTS = frozenset(
    {FaultKind.CUT_UPSTREAM, FaultKind.CUT_DOWNSTREAM, FaultKind.LOSE_RESPONSE}
)


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind = FaultKind.PASS
    nbytes: int = 0  # cuts: bytes let through (from arming, or from the marker) first
    delay_s: float = 0.0
    times: int | None = None  # firings before returning to pass; None: until changed
    after: bytes | None = None  # wait for the client to send this marker first

    def __post_init__(self) -> None:
        if self.after is not None and not 0 < len(self.after) <= _TAIL:
            raise ValueError(f"a marker is 1..{_TAIL} bytes")
        if self.nbytes < 0 or self.delay_s < 0:
            raise ValueError("nbytes and delay_s are never negative")

    @classmethod
    def passthrough(cls) -> Fault:
        return cls()

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        return cls(FaultKind.DELAY, delay_s=seconds)

    @classmethod
    def blackhole(cls) -> Fault:
        return cls(FaultKind.BLACKHOLE)

    @classmethod
    def reset(cls) -> Fault:
        return cls(FaultKind.RESET)

    @classmethod
    def refuse(cls) -> Fault:
        return cls(FaultKind.REFUSE)

    @classmethod
    def cut_upstream(
        cls, nbytes: int, *, after: bytes | None = None, times: int | None = 1
    ) -> Fault:
        return cls(FaultKind.CUT_UPSTREAM, nbytes=nbytes, after=after, times=times)

    @classmethod
    def cut_downstream(
        cls, nbytes: int, *, after: bytes | None = None, times: int | None = 1
    ) -> Fault:
        return cls(FaultKind.CUT_DOWNSTREAM, nbytes=nbytes, after=after, times=times)

    @classmethod
    def lose_response(cls, *, after: bytes | None = None, times: int | None = 1) -> Fault:
        return cls(FaultKind.LOSE_RESPONSE, after=after, times=times)


@dataclass(slots=True)
class ProxyStats:
    connections: int = 0
    cuts: int = 0  # connections closed mid-stream by a cut (incl. cut_all)
    resets: int = 0  # connections answered or ended with an RST
    refused: int = 0  # times the listener was closed
    blackholed_chunks: int = 0
    lost_responses: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    events: list[str] = field(default_factory=list)

    def copy(self) -> ProxyStats:
        return ProxyStats(
            self.connections,
            self.cuts,
            self.resets,
            self.refused,
            self.blackholed_chunks,
            self.lost_responses,
            self.bytes_up,
            self.bytes_down,
            list(self.events),
        )


class _Closed(Exception):
    """The connection was ended by a fault; its pumps stop quietly."""


@dataclass(eq=False, slots=True)
class _Conn:
    id: int
    client_r: asyncio.StreamReader
    client_w: asyncio.StreamWriter
    up_r: asyncio.StreamReader | None = None
    up_w: asyncio.StreamWriter | None = None
    tail: bytes = b""  # the last client bytes, to find a marker split across reads
    swallowing: bytearray | None = None  # a response being lost
    closed: bool = False


def _rst(writer: asyncio.StreamWriter | None) -> None:
    """Close with SO_LINGER 0: the peer gets a TCP RST, not a FIN."""
    if writer is None:
        return
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _close(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None and not writer.is_closing():
        writer.close()


class FaultProxy:
    """A TCP proxy on 127.0.0.1 in front of `upstream`, with switchable faults."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.host = "127.0.0.1"
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="faultproxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._conns: set[_Conn] = set()
        self._next_id = 0
        self._fault = Fault()
        self._left: int | None = None  # firings left
        self._budget = 0  # bytes still allowed through by an armed cut
        self._bound: _Conn | None = None  # the connection a marker bound the fault to
        self._stats = ProxyStats()

    # --- lifecycle (any thread) ----------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- control (any thread) ------------------------------------------------------

    def set(self, fault: Fault) -> None:
        """Put `fault` in force; the previous one is disarmed."""
        self._call(self._set(fault))

    def cut_all(self, *, reset: bool = False) -> int:
        """End every live connection now (FIN, or RST with `reset`); returns how many."""
        return self._call(self._cut_all(reset))

    @property
    def fault(self) -> Fault:
        return self._call(self._get_fault())

    @property
    def stats(self) -> ProxyStats:
        return self._call(self._get_stats())

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    # --- on the loop ---------------------------------------------------------------

    async def _get_fault(self) -> Fault:
        return self._fault

    async def _get_stats(self) -> ProxyStats:
        return self._stats.copy()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, self.host, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _unlisten(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def _shutdown(self) -> None:
        await self._unlisten()
        for conn in list(self._conns):
            self._end(conn)

    async def _set(self, fault: Fault) -> None:
        was_refusing = self._fault.kind is FaultKind.REFUSE
        self._fault = fault
        self._left = fault.times
        self._arm()
        self._event(f"set {fault.kind.value}")
        if fault.kind is FaultKind.REFUSE and not was_refusing:
            await self._unlisten()
            self._stats.refused += 1
            for conn in list(self._conns):
                self._end(conn)
        elif fault.kind is not FaultKind.REFUSE and was_refusing:
            await self._listen()

    async def _cut_all(self, reset: bool) -> int:
        live = [c for c in self._conns if not c.closed]
        for conn in live:
            self._end(conn, reset=reset)
            if reset:
                self._stats.resets += 1
            else:
                self._stats.cuts += 1
        return len(live)

    def _arm(self) -> None:
        self._budget = self._fault.nbytes
        self._bound = None

    def _fired(self) -> None:
        """A one-shot firing happened: count it down, re-arm or return to pass."""
        if self._left is not None:
            self._left -= 1
            if self._left <= 0:
                self._fault = Fault()
                self._left = None
        self._arm()

    def _event(self, text: str) -> None:
        self._stats.events.append(text)
        del self._stats.events[:-200]

    def _end(self, conn: _Conn, *, reset: bool = False) -> None:
        conn.closed = True
        self._conns.discard(conn)
        if self._bound is conn:
            self._bound = None
        if reset:
            _rst(conn.client_w)
            _rst(conn.up_w)
        else:
            _close(conn.client_w)
            _close(conn.up_w)

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self._next_id += 1
        conn = _Conn(self._next_id, client_r, client_w)
        self._stats.connections += 1
        if self._fault.kind is FaultKind.RESET:
            self._stats.resets += 1
            self._event(f"conn {conn.id}: reset on accept")
            _rst(client_w)
            return
        self._conns.add(conn)
        try:
            conn.up_r, conn.up_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            self._event(f"conn {conn.id}: upstream unreachable")
            self._end(conn, reset=True)
            return
        up = asyncio.create_task(self._pump(conn, upstream=True))
        down = asyncio.create_task(self._pump(conn, upstream=False))
        await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        if not conn.closed:
            self._end(conn)
        for task in (up, down):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _pump(self, conn: _Conn, *, upstream: bool) -> None:
        reader = conn.client_r if upstream else conn.up_r
        assert reader is not None
        while not conn.closed:
            try:
                data = await reader.read(_READ)
            except (ConnectionError, OSError):
                return
            if not data:
                if conn.swallowing is not None and not upstream:
                    self._lost(conn)  # the server ended its (length-less) response
                return
            try:
                await self._chunk(conn, data, upstream=upstream)
            except (_Closed, ConnectionError, OSError):
                return

    async def _chunk(self, conn: _Conn, data: bytes, *, upstream: bool) -> None:
        if conn.swallowing is not None:
            if not upstream:
                self._swallow(conn, data)
            return  # the client's next bytes are moot: it is about to be dropped
        fault = self._fault
        start = 0  # where in `data` the fault's counting begins (< 0: in an earlier read)
        prev_tail = conn.tail
        if upstream:
            self._stats.bytes_up += len(data)
            conn.tail = (prev_tail + data)[-_TAIL:]
        else:
            self._stats.bytes_down += len(data)
        if fault.kind in _BYTE_FAULTS:
            if fault.after is not None and self._bound is None:
                found = _find_marker(prev_tail, data, fault.after) if upstream else None
                if found is None:
                    await self._send(conn, data, upstream=upstream)
                    return
                self._bound = conn
                self._event(f"conn {conn.id}: marker seen")
                start = found
            elif fault.after is not None and self._bound is not conn:
                await self._send(conn, data, upstream=upstream)
                return

        kind = fault.kind
        if kind is FaultKind.PASS or kind is FaultKind.REFUSE:
            await self._send(conn, data, upstream=upstream)
        elif kind is FaultKind.DELAY:
            await asyncio.sleep(fault.delay_s)
            await self._send(conn, data, upstream=upstream)
        elif kind is FaultKind.BLACKHOLE:
            self._stats.blackholed_chunks += 1
        elif kind is FaultKind.RESET:
            self._stats.resets += 1
            self._event(f"conn {conn.id}: reset mid-stream")
            self._end(conn, reset=True)
            raise _Closed
        elif kind is FaultKind.LOSE_RESPONSE:
            if upstream:
                await self._send(conn, data, upstream=True)
            else:
                self._event(f"conn {conn.id}: losing a response")
                conn.swallowing = bytearray()
                self._swallow(conn, data)
        else:
            cuts_this_way = (kind is FaultKind.CUT_UPSTREAM) == upstream
            if not cuts_this_way:
                await self._send(conn, data, upstream=upstream)
                return
            counted = len(data) - start
            if counted < self._budget:
                self._budget -= counted
                await self._send(conn, data, upstream=upstream)
                return
            await self._send(conn, data[: max(0, start + self._budget)], upstream=upstream)
            self._stats.cuts += 1
            self._event(f"conn {conn.id}: cut {'up' if upstream else 'down'}stream")
            self._fired()
            self._end(conn)
            raise _Closed

    def _swallow(self, conn: _Conn, data: bytes) -> None:
        assert conn.swallowing is not None
        conn.swallowing += data
        if response_complete(bytes(conn.swallowing)):
            self._lost(conn)

    def _lost(self, conn: _Conn) -> None:
        self._stats.lost_responses += 1
        self._event(f"conn {conn.id}: response lost ({len(conn.swallowing or b'')} bytes)")
        conn.swallowing = None
        self._fired()
        self._end(conn)

    async def _send(self, conn: _Conn, data: bytes, *, upstream: bool) -> None:
        if not data:
            return
        writer = conn.up_w if upstream else conn.client_w
        assert writer is not None
        writer.write(data)
        await writer.drain()


def _find_marker(tail: bytes, data: bytes, marker: bytes) -> int | None:
    """Offset in `data` where `marker` starts (negative if it began in the previous read)."""
    joined = tail + data
    # Only a marker that ends in this read counts: one wholly in the past was sent
    # before the fault was armed.
    at = joined.find(marker, max(0, len(tail) - len(marker) + 1))
    if at < 0:
        return None
    return at - len(tail)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
