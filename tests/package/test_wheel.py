"""The wheel, installed into a clean virtual environment, runs the app.

What a new user gets from `pip install tindak`: the wheel is built from the project's
sources (copied out of the checkout, so nothing of the work tree can leak in), installed
into a fresh venv, and its `tindak run --web` is opened in headless Chromium, which must
show the sign-in screen in Bahasa Indonesia. That proves the translations and the
deployment profile are package data the installed code finds.

Dependencies are not downloaded again: the wheel goes in with `--no-deps`, and the new
venv sees, through a `.pth` line, a folder of links to exactly the distributions its
`Requires-Dist` names (the transitive closure, markers evaluated, read from the metadata
of this test run's environment). So the declared dependencies are also proved to be
enough; the server's (the `server` extra) are absent, and the commands that need them
must say what to install in one line, never with a traceback.
"""

from __future__ import annotations

import email
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from playwright.sync_api import Browser

from tests.support.browser_fixtures import browser
from tests.ui.harness import ENABLE_SEMANTICS_EARLY, PHONE

__all__ = ["browser"]  # the shared module-scoped Chromium

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "local_db", "sync", "officer_app", "server")
START_TIMEOUT_S = 120.0
# Everything the screen says: texts and the accessibility labels of fields and buttons.
SHOWN_TEXT = """() => [
    ...[...document.querySelectorAll('flt-semantics')].map(n => n.innerText || ''),
    ...[...document.querySelectorAll('[aria-label]')].map(n => n.getAttribute('aria-label')),
].join('\\n')"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    junk = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, src / package, ignore=junk)
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(src)])
    (built,) = out.glob("tindak-*.whl")
    return built


def requirements(wheel: Path, extra: str = "") -> list[Requirement]:
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(zf.read(meta_name))
    reqs = [Requirement(r) for r in meta.get_all("Requires-Dist") or []]
    return [r for r in reqs if r.marker is None or r.marker.evaluate({"extra": extra})]


def closure(reqs: list[Requirement]) -> dict[str, Distribution]:
    """Every installed distribution `reqs` need, transitively, markers evaluated here."""
    found: dict[str, Distribution] = {}
    todo = [(r, "") for r in reqs]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(req.name)
        if name in found:
            continue
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            pytest.fail(f"{req.name} (needed by the wheel) is not installed here: scripts/setup")
        found[name] = dist
        for sub in dist.requires or []:
            for wanted in ("", *req.extras):
                todo.append((Requirement(sub), wanted))
    return found


def link_site(dists: dict[str, Distribution], folder: Path) -> None:
    """A site folder holding links to exactly these distributions' files."""
    folder.mkdir()
    for dist in dists.values():
        base = Path(str(dist.locate_file("")))
        for entry in {Path(str(f)).parts[0] for f in dist.files or []}:
            if entry == ".." or entry.endswith(".pth"):
                continue  # console scripts outside site-packages; path hooks
            target = folder / entry
            if not target.exists():
                target.symlink_to(base / entry)


def wheel_venv(wheel: Path, home: Path, reqs: list[Requirement], name: str) -> Path:
    """A fresh venv with the wheel (no deps), and `reqs`' closure from this machine's
    venv linked in through a .pth file: no network, no downloads."""
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=False, symlinks=True)
    py = env_dir / "bin" / "python"
    run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", str(wheel)]
    )
    site = Path(run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]))
    deps = home / "deps"
    link_site(closure(reqs), deps)
    (site / f"zz-{name}-deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    return env_dir


@pytest.fixture(scope="module")
def client_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and the client's own dependencies only."""
    return wheel_venv(wheel, tmp_path_factory.mktemp("venv"), requirements(wheel), "client")


@pytest.fixture(scope="module")
def server_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and the dependencies of its `server` extra."""
    # The extra's own marker (`extra == "server"`) is met here: drop it for the closure.
    wanted = [
        Requirement(str(r).split(";")[0]) if "extra" in str(r.marker) else r
        for r in requirements(wheel, "server")
    ]
    return wheel_venv(wheel, tmp_path_factory.mktemp("server-venv"), wanted, "server")


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), PYTHONNOUSERSITE="1")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def run(cmd: list[str], **kwargs: object) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{cmd}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return str(done.stdout).strip()


def test_the_wheel_carries_the_translations_and_the_profile(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("officer_app/flet.toml", "officer_app/assets/i18n/id.json"):
        assert data in names
    assert "officer_app/assets/i18n/en.json" in names
    assert not any(n.startswith(("tests/", "bench/", "assets/")) for n in names)


def test_the_client_brings_its_web_and_desktop_parts_and_the_server_is_an_extra(
    wheel: Path,
) -> None:
    client = {canonicalize_name(r.name) for r in requirements(wheel)}
    assert {"flet", "flet-web", "flet-desktop", "uvicorn", "orjson"} <= client
    assert not {"fastapi", "sqlalchemy", "argon2-cffi"} & client
    server = {canonicalize_name(r.name) for r in requirements(wheel, "server")}
    assert {"fastapi", "sqlalchemy", "argon2-cffi", "uvicorn"} <= server
    # The phone build's pip reports platform_system Android/iOS: no desktop or web client,
    # and no orjson (Flet's mobile index has no wheel of it; domain/json_codec.py).
    for req in requirements(wheel):
        if canonicalize_name(req.name) in ("flet-web", "flet-desktop", "orjson"):
            assert req.marker is not None
            for phone in ("Android", "iOS", "Emscripten"):
                assert not req.marker.evaluate({"platform_system": phone, "extra": ""})


@pytest.mark.browser
def test_installed_wheel_serves_the_sign_in_screen_in_bahasa_indonesia(
    client_venv: Path, browser: Browser, tmp_path: Path
) -> None:
    py = client_venv / "bin" / "python"
    env = clean_env(tmp_path)
    where = run(
        [str(py), "-c", "import officer_app, flet_web; print(officer_app.__file__)"],
        cwd=tmp_path,
        env=env,
    )
    assert where.startswith(str(client_venv)), f"officer_app imported from {where}"

    port = free_port()
    log = tmp_path / "tindak.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(client_venv / "bin" / "tindak"),
                "run",
                "--web",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path / "device"),
            ],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = wait_for_url(log, proc)
        ctx = browser.new_context(viewport=PHONE, locale="id-ID")
        try:
            page = ctx.new_page()
            outside: list[str] = []

            def route(r: Any) -> None:
                if r.request.url.startswith(url):
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.add_init_script(ENABLE_SEMANTICS_EARLY)
            page.goto(url)
            page.wait_for_selector("flt-semantics", state="attached", timeout=60_000)
            page.get_by_text("Tindak lanjut laporan Cepat Respon Masyarakat").first.wait_for(
                state="attached", timeout=60_000
            )
            for ident in ("login-username", "login-password", "login-submit"):
                page.locator(f'[flt-semantics-identifier="{ident}"]').first.wait_for(
                    state="attached", timeout=30_000
                )
            shown = page.evaluate(SHOWN_TEXT)
            for text in ("Nama pengguna", "Kata sandi", "Masuk"):
                assert text in shown, f"{text!r} is not on the sign-in screen: {shown[:500]}"
            assert "Password" not in shown and "Sign in" not in shown, shown[:500]
            assert not [u for u in outside if "rive" not in u], f"went outside: {outside}"
        finally:
            ctx.close()
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert "Traceback" not in text, text
    assert "pip install" not in text.lower() and "Installing" not in text, text


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (["tindak-server", "--help"], "pip install 'tindak[server]'"),
        (["tindak", "demo", "--dir", "demo"], "pip install 'tindak[server]'"),
    ],
)
def test_a_missing_extra_is_one_line_saying_what_to_install(
    client_venv: Path, tmp_path: Path, command: list[str], says: str
) -> None:
    done = subprocess.run(
        [str(client_venv / "bin" / command[0]), *command[1:]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(tmp_path),
        timeout=120,
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and says in lines[0], done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_the_installed_server_migrates_from_its_own_revisions(
    wheel: Path, server_venv: Path, tmp_path: Path
) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"server/revisions/env.py", "server/revisions/versions/r0001_baseline.py"} <= names
    db = f"sqlite:///{tmp_path / 'server.sqlite'}"
    out = run(
        [str(server_venv / "bin" / "tindak-server"), "migrate", "--db", db],
        cwd=tmp_path,
        env=clean_env(tmp_path),
    )
    from server.migrations import head

    assert f"Schema at revision {head()};" in out, out


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return int(resp.status) == 200
    except OSError:
        return False


def wait_for_url(log: Path, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        found = re.search(r"Tindak \(web\): (http://\S+)", log.read_text())
        if found and answers(found.group(1)):
            return found.group(1)
        if proc.poll() is not None:
            pytest.fail(f"tindak run exited with {proc.returncode}:\n{log.read_text()}")
        time.sleep(0.1)
    pytest.fail(f"tindak run printed no URL within {START_TIMEOUT_S} s:\n{log.read_text()}")
