"""How an error leaves the server: one rendering for the handlers and the middleware.

Under `/open311` every failure keeps the GeoReport v2 format, a list
`[{"code": <HTTP status>, "description": "<Indonesian> / <English>"}]` (FastAPI's own
validation errors there are 400, the status Open311 uses for bad arguments). Everywhere
else it is the /v1 envelope `{"error": {"code", "message_id", "message_en"}}`.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ServerError

OPEN311_ROOT = "/open311"


def is_open311(path: str) -> bool:
    return path == OPEN311_ROOT or path.startswith(OPEN311_ROOT + "/")


def open311_body(status: int, description: str) -> list[dict[str, Any]]:
    return [{"code": status, "description": description}]


def error_payload(path: str, exc: ServerError, status: int | None = None) -> tuple[int, Any]:
    """(status, JSON body) of `exc` for a request to `path`."""
    code = status or exc.status
    if is_open311(path):
        if code == 422:
            code = 400
        return code, open311_body(code, f"{exc.message_id} / {exc.message_en}")
    return code, exc.body()


def error_bytes(path: str, exc: ServerError) -> tuple[int, bytes]:
    """The same, encoded (for middleware that answers before the application)."""
    status, body = error_payload(path, exc)
    return status, json.dumps(body).encode("utf-8")
