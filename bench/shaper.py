"""A weak mobile link between the device and the server: an asyncio TCP shaper.

`LinkShaper(upstream_port, up_bps=1e6, down_bps=4e6, rtt_s=0.3)` listens on 127.0.0.1
(loopback only) and forwards every connection to the server on 127.0.0.1:upstream_port
the way a congested Jakarta cell does:

- bandwidth: each direction is ONE link shared by every connection (bytes are
  serialised at `up_bps` / `down_bps`, so concurrent streams share it, never beat it);
- latency: half of `rtt_s` each way, on top of the serialisation;
- cuts: every ~`cut_every` upstream bytes (+-25 %) every live connection is aborted and
  the link stays down for a stall drawn in `stall_s` (new connections are aborted too);
- `set_online(False)` takes the link down until `set_online(True)`.

Bounded: at most `max_connections` at once (more are aborted), and each direction of a
connection buffers at most `queue_chunks` reads of `READ` bytes (back-pressure, like a
modem's buffer). `stats` counts bytes both ways, connections, cuts.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from typing import Any, TypeVar

T = TypeVar("T")

READ = 16 * 1024


@dataclass(frozen=True, slots=True)
class LinkStats:
    bytes_up: int = 0
    bytes_down: int = 0
    connections: int = 0
    cuts: int = 0
    refused: int = 0


class LinkShaper:
    def __init__(
        self,
        upstream_port: int,
        *,
        up_bps: float = 1_000_000,
        down_bps: float = 4_000_000,
        rtt_s: float = 0.3,
        cut_every: int | None = None,
        stall_s: tuple[float, float] = (2.0, 5.0),
        seed: int = 0,
        max_connections: int = 16,
        queue_chunks: int = 8,
    ) -> None:
        self.upstream_port = upstream_port
        self.rate = {True: up_bps / 8.0, False: down_bps / 8.0}  # bytes per second
        self.one_way = rtt_s / 2.0
        self.cut_every = cut_every
        self.stall_s = stall_s
        self.max_connections = max_connections
        self.queue_chunks = queue_chunks
        self._rnd = random.Random(seed)
        self._stats = LinkStats()
        self._link_free = {True: 0.0, False: 0.0}
        self._online = True
        self._down_until = 0.0
        self._next_cut = self._draw_cut(0)
        self._armed_stall: float | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="shaper", daemon=True)
        self.port = 0
        self.on_cut_end: list[float] = []  # loop times at which a stall ended

    # --- control (any thread) ----------------------------------------------------------

    def start(self) -> LinkShaper:
        self._thread.start()
        self._call(self._listen())
        return self

    def stop(self) -> None:
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stats(self) -> LinkStats:
        return self._call(self._get_stats())

    def set_online(self, online: bool) -> None:
        self._call(self._set_online(online))

    def arm_cut(self, after_bytes: int, stall_s: float) -> None:
        """One cut after `after_bytes` more upstream bytes, then a stall of `stall_s`."""
        self._call(self._arm(after_bytes, stall_s))

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    # --- on the loop ---------------------------------------------------------------------

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        sock: socket.socket = self._server.sockets[0]
        self.port = sock.getsockname()[1]

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        self._abort_all()
        for _ in range(3):  # connection tasks end their per-direction tasks when cancelled
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if not tasks:
                break
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks, timeout=2)

    async def _get_stats(self) -> LinkStats:
        return self._stats

    async def _set_online(self, online: bool) -> None:
        self._online = online
        if not online:
            self._abort_all()

    async def _arm(self, after_bytes: int, stall_s: float) -> None:
        self._next_cut = self._stats.bytes_up + after_bytes
        self._armed_stall = stall_s

    def _draw_cut(self, now_bytes: int) -> int | None:
        if self.cut_every is None:
            return None
        return now_bytes + int(self.cut_every * self._rnd.uniform(0.75, 1.25))

    def _up(self) -> bool:
        return self._online and self._loop.time() >= self._down_until

    def _abort_all(self) -> None:
        for w in list(self._writers):
            w.transport.abort()
        self._writers.clear()

    def _cut(self) -> None:
        stall = self._armed_stall
        if stall is None:
            stall = self._rnd.uniform(*self.stall_s)
        self._armed_stall = None
        self._down_until = self._loop.time() + stall
        self.on_cut_end.append(self._down_until)
        self._stats = replace(self._stats, cuts=self._stats.cuts + 1)
        self._next_cut = self._draw_cut(self._stats.bytes_up)
        self._abort_all()

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if not self._up() or len(self._writers) >= self.max_connections:
            self._stats = replace(self._stats, refused=self._stats.refused + 1)
            client_w.transport.abort()
            return
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_w.transport.abort()
            return
        self._stats = replace(self._stats, connections=self._stats.connections + 1)
        self._writers.update((client_w, server_w))
        await asyncio.gather(
            self._direction(client_r, server_w, upstream=True),
            self._direction(server_r, client_w, upstream=False),
            return_exceptions=True,
        )
        for w in (client_w, server_w):
            self._writers.discard(w)
            w.transport.abort()

    async def _direction(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, upstream: bool
    ) -> None:
        queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue(self.queue_chunks)
        sender = asyncio.ensure_future(self._deliver(queue, writer))
        try:
            while True:
                data = await reader.read(READ)
                if not data or writer not in self._writers:
                    break
                now = self._loop.time()
                start = max(now, self._link_free[upstream])
                self._link_free[upstream] = start + len(data) / self.rate[upstream]
                await queue.put((self._link_free[upstream] + self.one_way, data))
                if upstream:
                    self._stats = replace(self._stats, bytes_up=self._stats.bytes_up + len(data))
                    if self._next_cut is not None and self._stats.bytes_up >= self._next_cut:
                        self._cut()
                        break
                else:
                    self._stats = replace(
                        self._stats, bytes_down=self._stats.bytes_down + len(data)
                    )
        finally:
            try:
                queue.put_nowait(None)
            except asyncio.QueueFull:  # the link is being torn down: drop what is queued
                sender.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await sender

    async def _deliver(
        self, queue: asyncio.Queue[tuple[float, bytes] | None], writer: asyncio.StreamWriter
    ) -> None:
        while (item := await queue.get()) is not None:
            at, data = item
            delay = at - self._loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if writer not in self._writers:
                return
            writer.write(data)
            await writer.drain()
        if writer in self._writers and writer.can_write_eof():
            with contextlib.suppress(OSError):
                writer.write_eof()
