"""Opening the central SQLite file while another connection writes to it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from server.db import make_engine

HOLD_S = 0.5


def test_a_connection_waits_for_a_writer_before_switching_the_file_to_wal(
    tmp_path: Path,
) -> None:
    # A file not yet in WAL mode, with a write transaction open on it (a process that
    # created it a moment ago). SQLite refuses the switch to WAL at once meanwhile
    # ("database is locked"): three migrating processes failed on it 1 time in ~100.
    path = tmp_path / "server.sqlite"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("CREATE TABLE first_writer (x)")
    release = threading.Timer(HOLD_S, writer.execute, args=("COMMIT",))
    release.start()
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("SELECT count(*) FROM first_writer")).scalar() == 0
    finally:
        release.join()
        engine.dispose()
        writer.close()
