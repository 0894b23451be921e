"""ASGI middleware: the server clock header, the request body limit, the NUL guard.

- `ServerTimeMiddleware` stamps `X-Server-Time` (ISO-8601 UTC from the settings'
  clock) on every response: devices estimate their clock offset from it, so a wrong
  phone clock cannot hide an SLA breach.
- `BodyLimitMiddleware` refuses a body over the limit with 413 `body_too_large` before
  the application sees it: by Content-Length when given, else by counting the streamed
  bytes. JSON bodies get the small limit; photo chunks and other binary bodies the
  photo limit.
- `NulGuardMiddleware` refuses, with 400 `nul_character`, a NUL character anywhere in
  the request's text: the path, the query, a JSON body (raw or escaped as `\u0000`), a
  form body (raw or `%00`). Decided once at the edge, the same on SQLite and
  PostgreSQL (whose text columns cannot hold a NUL). Photo chunks are bytes, not text.
- `CrashMiddleware` turns an unexpected exception into the 500 answer (logged) inside
  the stack, so that it too carries `X-Server-Time` and the connection stays usable
  (Starlette's outermost handler would answer outside the stack, then re-raise).
All answer in the format of the path (`server/answers.py`: Open311's under /open311).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import unquote_to_bytes

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.protocol import iso

from .answers import error_bytes
from .errors import BodyTooLarge, NulCharacter, ServerError

_BINARY_TYPES = ("multipart/", "application/octet-stream", "image/")

log = logging.getLogger("tindak.server")


class ServerTimeMiddleware:
    def __init__(self, app: ASGIApp, clock: Callable[[], datetime]) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Server-Time"] = iso(self.clock()) or ""
            await send(message)

        await self.app(scope, receive, stamped)


class CrashMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started:  # too late for an answer: let the server drop the connection
                raise
            log.exception("unhandled error", exc_info=exc)
            await _refuse(scope, send, ServerError(), close=False)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, json_limit: int, binary_limit: int) -> None:
        self.app = app
        self.json_limit = json_limit
        self.binary_limit = binary_limit

    def _limit(self, scope: Scope, headers: Headers) -> int:
        ctype = headers.get("content-type", "").lower()
        path: str = scope.get("path", "")
        if path.startswith("/v1/photos/") or ctype.startswith(_BINARY_TYPES):
            return self.binary_limit
        return self.json_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self._limit(scope, headers)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, BodyTooLarge())
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await _refuse(scope, send, BodyTooLarge())
                return
            if not message.get("more_body", False):
                break
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


# A JSON escape of NUL: `\u0000` after an even number (zero included) of backslashes.
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def has_nul(scope: Scope, content_type: str, body: bytes) -> bool:
    """Whether the request's text holds a NUL (the body: unless it is binary)."""
    path: str = scope.get("path", "")
    if "\x00" in path:
        return True
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        return True
    if not body or content_type.startswith(_RAW_TYPES) or path.startswith(_PHOTO_PATH):
        return False
    if b"\x00" in body:
        return True
    if content_type.startswith("application/x-www-form-urlencoded"):
        return b"\x00" in unquote_to_bytes(body.replace(b"+", b" "))
    return _ESCAPED_NUL.search(body) is not None


_RAW_TYPES = ("application/octet-stream", "image/")
_PHOTO_PATH = "/v1/photos/"  # chunks of a photo are bytes, whatever their type says


class NulGuardMiddleware:
    """Placed inside `BodyLimitMiddleware`, so a body arrives whole and bounded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        content_type = Headers(scope=scope).get("content-type", "").lower()
        body = bytearray()
        messages: list[Message] = []
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                body += message.get("body", b"")
                if not message.get("more_body", False):
                    break
        if has_nul(scope, content_type, bytes(body)):
            await _refuse(scope, send, NulCharacter())
            return

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(scope: Scope, send: Send, error: ServerError, *, close: bool = True) -> None:
    """Answer `error` without the application (`close`: the body may be left unread)."""
    status, payload = error_bytes(scope.get("path", ""), error)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
