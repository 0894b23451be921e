"""`tindak-server serve --workers 2`: two uvicorn processes on one address, for real.

The command runs as a subprocess on a temporary SQLite file and on PostgreSQL; the test
waits (on a condition, with a generous deadline) until it answers, then a supervisor
logs in, takes a whole initial sync, dispatches a report and sees the change in a later
pull (the requests land on whichever worker the kernel picks), and SIGTERM stops the
parent and both workers cleanly.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from server.config import Settings
from server.db import make_engine
from server.migrations import migrate
from tests.server.kit import (
    OFFICER_A1,
    SUPERVISOR_A,
    ApiClient,
    current,
    seed_world,
)
from tests.support.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
START_DEADLINE_S = 120.0
STOP_DEADLINE_S = 60.0


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        factory: Callable[[], str] = request.getfixturevalue("pg_database_factory")
        return factory()
    return f"sqlite:///{tmp_path / 'server.sqlite'}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/v1/health", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def test_two_workers_serve_one_address_and_stop_cleanly(db_url: str, tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    settings = Settings(db_url=db_url, photo_dir=photos)
    engine = make_engine(db_url)
    try:
        migrate(engine)
        world = seed_world(engine, settings)
    finally:
        engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "server.cli", "serve", "--workers", "2"]
    command += ["--port", str(port), "--db", db_url, "--photos", str(photos)]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=out)
    try:
        wait_until(
            lambda: answers(base) or proc.poll() is not None,
            "the workers answer",
            timeout_s=START_DEADLINE_S,
            every_s=0.2,
        )
        assert proc.poll() is None, log.read_text()
        assert "2 proses" in log.read_text()
        with ApiClient(base) as sup:
            assert sup.login(SUPERVISOR_A).status_code == 200
            changes, cursor = sup.pull_all(limit=2)  # several pages, several requests
            seen = current(changes)
            unit_reports = [k for k, v in seen.items() if k[0] == "report" and v is not None]
            assert len(unit_reports) == 3  # seed_world's three reports of unit A
            rid = world.reports["a_new"]
            result = sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
            assert result["outcome"] == "applied", result
            later, _ = sup.pull_all(cursor)
            after = current(later)[("report", rid)]
            assert after is not None and after["assignee_id"] == world.uid(OFFICER_A1)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    text = log.read_text()
    assert code == 0, text
    assert "Traceback" not in text, text
    assert not answers(base)
