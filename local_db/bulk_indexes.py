"""The reports table's secondary indexes: dropped for a full resync, built once at its end.

A full resync (a device's first sync, or after the server refused its cursor) writes
every report the user may see. Kept up row by row, the six secondary indexes of
`reports` (queue, stage, status, open stages, retention, tracking id) cost as much as
the rest of the page apply together and grow with the file: at 100,000 reports, 17 s of
a 37 s apply, against 1.5 s to build all six once from the finished table
(`bench/bench_sync.py --scale`). So a resync drops them when it begins and creates them
again when it ends (`local_db.state.begin_resync` / `end_resync`).

Invariants:
- `defer` saves each index's own CREATE statement (from `sqlite_master`) in
  `deferred_index` and drops it, in the resync's first transaction; `restore` runs the
  saved statements and forgets them, in the transaction that ends the resync: the schema
  after a resync is the schema before it, whatever migrations made it, and a kill in
  between leaves the statements saved for the resync's end on the next start;
- the UNIQUE index on `reports.id` (the upsert's conflict target) and the other tables'
  indexes are never dropped: the page apply itself reads them;
- every query stays correct while the indexes are away, only slower (the table is
  read instead); a query that names an index (`INDEXED BY`, where SQLite's planner
  would choose badly) takes its clause from `indexed_by`, which is empty meanwhile.
A migration that changes one of these indexes must create it only if it is not
deferred (or end an open resync first).
"""

from __future__ import annotations

import sqlite3

SORT_THREADS = 4


def defer(conn: sqlite3.Connection) -> int:
    """Save and drop the reports table's secondary indexes; returns how many."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reports' "
        "AND sql IS NOT NULL"  # no SQL: the UNIQUE constraint's own index, which stays
    ).fetchall()
    for name, sql in rows:
        conn.execute("INSERT OR REPLACE INTO deferred_index (name, sql) VALUES (?, ?)", (name, sql))
        conn.execute(f'DROP INDEX "{name}"')
    return len(rows)


def restore(conn: sqlite3.Connection) -> int:
    """Create every deferred index again (one sort of the table each); returns how many."""
    rows = conn.execute("SELECT name, sql FROM deferred_index").fetchall()
    # Let SQLite sort each index with helper threads (this connection's setting; it
    # only matters for big sorts): 1.5 s -> 1.2 s for six indexes over 100k reports.
    conn.execute(f"PRAGMA threads = {SORT_THREADS}")
    for name, sql in rows:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        ).fetchone()
        if exists is None:
            conn.execute(sql)
    conn.execute("DELETE FROM deferred_index")
    return len(rows)


def indexed_by(conn: sqlite3.Connection, name: str) -> str:
    """`INDEXED BY name`, or nothing while that index is deferred."""
    deferred = conn.execute("SELECT 1 FROM deferred_index WHERE name = ?", (name,)).fetchone()
    return "" if deferred else f"INDEXED BY {name}"
