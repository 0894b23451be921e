"""`tindak-server serve` as a subprocess for the benchmarks, and its CPU time.

The benchmarks measure the server the way it is deployed: its own process(es), apart
from the client that loads it (a server thread inside the client's process would share
the client's interpreter lock, and its CPU could not be told apart).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
START_DEADLINE_S = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    db_url: str, photo_dir: Path, log: Path, code: Path = ROOT, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `serve --workers N` from the checkout `code` on a free port; return the
    process and its base URL once it answers (SystemExit with the log's path if not)."""
    port = free_port()
    command = [sys.executable, "-m", "server.entry", "serve", "--db", db_url]
    command += ["--photos", str(photo_dir), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=code,
            env={**os.environ, "PYTHONPATH": str(code)},
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited ({process.returncode}); see {log}")
        try:
            if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # polling a starting process; not a test
    process.terminate()
    raise SystemExit(f"server did not answer within {START_DEADLINE_S} s; see {log}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(processes: list[subprocess.Popen[bytes]]) -> float:
    """User + system CPU of the processes and all their children (uvicorn's workers)."""
    total = 0.0
    for process in processes:
        try:
            proc = psutil.Process(process.pid)
            for p in [proc, *proc.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total
