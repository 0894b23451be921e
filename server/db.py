"""Engines and transactions for the central database (SQLite or PostgreSQL).

Invariants:
- one connection and one transaction per unit of work (a request; a push batch is one,
  with a savepoint per mutation); nothing keeps a connection between requests, so a failed request can never
  leave a shared connection mid-transaction;
- SQLite: WAL, foreign keys on, a busy timeout, and write transactions opened with
  `BEGIN IMMEDIATE` so concurrent writers queue on the lock instead of failing when a
  deferred reader tries to upgrade (Datasette's one-writer discipline);
- PostgreSQL: rows a mutation depends on are locked with `SELECT ... FOR UPDATE`, and
  feed writers are serialised by a transaction-scoped advisory lock (`lock_feed`), so
  feed sequence numbers become visible in commit order and a reader can never see seq
  11 before seq 10 commits and then advance its cursor past 10.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Arbitrary constant naming the feed writers' advisory lock ("TINDAKFD").
FEED_LOCK_KEY = 0x54494E44414B4644 & 0x7FFFFFFFFFFFFFFF

_BEGIN_OPTION = "tindak_sqlite_begin"


def normalise_url(db_url: str) -> str:
    """Accept plain `postgresql://` / `postgres://` URLs and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if db_url.startswith(prefix):
            return "postgresql+psycopg://" + db_url[len(prefix) :]
    return db_url


def ensure_sqlite_parent(db_url: str) -> None:
    """Create the folder of a file-backed SQLite URL (relative paths are from the cwd)."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix):
        return
    path = db_url[len(prefix) :].split("?", 1)[0]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def make_engine(db_url: str, *, echo: bool = False) -> Engine:
    url = normalise_url(db_url)
    if url.startswith("sqlite"):
        ensure_sqlite_parent(url)
        return _sqlite_engine(url, echo)
    return create_engine(
        url,
        echo=echo,
        pool_size=8,
        max_overflow=16,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


# A city-size file (100,000 reports is ~150 MB) read by id from snapshot pages: with
# SQLite's default 2 MB page cache, every page of 500 reports missed the cache and the
# cost per page grew with the file. Read through a memory map (no copy per page) and a
# larger cache per connection, the cost stays flat (`bench/bench_sync.py --scale`).
SQLITE_CACHE_KIB = 65_536
SQLITE_MMAP_BYTES = 1 << 30


def _sqlite_engine(url: str, echo: bool) -> Engine:
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own implicit
        # BEGIN is always DEFERRED).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _use_wal(cur)
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cur.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _use_wal(cur: sqlite3.Cursor) -> None:
    """Put the file in WAL mode (it stays so: later connections find it done).

    The switch needs the file to itself, and while another connection holds a write
    transaction on a file not yet in WAL mode, SQLite refuses it at once ("database is
    locked") instead of waiting out the busy timeout. Processes and threads opening a new
    file together (workers starting, migrations racing) hit that; they wait here too.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed on success, rolled back on any exception."""
    with engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read-only unit of work (a deferred transaction on SQLite: readers never queue)."""
    with engine.connect() as conn:
        if is_sqlite(conn):
            conn = conn.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
        with conn.begin():
            yield conn


_FEED_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def lock_feed(conn: Connection) -> None:
    """Serialise feed writers until this transaction ends (PostgreSQL; SQLite's
    `BEGIN IMMEDIATE` already admits one writer at a time)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_FEED_LOCK, {"key": FEED_LOCK_KEY})


def dispose(engine: Engine) -> None:
    engine.dispose()
