"""Versioned schema migrations of the device database.

Invariants:
- migrations are only ever appended: an app update runs the new ones on top of the
  user's existing file, each in one transaction together with its record in
  `_sqlite_migrations` (sqlite-utils `Migrations`), so a kill mid-upgrade leaves the
  previous version intact and the next start retries; sqlite-utils is kept for exactly
  that (a versioned, transactional, recorded migration set) and used through its public
  API only (`Migrations`, `pending`, `applied`, `apply`);
- a file that records migrations this version does not know is refused
  (`SchemaTooNew`) instead of being written by older code;
- no migration ever drops a user's unsent work (outbox, device photos, needs-attention).

Versions:
1. the core tables: reports, timeline, photos, outbox, attention, sync_state, account,
   colleagues, with the queue indexes;
2. full-text search over reports (FTS5, external content, kept by triggers) and the
   tracking-id index, built from the rows already present;
3. the open reports' stages and deadlines in one covering index, which the tab counts
   (per-stage overdue) read once per data version;
4. the rework state of the displayed report (`sent_back_at`, `awaiting_new_after_photo`,
   `photo_shas`), filled from each row's stored snapshot;
5. the retention sweep's index (done reports by their last change). The switch to
   `auto_vacuum = INCREMENTAL` goes with it but cannot run inside a transaction:
   `LocalDb.open` converts a file made before it once, with one `VACUUM`;
6. a photo's evidence facts: its source (camera / gallery), when the server linked it
   to the report and the server's flags (JSON), for the validator;
7. a full resync builds its indexes once, at its end: the search index's triggers idle
   while it is open (`search_index`), and the table where it keeps the secondary indexes
   of `reports` it dropped (`bulk_indexes`).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from functools import cache

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from . import search_index
from .errors import SchemaTooNew

MIGRATIONS = Migrations("tindak_local_db")


def _run(db: Database, *statements: str) -> None:
    for sql in statements:
        db.conn.execute(sql)


@MIGRATIONS(name="0001_core")
def _core(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE reports (
            rid INTEGER PRIMARY KEY,            -- stable rowid for the FTS index
            id TEXT NOT NULL UNIQUE,
            tracking_id TEXT NOT NULL,
            status TEXT NOT NULL,
            category TEXT NOT NULL,
            channel TEXT NOT NULL,
            unit_id TEXT NOT NULL,
            unit_name TEXT NOT NULL DEFAULT '',
            assignee_id TEXT,
            assignee_name TEXT NOT NULL DEFAULT '',
            received_at TEXT NOT NULL,
            sla_days INTEGER NOT NULL,
            deadline TEXT NOT NULL,
            extended_deadline TEXT,
            extension_state TEXT NOT NULL DEFAULT 'none',
            extension_proposed_deadline TEXT,
            extension_reason TEXT NOT NULL DEFAULT '',
            extension_note TEXT NOT NULL DEFAULT '',
            progress_pct INTEGER NOT NULL DEFAULT 0,
            rework_count INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 0,
            server_version INTEGER NOT NULL DEFAULT 0,
            title TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '',
            latitude REAL,
            longitude REAL,
            kelurahan_code TEXT,
            kelurahan TEXT NOT NULL DEFAULT '',
            kecamatan TEXT NOT NULL DEFAULT '',
            kota TEXT NOT NULL DEFAULT '',
            is_public INTEGER NOT NULL DEFAULT 0,
            rating INTEGER,
            photo_kinds TEXT NOT NULL DEFAULT '',
            updated_at TEXT,
            stage TEXT NOT NULL,
            bucket INTEGER NOT NULL,            -- 0 open, 1 closed, 2 out of scope
            in_scope INTEGER NOT NULL DEFAULT 1,
            pending INTEGER NOT NULL DEFAULT 0, -- unsent outbox entries on it
            server_data TEXT NOT NULL,          -- the server's snapshot (wire JSON)
            seen_gen INTEGER NOT NULL DEFAULT 0
        )
        """,
        # The queue: WHERE bucket = 0 ORDER BY deadline, received_at, id (domain.sla).
        "CREATE INDEX reports_queue ON reports (bucket, deadline, received_at, id)",
        "CREATE INDEX reports_stage ON reports (stage, deadline, received_at, id)",
        "CREATE INDEX reports_status ON reports (status, deadline, received_at, id)",
        """
        CREATE TABLE outbox (
            id TEXT PRIMARY KEY,                -- client UUID: the idempotency key
            device_seq INTEGER NOT NULL UNIQUE,
            action TEXT NOT NULL,
            report_id TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL,                -- pending/sent/applied/rejected/held
            hold_reason TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            depends_on TEXT NOT NULL DEFAULT '[]',
            report_version INTEGER,
            result_code TEXT,
            last_error TEXT NOT NULL DEFAULT '',
            sent_at TEXT,
            settled_at TEXT
        )
        """,
        "CREATE INDEX outbox_state ON outbox (state, device_seq)",
        "CREATE INDEX outbox_report ON outbox (report_id, device_seq)",
        """
        CREATE TABLE timeline (
            id INTEGER PRIMARY KEY,
            report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            event TEXT NOT NULL,
            actor_name TEXT NOT NULL DEFAULT '',
            actor_role TEXT NOT NULL DEFAULT '',
            status_from TEXT,
            status_to TEXT,
            note TEXT NOT NULL DEFAULT '',
            percent INTEGER,
            mutation_id TEXT REFERENCES outbox (id) ON DELETE CASCADE
        )
        """,
        "CREATE INDEX timeline_report ON timeline (report_id, at)",
        "CREATE INDEX timeline_mutation ON timeline (mutation_id)",
        """
        CREATE TABLE photos (
            report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
            sha256 TEXT NOT NULL,
            kind TEXT NOT NULL,
            local_path TEXT,
            latitude REAL,
            longitude REAL,
            accuracy_m REAL,
            location_source TEXT NOT NULL DEFAULT 'none',
            captured_at TEXT,
            captured_at_server TEXT,
            width INTEGER NOT NULL DEFAULT 0,
            height INTEGER NOT NULL DEFAULT 0,
            size_bytes INTEGER NOT NULL DEFAULT 0,
            taken_by TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL,               -- device | server
            on_server INTEGER NOT NULL DEFAULT 0,
            upload_state TEXT NOT NULL,         -- pending/uploading/done/failed
            bytes_confirmed INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            PRIMARY KEY (report_id, sha256)
        )
        """,
        "CREATE INDEX photos_upload ON photos (upload_state, created_at)",
        "CREATE INDEX photos_sha ON photos (sha256)",
        """
        CREATE TABLE attention (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            report_id TEXT NOT NULL,
            tracking_id TEXT NOT NULL DEFAULT '',
            report_title TEXT NOT NULL DEFAULT '',
            mutation_id TEXT,
            action TEXT,
            payload TEXT NOT NULL DEFAULT '{}',
            photos TEXT NOT NULL DEFAULT '[]',
            code TEXT NOT NULL,
            message_id TEXT NOT NULL,
            message_en TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX attention_report ON attention (report_id)",
        """
        CREATE TABLE sync_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            device_id TEXT NOT NULL,
            next_seq INTEGER NOT NULL DEFAULT 1,
            cursor TEXT,
            resync_gen INTEGER NOT NULL DEFAULT 0,
            sweep_pending INTEGER NOT NULL DEFAULT 0,
            clock_offset_ms REAL NOT NULL DEFAULT 0,
            clock_rtt_ms REAL,
            clock_measured_at TEXT,
            last_attempt_at TEXT,
            last_success_at TEXT,
            last_error_code TEXT,
            last_error_id TEXT,
            last_error_en TEXT
        )
        """,
        """
        CREATE TABLE account (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            user_id TEXT NOT NULL,
            username TEXT NOT NULL,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            unit_id TEXT,
            unit_name TEXT NOT NULL DEFAULT '',
            server_url TEXT NOT NULL,
            signed_in_at TEXT NOT NULL,
            signed_in INTEGER NOT NULL DEFAULT 1  -- 0 after logout: the data stays theirs
        )
        """,
        """
        CREATE TABLE colleagues (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            unit_id TEXT,
            unit_name TEXT NOT NULL DEFAULT ''
        )
        """,
    )
    db.conn.execute("INSERT INTO sync_state (id, device_id) VALUES (1, ?)", (str(uuid.uuid4()),))


@MIGRATIONS(name="0002_search")
def _search(db: Database) -> None:
    _run(
        db,
        """
        CREATE VIRTUAL TABLE reports_fts USING fts5 (
            title, description, address, tracking_id,
            content = 'reports', content_rowid = 'rid',
            tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
        )
        """,
        *search_index.triggers_sql(None),
        "INSERT INTO reports_fts (reports_fts) VALUES ('rebuild')",
        "CREATE INDEX reports_tracking ON reports (tracking_id)",
    )


@MIGRATIONS(name="0003_open_stage_index")
def _open_stage(db: Database) -> None:
    _run(db, "CREATE INDEX reports_open_stage ON reports (bucket, stage, deadline)")


@MIGRATIONS(name="0004_rework")
def _rework(db: Database) -> None:
    _run(
        db,
        "ALTER TABLE reports ADD COLUMN sent_back_at TEXT",
        "ALTER TABLE reports ADD COLUMN awaiting_new_after_photo INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE reports ADD COLUMN photo_shas TEXT NOT NULL DEFAULT ''",
    )
    # The snapshot already names its photos; the overlay fills the rest on the next
    # recompute (a sync or an action).
    rows = db.conn.execute("SELECT id, server_data FROM reports").fetchall()
    for rid, data in rows:
        photos = json.loads(data).get("photos") or []
        shas = ",".join(sorted(str(p.get("sha256", "")) for p in photos))
        db.conn.execute("UPDATE reports SET photo_shas = ? WHERE id = ?", (shas, rid))


@MIGRATIONS(name="0005_retention")
def _retention(db: Database) -> None:
    _run(db, "CREATE INDEX reports_retention ON reports (bucket, updated_at)")


@MIGRATIONS(name="0006_photo_evidence")
def _photo_evidence(db: Database) -> None:
    _run(
        db,
        "ALTER TABLE photos ADD COLUMN source TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE photos ADD COLUMN added_at TEXT",
        "ALTER TABLE photos ADD COLUMN flags TEXT NOT NULL DEFAULT ''",
    )


@MIGRATIONS(name="0007_resync_builds_indexes_once")
def _resync_builds_indexes_once(db: Database) -> None:
    # The same search triggers, idle while a resync is open (`search_index`): the index
    # is consistent now, and `end_resync` rebuilds it whenever a resync ends. The table
    # where a resync keeps the secondary indexes it dropped (`bulk_indexes`).
    _run(
        db,
        "DROP TRIGGER reports_fts_insert",
        "DROP TRIGGER reports_fts_delete",
        "DROP TRIGGER reports_fts_update",
        *search_index.triggers_sql(search_index.LIVE),
        "CREATE TABLE deferred_index (name TEXT PRIMARY KEY, sql TEXT NOT NULL)",
    )


@MIGRATIONS(name="0008_search_without_prefix_indexes")
def _search_without_prefix_indexes(db: Database) -> None:
    # The search index without FTS5's extra 2- and 3-letter prefix indexes: they
    # tripled the index a resync rebuilds (100,000 reports: 3.3 s -> 1.5 s) for
    # queries that are fast without them (a 2-letter prefix over 100,000 reports:
    # 14-30 ms instead of 7; 3 letters and more: the same). The triggers keep
    # writing to the table of the same name.
    _run(
        db,
        "DROP TABLE reports_fts",
        search_index.TABLE_SQL,
        "INSERT INTO reports_fts (reports_fts) VALUES ('rebuild')",
    )


def migrate(conn: sqlite3.Connection, *, stop_before: str | None = None) -> None:
    """Apply every pending migration (`stop_before` exists for upgrade tests)."""
    db = Database(conn, recursive_triggers=False, execute_plugins=False)
    known = known_migrations()
    unknown = [m.name for m in MIGRATIONS.applied(db) if m.name not in known]
    if unknown:
        raise SchemaTooNew(f"database has migrations unknown to this app: {unknown}")
    MIGRATIONS.apply(db, stop_before=stop_before)


def applied(conn: sqlite3.Connection) -> list[str]:
    return [
        m.name
        for m in MIGRATIONS.applied(Database(conn, recursive_triggers=False, execute_plugins=False))
    ]


@cache
def known_migrations() -> frozenset[str]:
    """The names of this version's migrations, through sqlite-utils' public API only:
    everything is pending on an empty database (read-only: `pending` writes nothing)."""
    empty = Database(memory=True)
    try:
        return frozenset(m.name for m in MIGRATIONS.pending(empty))
    finally:
        empty.close()
