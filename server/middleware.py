"""ASGI middleware: the server clock header and the request body limit.

- `ServerTimeMiddleware` stamps `X-Server-Time` (ISO-8601 UTC from the settings'
  clock) on every response: devices estimate their clock offset from it, so a wrong
  phone clock cannot hide an SLA breach.
- `BodyLimitMiddleware` refuses a body over the limit with 413 `body_too_large` before
  the application sees it: by Content-Length when given, else by counting the streamed
  bytes. JSON bodies get the small limit; photo chunks and other binary bodies the
  photo limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.protocol import iso

from .errors import BodyTooLarge

_BINARY_TYPES = ("multipart/", "application/octet-stream", "image/")


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
            await _too_large(send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await _too_large(send)
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


async def _too_large(send: Send) -> None:
    error = BodyTooLarge()
    payload = json.dumps(error.body()).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
