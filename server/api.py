"""The HTTP API: `create_app(settings)` builds the FastAPI application.

Routes (see `domain/protocol.py` for the wire shapes and docs/server.md for the rules):

    GET  /v1/health                      liveness + database check
    POST /v1/auth/login | refresh | logout
    GET  /v1/sync/pull?cursor=&limit=    changes since the cursor, paged
    POST /v1/sync/push                   queued mutations, each applied once
    GET  /v1/photos/{sha256}             upload status
    PUT  /v1/photos/{sha256}?offset=&size=   one chunk of a resumable upload
    GET  /v1/photos/{sha256}/content     the bytes, within the caller's scope

Boundary rules kept here: every error leaves as the JSON envelope of `server/errors.py`
(including validation errors, unknown routes and crashes); every response carries
`X-Server-Time`; each request uses its own connection and transaction(s); handlers are
thin - the services (`auth`, `pull`, `push`, `photos`) hold the logic.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain import Actor
from domain.protocol import API_PREFIX, MAX_PULL_LIMIT, PROTOCOL_VERSION, iso
from domain.runtime import tune_runtime

from . import auth, photos
from .answers import error_payload
from .config import Settings
from .db import make_engine, read_tx
from .errors import (
    BadRequest,
    BodyTooLarge,
    InvalidJson,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    ServerError,
    TokenInvalid,
    envelope,
)
from .middleware import (
    BodyLimitMiddleware,
    CrashMiddleware,
    NulGuardMiddleware,
    ServerTimeMiddleware,
)
from .models import (
    ErrorOut,
    HealthOut,
    LoginIn,
    PhotoStatusOut,
    PullOut,
    PushIn,
    PushOut,
    RefreshIn,
    TokensOut,
)
from .photo_index import index_for
from .photostore import open_store
from .pull import pull
from .push import PushItem, push

log = logging.getLogger("tindak.server")

SHA_PATTERN = r"^[0-9a-f]{64}$"
PullLimit = Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT, description="Changes per page")]
Sha = Annotated[str, Path(pattern=SHA_PATTERN, description="sha256 of the photo, lowercase hex")]

_WHY: dict[int, str] = {
    400: "invalid_json, invalid_cursor, nul_character (a NUL in any text), bad_request",
    401: "invalid_credentials, token_expired, token_invalid, session_revoked, device_revoked",
    403: "forbidden",
    404: "not_found (unknown, or outside the caller's scope: alike)",
    409: "offset_mismatch (with the photo's status), upload_owned",
    413: "body_too_large, photo_too_large",
    422: "invalid_request (the request does not fit its model), or a refused photo",
    429: "too_many_attempts (with Retry-After)",
    503: "photo_store_unavailable (the object storage failed; nothing was committed: retry)",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers an operation really gives, for /openapi.json."""
    return {code: {"model": ErrorOut, "description": _WHY[code]} for code in codes}


_bearer = HTTPBearer(auto_error=False, description="The access token from /v1/auth/login")


class _FastJson(JSONResponse):
    """JSON encoded by orjson: a pull page of 500 snapshots is encoded ten times faster
    than by the standard library (17 against 184 ms per 10,000 reports), which is a
    tenth of the server's time per page (`bench/bench_sync.py --scale`). Same output
    shape: UTF-8, no spaces, non-string keys as strings."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return _FastJson(body, status_code=status, headers=headers)


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> auth.Principal:
    if credentials is None or not credentials.credentials:
        raise TokenInvalid("A bearer token is required.")
    token = credentials.credentials
    if len(token) > 200:
        raise TokenInvalid()
    return auth.authenticate(_engine(request), _settings(request), token)


Caller = Annotated[auth.Principal, Depends(caller)]


def _actor(principal: auth.Principal) -> Actor:
    return Actor(principal.user_id, principal.role, principal.unit_id)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServerError)
    async def _server_error(request: Request, exc: ServerError) -> Response:
        return _error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _error(request, InvalidJson())
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        detail = f"{where}: {first.get('msg', 'invalid')}" if where else "invalid request"
        return _error(
            request,
            InvalidRequest(
                f"Invalid request data ({detail}).", f"Data permintaan tidak sah ({detail})."
            ),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        # Starlette's own answers keep their headers (a 405's Allow).
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            return _error(request, NotFound(), headers)
        if exc.status_code == 405:
            # Starlette names only the first route matching the path; Allow lists all.
            return _error(request, MethodNotAllowed(), {**headers, "Allow": _allow(request)})
        if exc.status_code == 400:  # e.g. a form or multipart body that does not parse
            return _error(request, BadRequest(), headers)
        if exc.status_code == 413:
            return _error(request, BodyTooLarge(), headers)
        generic = ServerError(str(exc.detail))
        status, body = error_payload(request.url.path, generic, exc.status_code)
        if isinstance(body, dict):
            body = envelope("http_error", generic.message_id, generic.message_en)
        return _json(body, status, headers)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        # This answer is sent outside the middleware stack (Starlette's outermost
        # error middleware): it carries the server clock itself.
        now = iso(_settings(request).now()) or ""
        return _error(request, ServerError(), {"X-Server-Time": now})


def _allow(request: Request) -> str:
    """Every method the application's routes take at the request's path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path):
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def _error(
    request: Request, exc: ServerError, headers: dict[str, str] | None = None
) -> JSONResponse:
    status, body = error_payload(request.url.path, exc)
    return _json(body, status, {**exc.headers(), **(headers or {})})


def warm_up(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            index_for(engine).catch_up(conn)
    except SQLAlchemyError:  # a later lookup catches up itself
        log.warning("photo index warm-up failed", exc_info=True)


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    """The application. The database must already be migrated (`server.migrations`)."""
    owned = engine is None
    db = engine if engine is not None else make_engine(settings.db_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Read the photo hashes into this process's near-duplicate index in the
        # background, so the first photo pushed after a start does not wait for it.
        threading.Thread(target=warm_up, args=(db,), name="photo-index", daemon=True).start()
        tune_runtime()  # once per process, after the imports; see domain/runtime.py
        yield
        if owned:
            db.dispose()

    app = FastAPI(
        title="Tindak CRM reference server",
        version=str(PROTOCOL_VERSION),
        description="Central server of the Cepat Respon Masyarakat officer app (Tindak).",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = db
    open_store(settings)  # a missing client or an unreachable bucket stops the start
    _install_error_handlers(app)
    app.add_middleware(NulGuardMiddleware)  # inside the body limit: a whole, bounded body
    app.add_middleware(
        BodyLimitMiddleware,
        json_limit=settings.limits.json_body_bytes,
        binary_limit=settings.limits.photo_bytes + 64 * 1024,
    )
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(CrashMiddleware)  # inside the clock header: a 500 carries it too
    app.add_middleware(ServerTimeMiddleware, clock=settings.now)
    _routes(app, settings)
    if importlib.util.find_spec("server.open311") is not None:
        from server.open311 import router as open311_router

        app.include_router(open311_router)
    from server.figures.routes import router as figures_router

    app.include_router(figures_router)
    return app


def _routes(app: FastAPI, settings: Settings) -> None:
    p = API_PREFIX

    @app.get(
        f"{p}/health",
        summary="Liveness and database check",
        response_model=HealthOut,
        responses=_errors(400),
    )
    def health(request: Request) -> Response:
        with read_tx(_engine(request)) as conn:
            conn.execute(text("SELECT 1"))
        return _json(
            {
                "status": "ok",
                "protocol_version": PROTOCOL_VERSION,
                "server_time": iso(settings.now()),
                "database": _engine(request).dialect.name,
            }
        )

    @app.post(
        f"{p}/auth/login",
        summary="Log in on a device: access and refresh tokens",
        response_model=TokensOut,
        responses=_errors(400, 401, 413, 422, 429),
        tags=["auth"],
    )
    def login(body: LoginIn, request: Request) -> Response:
        tokens = auth.login(
            _engine(request),
            settings,
            body.username,
            body.password,
            body.device_id,
            body.device_name,
            address=request.client.host if request.client else "",
        )
        return _json(tokens.to_wire())

    @app.post(
        f"{p}/auth/refresh",
        summary="Rotate the tokens (the refresh token is single-use)",
        response_model=TokensOut,
        responses=_errors(400, 401, 413, 422),
        tags=["auth"],
    )
    def refresh(body: RefreshIn, request: Request) -> Response:
        return _json(auth.refresh(_engine(request), settings, body.refresh_token).to_wire())

    @app.post(
        f"{p}/auth/logout",
        summary="End this device's session",
        status_code=204,
        responses=_errors(400, 401, 413),
        tags=["auth"],
    )
    def logout(who: Caller, request: Request) -> Response:
        auth.logout(_engine(request), settings, who.session_id)
        return Response(status_code=204)

    @app.get(
        f"{p}/sync/pull",
        summary="Changes visible to the caller since the cursor, in pages",
        response_model=PullOut,
        responses=_errors(400, 401, 422),
        tags=["sync"],
    )
    def sync_pull(
        who: Caller,
        request: Request,
        cursor: Annotated[str, Query(max_length=200)] = "",
        limit: PullLimit = settings.limits.pull_default,
    ) -> Response:
        limit = min(limit, settings.limits.pull_limit)
        with read_tx(_engine(request)) as conn:
            page = pull(conn, _actor(who), cursor, limit, settings.now())
        return _json(page.to_wire())

    @app.post(
        f"{p}/sync/push",
        summary="Apply queued mutations; each is answered applied or rejected",
        response_model=PushOut,
        responses=_errors(400, 401, 413, 422),
        tags=["sync"],
    )
    def sync_push(body: PushIn, who: Caller, request: Request) -> Response:
        if len(body.mutations) > settings.limits.push_batch:
            raise InvalidRequest(f"At most {settings.limits.push_batch} mutations per push.")
        items = [
            PushItem(m.id, m.device_seq, m.action, m.report_id, m.payload) for m in body.mutations
        ]
        return _json(push(_engine(request), settings, who, items).to_wire())

    @app.get(
        f"{p}/photos/{{sha256}}",
        summary="Upload status of a photo (bytes received so far)",
        response_model=PhotoStatusOut,
        responses=_errors(400, 401, 404, 422),
        tags=["photos"],
    )
    def photo_status(sha256: Sha, who: Caller, request: Request) -> Response:
        return _json(photos.photo_status(_engine(request), who, sha256).to_wire())

    @app.put(
        f"{p}/photos/{{sha256}}",
        summary="Upload one chunk of a photo at `offset` (resumable)",
        response_model=PhotoStatusOut,
        responses=_errors(400, 401, 409, 413, 422, 503),
        tags=["photos"],
    )
    async def photo_put(
        sha256: Sha,
        who: Caller,
        request: Request,
        offset: Annotated[int, Query(ge=0, le=2**40)],
        size: Annotated[int, Query(ge=1, le=2**40)],
    ) -> Response:
        chunk = await request.body()
        status = await run_in_threadpool(
            photos.put_chunk, _engine(request), settings, who, sha256, offset, size, chunk
        )
        return _json(status.to_wire())

    @app.get(
        f"{p}/photos/{{sha256}}/content",
        summary="The photo's bytes (only within the caller's scope)",
        response_class=FileResponse,
        responses={
            **_errors(400, 401, 404, 422, 503),
            200: {"content": {"image/jpeg": {}, "image/png": {}}},
        },
        tags=["photos"],
    )
    def photo_content(sha256: Sha, who: Caller, request: Request) -> Response:
        content, mime = photos.photo_content(_engine(request), settings, who, sha256)
        cache = {"Cache-Control": "private, max-age=31536000, immutable"}
        if isinstance(content, bytes):  # from object storage
            return Response(content, media_type=mime, headers=cache)
        return FileResponse(content, media_type=mime, headers=cache)
