"""HTTP to the central server: the ONE boundary where httpx meets the sync engine.

Invariants:
- every httpx exception and every unexpected HTTP status becomes a `sync.errors`
  exception here, nowhere else;
- a 2xx is an answer only if its body is the protocol's JSON and parses into the
  expected wire type (a captive portal's HTML "200 OK" is a `ServerError`, so the
  outbox never takes it as an acknowledgement);
- connections are capped (a phone needs 2-4) and the connect timeout is short, so an
  absent network is detected in seconds;
- tokens travel only in the Authorization header or a JSON body, never in a URL, a log
  line or an exception message.

Tests and fault injection pass their own `httpx.Client` or `httpx.BaseTransport`
(e.g. a wrapper that cuts, delays or drops responses around the real one).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx

from domain import json_codec
from domain.city import CityFigures, CityReportPage
from domain.protocol import (
    API_PREFIX,
    Mutation,
    PhotoStatus,
    PullPage,
    PushResponse,
    UserInfo,
)

from .clock import HEADER, ClockSample, parse_server_time, sample
from .errors import (
    DeviceRevoked,
    LoginRefused,
    Offline,
    ProtocolError,
    ServerError,
    SessionExpired,
    SyncError,
    TokenExpired,
)
from .tokens import Tokens

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=20.0, write=20.0, pool=5.0)
# The Dasbor kota's figures scan a year of the city on the server: more time to answer
# than a sync request, on the desktop link the data team uses.
CITY_TIMEOUT = httpx.Timeout(connect=3.0, read=90.0, write=20.0, pool=5.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=2)


@dataclass(frozen=True, slots=True)
class LoginResult:
    tokens: Tokens
    expires_in: int
    user: UserInfo

    def __repr__(self) -> str:
        return f"LoginResult(user={self.user.username!r}, expires_in={self.expires_in})"


def _header_bytes(headers: httpx.Headers) -> int:
    return sum(len(k) + len(v) + 4 for k, v in headers.raw)


def _error_fields(resp: httpx.Response) -> tuple[str | None, str | None, str | None]:
    try:
        err = resp.json().get("error")
    except (ValueError, AttributeError):
        return None, None, None
    if not isinstance(err, dict):
        return None, None, None
    code = err.get("code")
    mid, men = err.get("message_id"), err.get("message_en")
    return (
        code if isinstance(code, str) else None,
        mid if isinstance(mid, str) else None,
        men if isinstance(men, str) else None,
    )


def map_status(resp: httpx.Response) -> SyncError:
    """The exception for a non-2xx response (the only place statuses are interpreted)."""
    status = resp.status_code
    code, mid, men = _error_fields(resp)
    detail = f"HTTP {status} {code or ''}".strip()
    if status == 401:
        if code == "token_expired":
            return TokenExpired(detail)
        if code == "device_revoked":
            return DeviceRevoked(detail, code=code)
        if code == "invalid_credentials":
            return LoginRefused(detail, message_id=mid, message_en=men)
        # session_revoked, token_invalid, or a 401 without the envelope: log in again.
        return SessionExpired(detail, code=code)
    if status == 429 and code == "too_many_attempts":
        retry = resp.headers.get("Retry-After")
        return LoginRefused(
            detail,
            code=code,
            message_id=mid,
            message_en=men,
            retry_after_s=float(retry) if retry and retry.isdigit() else None,
        )
    if status >= 500 or status == 429 or 300 <= status < 400 or code is None:
        # No protocol envelope: a proxy, captive portal or overloaded server speaking.
        return ServerError(detail, status=status)
    return ProtocolError(detail, status=status, code=code, message_id=mid, message_en=men)


def _parse(resp: httpx.Response, build: Callable[[Any], T]) -> T:
    ctype = resp.headers.get("content-type", "")
    if "json" not in ctype:
        raise ServerError(f"HTTP {resp.status_code} answered with {ctype or 'no type'}")
    try:
        return build(json_codec.loads(resp.content))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ServerError(f"unexpected body: {type(exc).__name__}") from exc


class Transport:
    """The protocol's endpoints over one capped httpx client."""

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._own_client = client is None
        self.client = client or httpx.Client(
            transport=transport, timeout=timeout, limits=limits, follow_redirects=False
        )
        self._lock = threading.Lock()
        self.bytes_sent = 0
        self.bytes_received = 0
        self.requests = 0
        self.on_clock_sample: Callable[[ClockSample], None] | None = None

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    # --- the boundary ----------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json_body: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        params: Mapping[str, str | int] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        body = content
        if json_body is not None:
            body = json_codec.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif content is not None:
            headers["Content-Type"] = "application/octet-stream"
        url = f"{self.base_url}{API_PREFIX}{path}"
        sent_at = datetime.now(UTC)
        started = time.monotonic()
        try:
            request = self.client.build_request(
                method,
                url,
                headers=headers,
                content=body,
                params=params,
                timeout=timeout if timeout is not None else self.client.timeout,
            )
            resp = self.client.send(request)
            resp.read()
        except httpx.TimeoutException as exc:
            raise Offline(f"timeout ({type(exc).__name__})") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
            raise Offline(type(exc).__name__) from exc
        except httpx.DecodingError as exc:
            raise ServerError(f"undecodable body ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise Offline(type(exc).__name__) from exc
        rtt = timedelta(seconds=time.monotonic() - started)
        with self._lock:
            self.requests += 1
            self.bytes_sent += len(body or b"") + _header_bytes(request.headers) + len(url)
            self.bytes_received += resp.num_bytes_downloaded + _header_bytes(resp.headers)
        server_time = parse_server_time(resp.headers.get(HEADER, ""))
        if server_time is not None and self.on_clock_sample is not None:
            self.on_clock_sample(sample(sent_at, rtt, server_time))
        log.debug(
            "%s %s -> %s in %.0f ms", method, path, resp.status_code, rtt.total_seconds() * 1e3
        )
        return resp

    def _call(self, method: str, path: str, build: Callable[[Any], T], **kw: Any) -> T:
        resp = self._send(method, path, **kw)
        if not 200 <= resp.status_code < 300:
            raise map_status(resp)
        return _parse(resp, build)

    # --- endpoints -------------------------------------------------------------------

    @staticmethod
    def _login_result(d: Mapping[str, Any]) -> LoginResult:
        return LoginResult(
            Tokens(str(d["access_token"]), str(d["refresh_token"])),
            int(d.get("expires_in", 0)),
            UserInfo.from_wire(d["user"]),
        )

    def login(self, username: str, password: str, device_id: str, device_name: str) -> LoginResult:
        body = {
            "username": username,
            "password": password,
            "device_id": device_id,
            "device_name": device_name,
        }
        return self._call("POST", "/auth/login", self._login_result, json_body=body)

    def refresh(self, refresh_token: str) -> LoginResult:
        body = {"refresh_token": refresh_token}
        return self._call("POST", "/auth/refresh", self._login_result, json_body=body)

    def logout(self, access_token: str) -> None:
        resp = self._send("POST", "/auth/logout", token=access_token)
        if resp.status_code >= 400 and resp.status_code != 401:
            raise map_status(resp)

    def pull(self, token: str, cursor: str | None, limit: int) -> PullPage:
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._call("GET", "/sync/pull", PullPage.from_wire, token=token, params=params)

    def push(self, token: str, mutations: Sequence[Mutation]) -> PushResponse:
        body = {"mutations": [m.to_wire() for m in mutations]}
        resp = self._call("POST", "/sync/push", PushResponse.from_wire, token=token, json_body=body)
        sent = {m.id for m in mutations}
        if not resp.results or any(r.id not in sent for r in resp.results):
            # Not an answer to what we sent: never settle the outbox on it.
            raise ServerError("push answer does not echo the batch")
        return resp

    def photo_status(self, token: str, sha256: str) -> PhotoStatus:
        resp = self._send("GET", f"/photos/{sha256}", token=token)
        if resp.status_code == 404:
            code, _, _ = _error_fields(resp)
            if code is not None:  # the server's own "never heard of it"
                return PhotoStatus(sha256, 0, 0, False)
        if not 200 <= resp.status_code < 300:
            raise map_status(resp)
        return self._checked_status(resp, sha256)

    def put_chunk(
        self, token: str, sha256: str, offset: int, size: int, data: bytes
    ) -> PhotoStatus:
        """Append one chunk; on an offset mismatch (409) the server's status is returned
        so the caller resumes from where the server really is."""
        resp = self._send(
            "PUT",
            f"/photos/{sha256}",
            token=token,
            content=data,
            params={"offset": offset, "size": size},
        )
        if resp.status_code == 409:
            try:
                return self._checked_status(resp, sha256)
            except ServerError as exc:
                raise map_status(resp) from exc
        if not 200 <= resp.status_code < 300:
            raise map_status(resp)
        return self._checked_status(resp, sha256)

    def photo_content(self, token: str, sha256: str) -> bytes:
        resp = self._send("GET", f"/photos/{sha256}/content", token=token)
        if not 200 <= resp.status_code < 300:
            raise map_status(resp)
        return resp.content

    # --- city figures (the analyst's Dasbor kota; see sync/city.py) --------------------

    def city_figures(self, token: str, params: Mapping[str, str | int]) -> CityFigures:
        return self._call("GET", "/figures/city", CityFigures.from_wire, token=token, params=params)

    def city_reports(self, token: str, params: Mapping[str, str | int]) -> CityReportPage:
        return self._call(
            "GET", "/figures/city/reports", CityReportPage.from_wire, token=token, params=params
        )

    def city_export(self, token: str, params: Mapping[str, str | int]) -> tuple[bytes, str]:
        resp = self._send(
            "GET", "/figures/city/export", token=token, params=params, timeout=CITY_TIMEOUT
        )
        if not 200 <= resp.status_code < 300:
            raise map_status(resp)
        disposition = resp.headers.get("content-disposition", "")
        name = (
            disposition.split("filename=", 1)[-1].strip('"') if "filename=" in disposition else ""
        )
        return resp.content, name or "dasbor-kota"

    @staticmethod
    def _checked_status(resp: httpx.Response, sha256: str) -> PhotoStatus:
        status = _parse(resp, PhotoStatus.from_wire)
        if status.sha256 != sha256:
            raise ServerError("photo status for another file")
        return status

    def health(self) -> bool:
        try:
            resp = self._send("GET", "/health")
        except Offline:
            return False
        return 200 <= resp.status_code < 300
