"""The device database file: connections, pragmas and the one-writer rule.

Invariants:
- one writer: every write transaction runs on the single writer connection, under one
  process-wide lock, opened with `BEGIN IMMEDIATE` (the UI thread and the sync thread
  never interleave half-transactions, and a write never fails half-way on a lock
  upgrade); one action is one transaction;
- reads run concurrently on per-thread connections (WAL gives each a stable snapshot);
- `synchronous=FULL`: the outbox is the only copy of an officer's work until the
  server acknowledges it, so a commit must survive a power cut (in WAL mode NORMAL may
  lose the last commits on power loss; FULL fsyncs the WAL on every commit, ~0.1 ms);
- foreign keys are enforced on every connection;
- `data_version` grows after every committed write, so a figure derived from the data
  (the tab counts) can be kept until the data changes (`memo`);
- `auto_vacuum = INCREMENTAL`: pages freed by the retention sweep are given back to the
  file system a few hundred at a time (`retention.reclaim_space`), never by a blocking
  full `VACUUM`. A new file gets it before its first table; a file made by an older
  version is converted once, at open, by one `VACUUM` (which cannot run inside a
  migration's transaction); the WAL is kept to `JOURNAL_SIZE_LIMIT` after checkpoints.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from .migrations import migrate

BUSY_TIMEOUT_MS = 10_000
AUTO_VACUUM_INCREMENTAL = 2
JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024

T = TypeVar("T")


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN / COMMIT ourselves, Python never does it
    # implicitly. check_same_thread=False because the writer connection is shared
    # under a lock and read connections are closed from the closing thread.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


class LocalDb:
    """A handle on the device's database file; share one per process."""

    def __init__(self, path: Path, writer: sqlite3.Connection) -> None:
        self.path = path
        self._writer = writer
        self._write_lock = threading.RLock()
        self._writer_thread: int | None = None
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        self._version = 0
        self._memo: dict[str, tuple[int, Any]] = {}
        self._memo_lock = threading.Lock()

    @property
    def data_version(self) -> int:
        """A number that changes after every committed write through this handle."""
        return self._version

    def memo(
        self,
        key: str,
        build: Callable[[sqlite3.Connection], T],
        still_valid: Callable[[T], bool] = lambda _v: True,
    ) -> T:
        """`build(conn)` on a read snapshot, reused until the next committed write (or
        until `still_valid(value)` says otherwise, e.g. when the clock matters too).

        The version is read before the snapshot opens: a write that commits while
        `build` runs leaves the stored value one version behind, so the next call
        rebuilds it (a value is never newer-labelled than its data).
        """
        version = self._version
        with self._memo_lock:
            hit = self._memo.get(key)
        if hit is not None and hit[0] == version and still_valid(hit[1]):
            return hit[1]  # type: ignore[no-any-return]
        with self.read() as conn:
            value = build(conn)
        with self._memo_lock:
            self._memo[key] = (version, value)
        return value

    @classmethod
    def open(cls, path: str | Path) -> LocalDb:
        """Open (creating if needed) and migrate the database at `path`."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = _connect(path)
        try:
            # Before the first table of a new file (a no-op on an existing one).
            writer.execute(f"PRAGMA auto_vacuum = {AUTO_VACUUM_INCREMENTAL}")
            mode = writer.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. a read-only medium
                raise sqlite3.OperationalError(f"cannot enable WAL, journal_mode={mode}")
            writer.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
            migrate(writer)
            if writer.execute("PRAGMA auto_vacuum").fetchone()[0] != AUTO_VACUUM_INCREMENTAL:
                writer.execute("VACUUM")  # once: a file from before incremental vacuum
        except BaseException:
            writer.close()
            raise
        return cls(path, writer)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT), serialised process-wide.

        Re-entrant on the same thread: a nested `write()` joins the outer transaction.
        """
        self._check_open()
        with self._write_lock:
            conn = self._writer
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            self._writer_thread = threading.get_ident()
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                self._writer_thread = None
                # Also after a rollback: a half-run build may have read the failed
                # transaction's rows through the writer connection.
                self._version += 1

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction on this thread's own connection (a consistent snapshot)."""
        self._check_open()
        if self._writer_thread == threading.get_ident():
            # Inside a write on this thread: read what the transaction sees.
            yield self._writer
            return
        conn = self._reader()
        if conn.in_transaction:  # nested read: reuse the snapshot
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def compact(self) -> None:
        """Rewrite the file without free pages and empty the WAL (after a wipe, so
        deleted rows do not linger on disk)."""
        self._check_open()
        with self._write_lock:
            self._writer.execute("VACUUM")
            self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def checkpoint(self) -> None:
        """Copy the WAL into the file without waiting for readers (PASSIVE): pages the
        sweep gave back leave the file once the WAL's truncation reaches it."""
        self._check_open()
        with self._write_lock:
            self._writer.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path)
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def _check_open(self) -> None:
        if self._closed:
            raise sqlite3.ProgrammingError("the device database is closed")

    def close(self) -> None:
        with self._write_lock:
            if self._closed:
                return
            self._closed = True
            with self._readers_lock:
                for conn in self._readers:
                    conn.close()
                self._readers.clear()
            self._writer.close()

    def __enter__(self) -> LocalDb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
