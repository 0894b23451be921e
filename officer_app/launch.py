"""Serving the app: a desktop window, the browser build, or an in-process web server.

`WebApp` runs the Flet web client (renderer bundled, `no_cdn`: it needs no internet)
with uvicorn in a daemon thread on a loopback port; the browser tests, the screenshot
script, the benchmark and `tindak demo` without a display all use it. It always serves
the CanvasKit renderer (`WEB_RENDERER`). `run_desktop`
opens the native window where the desktop client is available.

Invariant: nothing here keeps per-session state; `main` (from `officer_app.app`) builds
everything a browser tab needs when the tab connects.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from importlib.resources import files
from types import TracebackType
from typing import Any

import flet as ft

from .errors import MissingPartError

# Package data of officer_app; Flet serves it as a directory, so it must be a real one
# (true for a wheel, an editable install and a `flet build`, which all unpack packages).
ASSETS_DIR = str(files("officer_app") / "assets")

AppMain = Callable[[ft.Page], Any]

# flet-web ships two builds. Left to choose ("auto"), Chromium loads the WebAssembly one
# with the skwasm renderer, single-threaded on a page that is not cross-origin isolated
# (ours is not). That renderer froze pages for good here: the tab's script spinning in
# skwasm's `malloc` under `paragraph_layout`, never answering again (a browser test in
# 3 of 8 full test runs here). CanvasKit (dart2js) is Flet's own default for web
# builds and, by its documentation, faster at the byte-buffer exchange of every update.
WEB_RENDERER = ft.WebRenderer.CANVAS_KIT


def require_web_client() -> None:
    """Refuse, in one line, to serve the web build without its parts.

    `ft.run(export_asgi_app=True)` would otherwise pip-install flet-web at run time,
    which fails offline and changes the environment behind the user's back.
    """
    try:
        import flet_web.version
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise MissingPartError(
            f"tampilan web belum terpasang / the web client is not installed "
            f"(no module {exc.name!r}): pip install 'flet-web=={ft.version.flet_version}' uvicorn"
        ) from exc
    if flet_web.version.version and flet_web.version.version != ft.version.flet_version:
        raise MissingPartError(
            f"flet-web {flet_web.version.version} does not match flet "
            f"{ft.version.flet_version}: pip install 'flet-web=={ft.version.flet_version}'"
        )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class WebApp:
    """The web build served by uvicorn in a thread; a context manager.

    `url` is ready once `start()` (or `__enter__`) returns: uvicorn has bound the port.
    """

    def __init__(self, main: AppMain, host: str = "127.0.0.1", port: int = 0) -> None:
        require_web_client()
        import uvicorn

        self.host = host
        self.port = port or free_port(host)
        asgi = ft.run(
            main,
            export_asgi_app=True,
            no_cdn=True,
            assets_dir=ASSETS_DIR,
            web_renderer=WEB_RENDERER,
        )
        config = uvicorn.Config(asgi, host=host, port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="flet-web", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_s: float = 15.0) -> WebApp:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the web app did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted (Ctrl+C)."""
        self._server.run()

    def __enter__(self) -> WebApp:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or (
        os.name == "nt" or _is_macos()
    )


def _is_macos() -> bool:
    import sys

    return sys.platform == "darwin"


def desktop_client_available() -> bool:
    """The desktop client is installed (flet-desktop); it may still download its binary."""
    try:
        import flet_desktop.version
    except ImportError:
        return False
    if flet_desktop.version.version and flet_desktop.version.version != ft.version.flet_version:
        return False  # Flet would pip-install the matching one at run time
    return has_display()


def run_desktop(main: AppMain) -> None:
    ft.run(main, view=ft.AppView.FLET_APP, assets_dir=ASSETS_DIR)
