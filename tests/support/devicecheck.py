"""The device database's invariants, read straight from the SQLite file.

Called after every SIGKILL and after every step of the state machine. It opens its own
plain `sqlite3` connection (no migration, no write), so it sees exactly what a restarted
app would find on disk. `check_device(path)` raises `AssertionError` naming the first
broken invariant and returns the facts the scenarios then compare with the server:

1. `PRAGMA integrity_check` is ok and `PRAGMA foreign_key_check` is empty;
2. every local action has its outbox entry and every outbox entry its local change:
   an unsent or applied entry has exactly one local timeline entry (same report, same
   action); a rejected entry has none and a needs-attention item instead;
3. each report's `pending` marker equals its number of unsent entries, and a report
   with unsent entries is still on the device;
4. an unsent entry that references a photo has the photo's row on that report and the
   file on disk, whose bytes hash to the sha256 the server will be asked for;
5. per-device sequence numbers are below `next_seq` (they only grow).

A worker killed before its first migration committed leaves no file, an empty one, or
one without the schema: the first migration is one transaction (tables and the
`sync_state` row together), so then none of its tables may exist, and the device holds
nothing yet (`DeviceFacts.nothing()`). The next start migrates it from scratch.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

UNSENT = ("pending", "sent", "held")
# The tables of the first migration (local_db/migrations.py, 0001_core).
CORE_TABLES = frozenset(
    {"reports", "timeline", "photos", "outbox", "attention", "sync_state", "account", "colleagues"}
)


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    device_id: str
    outbox: dict[str, dict[str, Any]]  # id -> row
    unsent: frozenset[str]
    attention: int
    device_photos: dict[str, str]  # sha256 -> local path (device-taken photos)

    @classmethod
    def nothing(cls) -> DeviceFacts:
        """A device whose first migration never committed: no id, no work yet."""
        return cls("", {}, frozenset(), 0, {})


def _photo_sha(payload: dict[str, Any]) -> str | None:
    photo = payload.get("photo")
    if isinstance(photo, dict) and isinstance(photo.get("sha256"), str):
        return str(photo["sha256"]).lower()
    return None


def _hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_device(path: Path, *, hash_files: bool = True) -> DeviceFacts:
    import json

    if not path.exists():
        return DeviceFacts.nothing()  # killed before the database file was created
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        assert integrity == ["ok"], f"integrity_check: {integrity}"
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        assert not fk, f"foreign_key_check: {[tuple(r) for r in fk]}"

        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "sync_state" not in tables:
            half = sorted(tables & CORE_TABLES)
            assert not half, f"the first migration is half applied: {half} without sync_state"
            return DeviceFacts.nothing()

        state = conn.execute("SELECT device_id, next_seq FROM sync_state").fetchone()
        outbox = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM outbox")}
        local_tl = Counter(
            (r["mutation_id"], r["report_id"], r["event"])
            for r in conn.execute(
                "SELECT mutation_id, report_id, event FROM timeline WHERE mutation_id IS NOT NULL"
            )
        )
        attention_ids = {
            r[0]
            for r in conn.execute("SELECT mutation_id FROM attention WHERE mutation_id IS NOT NULL")
        }
        for mid, row in outbox.items():
            n = local_tl[(mid, row["report_id"], row["action"])]
            if row["state"] == "rejected":
                assert n == 0, f"rejected {mid} still has {n} local timeline entries"
                assert mid in attention_ids, f"rejected {mid} is not in needs-attention"
            else:
                assert n == 1, f"{row['state']} {row['action']} {mid}: {n} local timeline entries"
            assert row["device_seq"] < state["next_seq"], f"seq {row['device_seq']} >= next_seq"
        stray = [k for k in local_tl if k[0] not in outbox]
        assert not stray, f"local timeline entries without their outbox entry: {stray}"

        unsent = {mid for mid, r in outbox.items() if r["state"] in UNSENT}
        by_report = Counter(outbox[mid]["report_id"] for mid in unsent)
        reports = {r["id"]: r["pending"] for r in conn.execute("SELECT id, pending FROM reports")}
        for rid, n in by_report.items():
            assert rid in reports, f"report {rid} with {n} unsent actions left the device"
        for rid, pending in reports.items():
            assert pending == by_report.get(rid, 0), (
                f"report {rid}: pending={pending}, unsent outbox entries={by_report.get(rid, 0)}"
            )

        photos = {
            (r["report_id"], r["sha256"]): r
            for r in conn.execute("SELECT * FROM photos WHERE origin = 'device'")
        }
        for mid in unsent:
            row = outbox[mid]
            sha = _photo_sha(json.loads(row["payload"]))
            if sha is None:
                continue
            photo = photos.get((row["report_id"], sha))
            assert photo is not None, f"unsent {mid} references photo {sha} with no row"
            local = photo["local_path"]
            assert local and Path(local).exists(), f"photo file of {sha} missing: {local}"
            if hash_files:
                assert _hash(local) == sha, f"photo file {local} does not hash to {sha}"
        device_photos = {sha: str(r["local_path"]) for (_, sha), r in photos.items()}
        attention = conn.execute("SELECT COUNT(*) FROM attention").fetchone()[0]
        return DeviceFacts(
            state["device_id"], outbox, frozenset(unsent), int(attention), device_photos
        )
    finally:
        conn.close()
