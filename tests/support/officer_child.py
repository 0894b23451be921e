"""An officer's app in a child process, to be SIGKILLed at random moments.

Run as `python -m tests.support.officer_child --db ... --url ... --username ...` from the
project root. The process is a small fork server: it imports everything once, then on
each `spawn <seed>` line from stdin forks a worker and answers `pid <pid>`; on
`reap <pid>` it waits for that worker and answers `reaped <pid> <status>`. Forking from
a warm process makes a kill cycle cost milliseconds instead of an interpreter start, so
a test can afford a hundred kills. (Fork happens before any thread, connection or file
is opened: the worker starts clean.)

A worker opens the device database, signs in, says `ready`, then loops forever doing
what an officer does: record actions on its reports (accept, start, progress, extension
requests, completion), add photos (real JPEGs written to the photo folder first, as the
photo pipeline does), and sync. It reports on stdout with single `os.write` calls (a
line below PIPE_BUF is atomic, and nothing sits in a buffer when the kill comes):
`act <pid> <mutation id>` after each recorded action, `sync <pid> ok|<error code>`.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

from local_db import LocalDb
from sync import Backoff, MemoryTokenStore, SyncEngine, SyncSettings, Transport

from .officer import random_action


def say(*words: object) -> None:
    os.write(1, (" ".join(str(w) for w in words) + "\n").encode())


def worker(args: argparse.Namespace, seed: int) -> None:
    rnd = random.Random(seed)
    db = LocalDb.open(Path(args.db))
    settings = SyncSettings(device_name="uji-kill", photo_backoff=Backoff(base_s=0.0))
    engine = SyncEngine(db, Transport(args.url), MemoryTokenStore(), settings)
    engine.login(args.username, args.password)
    say("ready", os.getpid())
    photos = Path(args.photos)
    while True:
        if rnd.random() < 0.2:
            report = engine.sync_once()
            say("sync", os.getpid(), "ok" if report.error is None else report.error.code)
        else:
            entry = random_action(db, engine.now_server(), rnd, photos)
            if entry is not None:
                say("act", os.getpid(), entry.id)
            else:
                time.sleep(0.01)  # nothing to do on these reports: do not spin


def serve(args: argparse.Namespace) -> None:
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "spawn":
            pid = os.fork()
            if pid == 0:
                try:
                    worker(args, int(arg))
                except BaseException as exc:  # report it, then die quietly
                    say("crash", os.getpid(), type(exc).__name__, str(exc)[:300].replace("\n", " "))
                finally:
                    os._exit(3)
            say("pid", pid)
        elif cmd == "reap":
            _, status = os.waitpid(int(arg), 0)
            say("reaped", arg, status)
        elif cmd == "quit":
            return


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--photos", required=True)
    serve(parser.parse_args())


if __name__ == "__main__":
    main()
