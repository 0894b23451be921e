"""`EmbeddedServer`: the real server on loopback, in a background thread.

Used by tests of every room, by the device-side integration tests and by the demo. It
migrates the database, serves `create_app(settings)` with uvicorn on 127.0.0.1 (a free
port unless one is given), waits until uvicorn reports `started`, and on exit asks
uvicorn to stop, joins the thread and disposes the engine. `.base_url` is the root URL
(`http://127.0.0.1:<port>`); the API lives under `/v1`.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from sqlalchemy import Engine

from .api import create_app
from .config import Settings
from .db import make_engine
from .errors import ServerError
from .migrations import migrate

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


class ServerStartError(ServerError):
    """uvicorn did not come up (port taken, app failed to start...)."""


class EmbeddedServer:
    def __init__(self, settings: Settings, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.settings = settings
        self.host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.engine: Engine | None = None

    @property
    def port(self) -> int:
        if self._socket is None:
            raise ServerStartError("the server is not running")
        port: int = self._socket.getsockname()[1]
        return port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> EmbeddedServer:
        self.engine = make_engine(self.settings.db_url)
        migrate(self.engine)
        app = create_app(self.settings, engine=self.engine)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        self._socket = sock
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="tindak-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerStartError("the embedded server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_S)
        if self._socket is not None:
            self._socket.close()
        if self.engine is not None:
            self.engine.dispose()
        self._server = self._thread = None
        self._socket = None
        self.engine = None

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
