"""`tindak-server serve` as a real subprocess, for the tests of several server processes.

`served(db_url, photos, log, workers=N)` starts `python -m server.cli serve` on a free
loopback port, waits (on a condition, with a generous deadline: a busy machine starts
Python slowly) until it answers `/v1/health`, yields its base URL, then stops it with
SIGTERM as a process manager would and checks that it exited cleanly (0, or the
SIGTERM status uvicorn re-raises after a graceful stop), with no traceback in its log. The database must already be migrated and seeded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from .faultproxy import free_port
from .waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 120.0
STOP_DEADLINE_S = 60.0


def answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/v1/health", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def served(db_url: str, photos: Path, log: Path, *, workers: int = 1) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "server.cli", "serve", "--workers", str(workers)]
    command += ["--port", str(port), "--db", db_url, "--photos", str(photos)]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=log.parent, env=env, stdout=out, stderr=out)
    try:
        wait_until(
            lambda: answers(base) or proc.poll() is not None,
            "the server process answers",
            timeout_s=START_DEADLINE_S,
            every_s=0.2,
        )
        assert proc.poll() is None, log.read_text()
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    text = log.read_text()
    # One process: uvicorn shuts down gracefully, then re-raises the SIGTERM it caught,
    # so the exit status says "ended by SIGTERM" (what process managers expect); the
    # parent of several workers returns 0.
    assert code in (0, -signal.SIGTERM), (code, text)
    assert "Traceback" not in text, text
    assert not answers(base)
