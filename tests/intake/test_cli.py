"""`tindak-server` run as a real subprocess against a real database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from server import schema
from server.cli import main
from server.db import make_engine, read_tx
from server.embedded import EmbeddedServer
from server.migrations import head
from tests.server.kit import MovableClock, test_settings
from tests.support.waiting import wait_until

LATEST = head()

REPO = Path(__file__).resolve().parents[2]
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        factory: Callable[[], str] = request.getfixturevalue("pg_database_factory")
        return factory()
    return f"sqlite:///{tmp_path / 'admin.sqlite'}"


def test_admin_commands_and_device_revocation(tmp_path: Path, db_url: str) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return cli(tmp_path, *args, "--db", db_url, "--photos", str(tmp_path / "photos"))

    done = run("migrate")
    assert done.returncode == 0, done.stderr
    assert "317 unit wilayah" in done.stdout and "317 wilayah units" in done.stdout
    done = run(
        "create-unit",
        "--id",
        "sudin-bina-marga-jakpus",
        "--kind",
        "suku_dinas",
        "--name",
        "Suku Dinas Bina Marga Jakarta Pusat",
        "--kota",
        "Jakarta Pusat",
    )
    assert done.returncode == 0, done.stderr
    user = ["--name", "Andi Petugas", "--role", "officer", "--unit", "kel-31.71.06.1001"]
    done = run("create-user", "--username", "andi", "--password", "rahasia-andi", *user)
    assert done.returncode == 0, done.stderr
    assert "andi" in done.stdout
    key_run = run("create-api-key", "--channel", "qlue")
    assert key_run.returncode == 0, key_run.stderr
    key = key_run.stdout.strip().splitlines()[-1]
    assert key.startswith("t311_")

    settings = test_settings(db_url, tmp_path / "photos", MovableClock())
    with EmbeddedServer(settings) as server, httpx.Client(base_url=server.base_url) as http:
        posted = http.post(
            "/open311/v2/requests.json",
            data={"api_key": key, "service_code": "pohon", "lat": "-6.1950", "long": "106.8230"},
        )
        assert posted.status_code == 201, posted.text
        login = http.post(
            "/v1/auth/login",
            json={
                "username": "andi",
                "password": "rahasia-andi",
                "device_id": "hp-andi-1",
                "device_name": "Samsung A14",
            },
        )
        assert login.status_code == 200, login.text
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert http.get("/v1/sync/pull", params={"cursor": ""}, headers=auth).status_code == 200

        listed = run("list-devices", "--username", "andi")
        assert listed.returncode == 0, listed.stderr
        assert "hp-andi-1" in listed.stdout and "aktif/active" in listed.stdout

        revoked = run("revoke-device", "--username", "andi", "--device", "hp-andi-1")
        assert revoked.returncode == 0, revoked.stderr
        assert "1 sesi dicabut" in revoked.stdout

        refused = http.get("/v1/sync/pull", params={"cursor": ""}, headers=auth)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "device_revoked"
        assert "dicabut/revoked" in run("list-devices", "--username", "andi").stdout

    engine = make_engine(db_url)
    try:
        with read_tx(engine) as conn:
            channel = conn.execute(select(schema.reports.c.channel)).scalar_one()
            unit = conn.execute(
                select(schema.units.c.name).where(schema.units.c.id == "sudin-bina-marga-jakpus")
            ).scalar_one()
    finally:
        engine.dispose()
    assert channel == "qlue" and unit.startswith("Suku Dinas")


def test_refusals_are_bilingual_with_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same `main()` the console script runs, in-process (cheaper than a process)."""
    db = ["--db", f"sqlite:///{tmp_path / 'r.sqlite'}", "--photos", str(tmp_path / "p")]

    def run(*args: str) -> tuple[int, str]:
        try:
            code = main([*args, *db])
        except SystemExit as exc:  # argparse's own refusals
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    user = ["--name", "Andi", "--role", "officer", "--unit", "kel-31.71.06.1001"]
    assert run("migrate") == (
        0,
        f"Skema pada revisi {LATEST}; 317 unit wilayah ditambahkan.\n"
        f"  (Schema at revision {LATEST}; 317 wilayah units added.)\n",
    )
    assert "; 0 unit wilayah" in run("migrate")[1]  # idempotent
    assert run("create-user", "--username", "andi", "--password", "rahasia-andi", *user)[0] == 0
    code, err = run("create-user", "--username", "andi", "--password", "rahasia-andi", *user)
    assert code == 1 and "Galat:" in err and "duplicate" in err
    code, err = run("create-user", "--username", "budi", "--password", "pendek", *user)
    assert code == 1 and "8 karakter" in err and "8 characters" in err
    nowhere = ["--name", "C", "--role", "officer", "--unit", "kel-nowhere"]
    code, err = run("create-user", "--username", "cici", "--password", "rahasia-cici", *nowhere)
    assert code == 1 and "kel-nowhere" in err
    assert (
        run(
            "create-user", "--username", "d", "--password", "x" * 9, "--name", "D", "--role", "boss"
        )[0]
        == 2
    )
    assert run("create-api-key", "--channel", "merpati")[0] == 2
    code, err = run("revoke-device", "--username", "andi", "--device", "hp-x")
    assert code == 1 and "Tidak ada sesi aktif" in err and "No live session" in err
    code, err = run("list-devices", "--username", "siapa")
    assert code == 1 and "siapa" in err
    code, out = run("move-user", "--username", "andi", "--unit", "kel-31.71.06.1002")
    assert code == 0 and "pindah dari kel-31.71.06.1001 ke kel-31.71.06.1002" in out, out
    assert "moved from" in out
    code, err = run("move-user", "--username", "andi", "--unit", "kel-nowhere")
    assert code == 1 and "Unit kel-nowhere tidak ada" in err and "No unit" in err
    code, err = run("move-user", "--username", "siapa", "--unit", "kel-31.71.06.1002")
    assert code == 1 and "siapa" in err
    assert run("bogus-command")[0] == 2


def test_seed_demo_command(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    done = cli(tmp_path, "seed-demo", "--reports", "300", "--seed", "9", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "300 laporan" in done.stdout and "300 reports" in done.stdout
    for username in ("petugas.demo", "supervisor.demo", "validator.demo", "koordinator.demo"):
        assert username in done.stdout
    assert "tindak123" in done.stdout and "t311_demo_jaki_" in done.stdout
    assert (tmp_path / "var" / "photos").is_dir()  # the default photo folder, under cwd
    again = cli(tmp_path, "seed-demo", "--reports", "10", "--db", db)
    assert again.returncode == 1
    assert "sudah ada" in again.stderr and "already" in again.stderr


def test_a_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    done = cli(tmp_path, "migrate", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert done.returncode == 1
    assert (
        "Basis data tidak dapat dibuka" in done.stderr and "Cannot open the database" in done.stderr
    )


def healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/v1/health").status_code == 200
    except httpx.TransportError:
        return False


def _read_until(proc: subprocess.Popen[str], marker: str, timeout: float = 120) -> str:
    assert proc.stdout is not None
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    proc.kill()
    raise AssertionError("no " + repr(marker) + " in: " + "".join(seen))


def _demo(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "demo", "--port", str(port), "--reports", "200"],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_demo_command_seeds_once_serves_and_prints_the_logins(tmp_path: Path) -> None:
    port = free_port()
    proc = _demo(tmp_path, port)
    try:
        out = _read_until(proc, "Ctrl+C")
        assert "Mengisi data demo (200 laporan)" in out
        assert f"http://127.0.0.1:{port}" in out
        for login in ("petugas.demo", "supervisor.demo", "validator.demo", "koordinator.demo"):
            assert login in out
        assert "officer" in out and "coordinator" in out and "tindak123" in out
        base = f"http://127.0.0.1:{port}"
        # The announcement comes just before uvicorn listens.
        wait_until(lambda: healthy(base), "the demo server's health", timeout_s=60)
        login = httpx.post(
            f"{base}/v1/auth/login",
            json={"username": "petugas.demo", "password": "tindak123", "device_id": "d1"},
        )
        assert login.status_code == 200, login.text
        assert httpx.get(f"{base}/open311/v2/services.json").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert (tmp_path / "var" / "demo.sqlite").exists()

    again = _demo(tmp_path, port)
    try:
        out = _read_until(again, "Ctrl+C")
        assert "Mengisi" not in out  # already seeded: served as it is
        assert "t311_demo_jaki_" in out  # fresh demo keys (only hashes are stored)
    finally:
        again.terminate()
        again.wait(timeout=30)


def test_demo_command_refuses_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = cli(tmp_path, "serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 's.db'}")
    assert done.returncode == 1
    assert str(port) in done.stderr and "another --port" in done.stderr
