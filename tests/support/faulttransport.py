"""HTTP-level faults a TCP proxy cannot make, wrapping the REAL httpx transport.

`FaultyTransport(inner)` passes every request to `inner` (the real transport, talking
to the real server) unless an armed `HttpFault` matches it:

    gateway_error(status)   a proxy or load balancer answers 502/503 itself: the request
                            never reaches the server
    captive_portal()        a hotspot's login page answers 200 text/html instead
    answered_then_error()   the server handles the request, then the gateway answers
                            504: the work is done but the client is told it failed
    lose_response()         the server handles the request and answers, the answer is
                            lost on the way back (httpx.ReadError)
    truncated_json()        the server answers, the client receives half the JSON body

`offline = True` makes every request fail to connect (no network at all) until reset.

Faults are armed in order; each matches a request by "METHOD /path" prefix (any
request when `match` is None) and fires `times` times. Never a fake server: only what
happens *between* the device and the server is altered.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

import httpx

CAPTIVE_HTML = (
    b"<!DOCTYPE html><html><head><title>Login Hotspot</title></head>"
    b"<body><form action='/login'>Masukkan voucher Wi-Fi Anda</form></body></html>"
)


class HttpFaultKind(StrEnum):
    GATEWAY_ERROR = "gateway_error"
    CAPTIVE_PORTAL = "captive_portal"
    ANSWERED_THEN_ERROR = "answered_then_error"
    LOSE_RESPONSE = "lose_response"
    TRUNCATED_JSON = "truncated_json"


_REACHES_SERVER = frozenset(
    {HttpFaultKind.ANSWERED_THEN_ERROR, HttpFaultKind.LOSE_RESPONSE, HttpFaultKind.TRUNCATED_JSON}
)


@dataclass(frozen=True, slots=True)
class HttpFault:
    kind: HttpFaultKind
    match: str | None = None  # e.g. "POST /v1/sync/push"
    status: int = 502
    times: int | None = 1  # None: until disarmed

    @property
    def reaches_server(self) -> bool:
        return self.kind in _REACHES_SERVER

    def matches(self, request: httpx.Request) -> bool:
        if self.match is None:
            return True
        return f"{request.method} {request.url.path}".startswith(self.match)

    @classmethod
    def gateway_error(
        cls, status: int = 502, *, match: str | None = None, times: int | None = 1
    ) -> HttpFault:
        return cls(HttpFaultKind.GATEWAY_ERROR, match, status, times)

    @classmethod
    def captive_portal(cls, *, match: str | None = None, times: int | None = 1) -> HttpFault:
        return cls(HttpFaultKind.CAPTIVE_PORTAL, match, 200, times)

    @classmethod
    def answered_then_error(
        cls, status: int = 504, *, match: str | None = None, times: int | None = 1
    ) -> HttpFault:
        return cls(HttpFaultKind.ANSWERED_THEN_ERROR, match, status, times)

    @classmethod
    def lose_response(cls, *, match: str | None = None, times: int | None = 1) -> HttpFault:
        return cls(HttpFaultKind.LOSE_RESPONSE, match, 0, times)

    @classmethod
    def truncated_json(cls, *, match: str | None = None, times: int | None = 1) -> HttpFault:
        return cls(HttpFaultKind.TRUNCATED_JSON, match, 200, times)


@dataclass(slots=True)
class _Armed:
    fault: HttpFault
    left: int | None


class FaultyTransport(httpx.BaseTransport):
    """Wraps the real transport; armed faults alter matching exchanges."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []
        self.fired: Counter[HttpFaultKind] = Counter()
        self.requests = 0  # every request the device made
        self.forwarded = 0  # those that reached the server
        # No network at all (airplane mode, no signal): every request fails to connect.
        self.offline = False

    def arm(self, *faults: HttpFault) -> None:
        with self._lock:
            self._armed.extend(_Armed(f, f.times) for f in faults)

    def disarm(self) -> None:
        with self._lock:
            self._armed.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._armed)

    def _take(self, request: httpx.Request) -> HttpFault | None:
        with self._lock:
            self.requests += 1
            for armed in self._armed:
                if armed.fault.matches(request):
                    if armed.left is not None:
                        armed.left -= 1
                        if armed.left <= 0:
                            self._armed.remove(armed)
                    self.fired[armed.fault.kind] += 1
                    return armed.fault
            return None

    def _forward(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.forwarded += 1
        return self.inner.handle_request(request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.offline:
            raise httpx.ConnectError("network unreachable", request=request)
        fault = self._take(request)
        if fault is None:
            return self._forward(request)
        if fault.kind is HttpFaultKind.GATEWAY_ERROR:
            request.read()  # a gateway reads the request, then answers by itself
            return httpx.Response(
                fault.status,
                headers={"content-type": "text/html"},
                content=b"<html><body><h1>Bad Gateway</h1></body></html>",
                request=request,
            )
        if fault.kind is HttpFaultKind.CAPTIVE_PORTAL:
            request.read()
            return httpx.Response(
                200,
                headers={"content-type": "text/html; charset=utf-8"},
                content=CAPTIVE_HTML,
                request=request,
            )
        # The rest let the server do the work first.
        response = self._forward(request)
        try:
            body = response.read()
        finally:
            response.close()
        if fault.kind is HttpFaultKind.LOSE_RESPONSE:
            raise httpx.ReadError("connection lost after the server answered", request=request)
        if fault.kind is HttpFaultKind.ANSWERED_THEN_ERROR:
            return httpx.Response(
                fault.status,
                headers={"content-type": "text/html"},
                content=b"<html><body><h1>Gateway Timeout</h1></body></html>",
                request=request,
            )
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code, headers=headers, content=body[: len(body) // 2], request=request
        )

    def close(self) -> None:
        self.inner.close()
