"""Tiny loopback servers for the fault proxy's own tests.

`EchoServer` echoes every byte back on each connection. `CountingHttpServer` is an
HTTP/1.1 server that counts the requests it handled (so a test can tell "the server did
the work" from "the client got the answer"), answering with a Content-Length body or
a chunked one.
"""

from __future__ import annotations

import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


class _EchoHandler(socketserver.BaseRequestHandler):
    server: _ThreadingTCP

    def handle(self) -> None:
        got = bytearray()
        try:
            while True:
                try:
                    data = self.request.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                got += data
                try:
                    self.request.sendall(data)
                except OSError:
                    return
        finally:
            with self.server.lock:
                self.server.finished.append(bytes(got))


class _ThreadingTCP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.lock = threading.Lock()
        self.finished: list[bytes] = []


class EchoServer:
    """Echoes; remembers what each finished connection received."""

    def __init__(self) -> None:
        self._server = _ThreadingTCP()
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    def finished(self, count: int, timeout: float = 30.0) -> list[bytes]:
        """What the first `count` finished connections received (waits for them)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._server.lock:
                if len(self._server.finished) >= count or time.monotonic() > deadline:
                    return list(self._server.finished)
            time.sleep(0.01)

    def __enter__(self) -> EchoServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


class _CountingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _CountingServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if len(body) < length:
            return  # a truncated request is never handled, as a real server would
        with self.server.lock:
            self.server.handled += 1
            self.server.received.append(body)
            count = self.server.handled
        payload = f"handled {count}: {len(body)} bytes".encode()
        if self.path.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (payload[:5], payload[5:]):
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    def do_GET(self) -> None:
        size = int(self.path.rsplit("/", 1)[-1]) if self.path.startswith("/bytes/") else 2
        body = bytes(i % 251 for i in range(size))
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.write(body)


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _CountingHandler)
        self.lock = threading.Lock()
        self.handled = 0
        self.received: list[bytes] = []


class CountingHttpServer:
    def __init__(self) -> None:
        self._server = _CountingServer()
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def handled(self) -> int:
        with self._server.lock:
            return self._server.handled

    @property
    def received(self) -> list[bytes]:
        with self._server.lock:
            return list(self._server.received)

    def __enter__(self) -> CountingHttpServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
