"""The test's side of `officer_child`: start the fork server, spawn workers, SIGKILL them.

`OfficerProcesses(...)` starts `python -m tests.support.officer_child` from the project
root. `spawn(seed)` forks a worker and returns its pid; `wait_ready(pid)` waits until it
has signed in; `kill(pid)` sends SIGKILL and waits until the fork server reaped it.
Every line the workers print is collected: `acted` (mutation ids they recorded),
`syncs` (outcomes) and `crashes` (a worker that died of an exception, which is a bug:
the only way a worker may end is the kill).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]


class ChildTimeout(AssertionError):
    pass


class OfficerProcesses:
    def __init__(
        self,
        *,
        db: Path,
        url: str,
        username: str,
        password: str,
        photos: Path,
        log: Path,
    ) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self._stderr = log.open("wb")
        self.log = log
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.officer_child",
                "--db",
                str(db),
                "--url",
                url,
                "--username",
                username,
                "--password",
                password,
                "--photos",
                str(photos),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self._lines: queue.Queue[list[str] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.acted: list[str] = []
        self.syncs: Counter[str] = Counter()
        self.crashes: list[str] = []
        self.ready: set[int] = set()
        self._pids: list[int] = []
        self._reaped: dict[int, int] = {}

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._lines.put(raw.decode(errors="replace").split())
        self._lines.put(None)

    def _send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def _note(self, words: list[str]) -> None:
        kind = words[0] if words else ""
        if kind == "act":
            self.acted.append(words[2])
        elif kind == "sync":
            self.syncs[words[2]] += 1
        elif kind == "ready":
            self.ready.add(int(words[1]))
        elif kind == "crash":
            self.crashes.append(" ".join(words[1:]))
        elif kind == "pid":
            self._pids.append(int(words[1]))
        elif kind == "reaped":
            self._reaped[int(words[1])] = int(words[2])

    def _pump(self, done: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                words = self._lines.get(timeout=left)
            except queue.Empty:
                return False
            if words is None:
                raise ChildTimeout(f"the fork server exited; see {self.log}")
            if words:
                self._note(words)
        return True

    def drain(self) -> None:
        """Take in whatever the workers printed so far."""
        self._pump(lambda: self._lines.empty(), 0.0)

    def spawn(self, seed: int) -> int:
        before = len(self._pids)
        self._send(f"spawn {seed}")
        if not self._pump(lambda: len(self._pids) > before, 30):
            raise ChildTimeout("no pid from the fork server")
        return self._pids[-1]

    def wait_ready(self, pid: int, timeout: float = 30) -> None:
        if not self._pump(lambda: pid in self.ready or bool(self.crashes), timeout):
            raise ChildTimeout(f"worker {pid} never became ready; see {self.log}")

    def pause(self, seconds: float) -> None:
        """Let the worker run for `seconds`, collecting what it prints."""
        self._pump(lambda: False, seconds)

    def kill(self, pid: int) -> int:
        """SIGKILL the worker; returns its wait status once reaped."""
        with contextlib.suppress(ProcessLookupError):  # it died on its own: reap tells how
            os.kill(pid, signal.SIGKILL)
        self._send(f"reap {pid}")
        if not self._pump(lambda: pid in self._reaped, 30):
            raise ChildTimeout(f"worker {pid} was not reaped")
        self.drain()
        return self._reaped[pid]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self._send("quit")
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()

    def __enter__(self) -> OfficerProcesses:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
