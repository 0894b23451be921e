"""`tindak`: run the officer app, or the whole system for a demo.

    tindak run  [--profile flet.toml] [--data-dir DIR] [--web] [--port N]
    tindak demo [--dir var/demo] [--reports N] [--year 2024|0] [--port N] [--web]

`demo` starts the reference server on loopback with the demo data (a fresh database
under ./var/demo unless one exists there, with the published 2024 year for the data
team's Dasbor kota unless `--year 0`), signs the device in as `petugas.demo`, and
opens the app: a desktop window where the desktop client is available, else the web
build (renderer bundled, no internet needed), whose URL it prints. The server runs as
its own process (`python -m server.cli`): the app never imports the server's code.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import __version__
from .device import Device
from .errors import AppError, MissingPartError
from .launch import WebApp, desktop_client_available, free_port, has_display, run_desktop
from .profile import Profile, load_profile
from .tabs import TabDevices
from .tokens import desktop_token_store

log = logging.getLogger("tindak")

DEMO_PASSWORD = "tindak123"
DEMO_OFFICER = "petugas.demo"
DEMO_OTHERS = (
    ("supervisor.demo", "supervisor / supervisor"),
    ("validator.demo", "validator (Biro Pemerintahan)"),
    ("koordinator.demo", "koordinator / coordinator"),
    ("analis.demo", "tim data: Dasbor kota / data team: city dashboard"),
)
SERVER_START_TIMEOUT_S = 120.0


def default_data_dir() -> Path:
    """Where the device keeps its data: the Flet app storage on a phone, else per user."""
    flet_data = os.environ.get("FLET_APP_STORAGE_DATA")
    if flet_data:
        return Path(flet_data)
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "Tindak"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Tindak"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tindak"


def open_app(
    device: Device, *, web: bool, host: str, port: int, tabs: TabDevices | None = None
) -> None:
    """Run the app until its window closes (desktop) or Ctrl+C (web). With `tabs`, each
    browser tab of the web build gets its own device (the demo)."""
    from .app import make_main

    if not web and desktop_client_available():
        run_desktop(make_main(device))
        return
    app = WebApp(make_main(device, tabs), host=host, port=port)
    print(f"Tindak (web): {app.url}", flush=True)
    if has_display():
        with contextlib.suppress(Exception):
            webbrowser.open(app.url)
    with contextlib.suppress(KeyboardInterrupt):
        app.serve_forever()


# --- tindak run ---------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    device = Device(profile, Path(args.data_dir), desktop_token_store())
    try:
        device.start()
        open_app(device, web=args.web, host=args.host, port=args.port or 8550)
    finally:
        device.close()
    return 0


# --- tindak demo ----------------------------------------------------------------------


@contextlib.contextmanager
def demo_server(directory: Path, reports: int, port: int, year: int = 0) -> Iterator[str]:
    """The reference server with demo data in a child process; yields its base URL."""
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "server.sqlite"
    db_url = f"sqlite:///{db_path.resolve()}"
    photos = str((directory / "server-photos").resolve())
    fresh = not db_path.exists()
    server_cli = [sys.executable, "-m", "server.cli"]
    if fresh:
        print(f"Menyiapkan data demo ({reports} laporan) / seeding demo data...", flush=True)
        subprocess.run(
            [
                *server_cli,
                "seed-demo",
                "--db",
                db_url,
                "--photos",
                photos,
                "--reports",
                str(reports),
            ],
            check=True,
        )
        if year:
            # The published year behind the data team's Dasbor kota (~186k reports).
            print(f"Menyiapkan tahun {year} untuk Dasbor kota / seeding {year}...", flush=True)
            subprocess.run(
                [*server_cli, "seed-demo", "--db", db_url, "--photos", photos, "--year", str(year)],
                check=True,
            )
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            *server_cli,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            db_url,
            "--photos",
            photos,
        ]
    )
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AppError(f"the demo server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/v1/health", timeout=2) as resp:
                json.loads(resp.read() or b"{}")
                return
        except (urllib.error.URLError, OSError, ValueError):
            time.sleep(0.2)
    raise AppError(f"the demo server did not answer on {url}")


# The reference server's own dependencies (the `server` extra). Looked up, not imported:
# the app never imports the server's code, which runs in its own process.
SERVER_MODULES = ("fastapi", "uvicorn", "sqlalchemy", "argon2", "multipart")


def require_server() -> None:
    missing = [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingPartError(
            "demo butuh server referensi / the demo needs the reference server "
            f"(missing {', '.join(missing)}): pip install 'tindak[server]'"
        )


def cmd_demo(args: argparse.Namespace) -> int:
    require_server()
    directory = Path(args.dir)
    server_port = args.server_port or free_port()
    with demo_server(directory, args.reports, server_port, args.year) as server_url:
        profile: Profile = load_profile(args.profile).with_server(server_url)
        # The demo device keeps its tokens in memory: it signs in afresh each run.
        from sync import MemoryTokenStore

        device = Device(profile, directory / "device", MemoryTokenStore())
        try:
            device.login(DEMO_OFFICER, DEMO_PASSWORD)
            device.engine.sync_once()
            device.start()
            print(f"Server: {server_url}")
            print(f"Masuk sebagai / signed in as: {DEMO_OFFICER} (kata sandi {DEMO_PASSWORD})")
            print("Login demo lain / other demo logins (same password):")
            for username, role in DEMO_OTHERS:
                print(f"  {username:18} {role}")
            print(
                "Tab browser lain = perangkat lain (masuk sebagai login lain) / another "
                "browser tab is another device (sign in there as another login)"
            )
            tabs = TabDevices(
                device,
                directory / "tabs",
                lambda path: Device(profile, path, MemoryTokenStore()),
            )
            try:
                open_app(
                    device,
                    web=args.web,
                    host=args.host,
                    port=args.port or free_port(),
                    tabs=tabs,
                )
            finally:
                tabs.close()
        finally:
            device.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tindak", description="Tindak: aplikasi petugas CRM")
    p.add_argument("--version", action="version", version=f"tindak {__version__}")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="jalankan aplikasi / run the app")
    run.add_argument("--profile", default=None, help="flet.toml (default: the shipped one)")
    run.add_argument("--data-dir", default=str(default_data_dir()))
    run.add_argument("--web", action="store_true", help="serve the web build")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=0)
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="server + data demo + aplikasi / full demo")
    demo.add_argument("--dir", default="var/demo")
    demo.add_argument("--reports", type=int, default=5000)
    demo.add_argument("--profile", default=None)
    demo.add_argument("--web", action="store_true", help="serve the web build")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=0, help="port of the web build")
    demo.add_argument("--server-port", type=int, default=0)
    demo.add_argument(
        "--year",
        type=int,
        default=2024,
        choices=[0, 2024],
        help="the published year for the Dasbor kota (0: none) / tahun untuk Dasbor kota",
    )
    demo.set_defaults(func=cmd_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except AppError as exc:
        print(f"tindak: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"tindak: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
