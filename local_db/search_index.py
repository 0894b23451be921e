"""The full-text search index (`reports_fts`) and when it is kept row by row.

`reports_fts` is an FTS5 table over the `reports` rows (external content), kept by
triggers on every insert, delete and searched-column update. Row by row is right for
the few reports a normal pull changes, but a full resync (the first sync of a device,
or after the server refused its cursor) rewrites every report, and there the triggers
cost more than everything else of the page apply together: per row, FTS5 updates its
index through the virtual-table layer, while one `rebuild` reads the content table in
a single pass (measured on 10,000 reports: 2.0 s of triggers against 0.2 s of rebuild,
`bench/sync_scale.py`).

Invariants:
- while a resync is open (`sync_state.sweep_pending = 1`) the triggers do nothing
  (their WHEN clause reads that flag), so the index may lag the rows;
- the flag is cleared only through `local_db.state.end_resync`, which rebuilds the index
  in the same transaction: a resync that ends, is abandoned or is cut by a kill (the
  flag is still set on the next start, and the resync goes on) never leaves an index
  that disagrees with its rows, and FTS5 is never told to delete terms it did not
  index (which would corrupt it);
- a wipe empties the index with the rows (`clear`).
During a resync a search finds only the reports indexed before it began.
"""

from __future__ import annotations

import sqlite3

# The index's table as it is now (migration 0008): words, and prefixes by scanning.
TABLE_SQL = """
    CREATE VIRTUAL TABLE reports_fts USING fts5 (
        title, description, address, tracking_id,
        content = 'reports', content_rowid = 'rid',
        tokenize = 'unicode61 remove_diacritics 2'
    )
"""

# The triggers' condition: no resync is open (also true with no sync_state row).
LIVE = "NOT EXISTS (SELECT 1 FROM sync_state WHERE sweep_pending = 1)"


def rebuild(conn: sqlite3.Connection) -> None:
    """Index every report again from the rows, in one pass."""
    conn.execute("INSERT INTO reports_fts (reports_fts) VALUES ('rebuild')")


def clear(conn: sqlite3.Connection) -> None:
    """Empty the index (the rows are gone too)."""
    conn.execute("INSERT INTO reports_fts (reports_fts) VALUES ('delete-all')")


def consistent(conn: sqlite3.Connection) -> bool:
    """Whether the index matches the rows exactly (FTS5's own check against the content
    table; for tests and diagnostics, it reads the whole index)."""
    try:
        conn.execute("INSERT INTO reports_fts (reports_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError:
        return False
    return True


def triggers_sql(when: str | None) -> tuple[str, ...]:
    """The three triggers that keep the index, each guarded by `when` if given."""
    guard = f"WHEN {when} " if when else ""
    return (
        f"""
        CREATE TRIGGER reports_fts_insert AFTER INSERT ON reports {guard}BEGIN
            INSERT INTO reports_fts (rowid, title, description, address, tracking_id)
            VALUES (new.rid, new.title, new.description, new.address, new.tracking_id);
        END
        """,
        f"""
        CREATE TRIGGER reports_fts_delete AFTER DELETE ON reports {guard}BEGIN
            INSERT INTO reports_fts (reports_fts, rowid, title, description, address,
                                     tracking_id)
            VALUES ('delete', old.rid, old.title, old.description, old.address,
                    old.tracking_id);
        END
        """,
        # Only the searched columns: the sync engine rewrites status columns often.
        f"""
        CREATE TRIGGER reports_fts_update
        AFTER UPDATE OF title, description, address, tracking_id ON reports {guard}BEGIN
            INSERT INTO reports_fts (reports_fts, rowid, title, description, address,
                                     tracking_id)
            VALUES ('delete', old.rid, old.title, old.description, old.address,
                    old.tracking_id);
            INSERT INTO reports_fts (rowid, title, description, address, tracking_id)
            VALUES (new.rid, new.title, new.description, new.address, new.tracking_id);
        END
        """,
    )
