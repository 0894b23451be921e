"""The retention policy: what the device may forget, and the sweep that forgets it.

A phone is not an archive: the server holds every report and every photo. The device
keeps what the officer needs offline and lets go of what the server can give back.

What the sweep removes (`sweep_storage`):
1. reports that left the user's scope, and done reports (selesai / ditutup /
   koordinasi) not changed for `done_days`, with their rows and photo files — when
   nothing unsent and no needs-attention item refers to them;
2. full-size photo files the server holds, of reports that are done or out of scope
   or older than `full_photo_days` (the officer's own counted from when they were
   attached on this device, others' from their capture; the row stays: the photo is fetched again
   on demand, as any photo the device did not take); then, while the full-size files
   still take more than `photo_cache_mb`, the oldest such files of any report. A small
   thumbnail (`thumbs/<sha256>.jpg`) is made first and stays, so the report remains
   readable offline;
3. orphan files: a content-addressed photo or thumbnail no row refers to (a kill
   between writing a file and committing its row, a report removed by a pull) and
   partial `.part` files, once older than `orphan_grace_s` (a capture in flight
   writes its file a moment before its row).

Never removed, whatever the policy says:
- anything with unsent work: a report with an unsent outbox entry or a device photo
  not fully uploaded, or with a needs-attention item;
- a photo file not confirmed byte-identical on the server: a device photo counts only
  once its upload completed (the server checked the bytes against the sha256 that
  names them) AND the server's snapshot lists it; the local file must still hash to
  its name (a damaged copy is not what the server holds);
- anything of a report on screen (`OnScreen.pin`).

Invariants of the sweep:
- small transactions: one report, or one photo file, per write transaction, each
  re-checking the rules under the write lock just before it deletes (an action or a
  pull that came in meanwhile wins); the longest is measured (`SweepReport`);
- a file is unlinked inside the transaction that makes it unneeded, before COMMIT: a
  kill leaves either the rows and their files, or the rows without files the server
  holds (the "fetch again" state), or neither — never a file without a row;
- space is reclaimed incrementally (`auto_vacuum = INCREMENTAL`, freed pages given back
  a few hundred at a time), never by a blocking full `VACUUM`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from .codec import dt_out
from .connection import LocalDb
from .reports import delete_report, unsent_on
from .rows import Bucket, OutboxState, UploadState

log = logging.getLogger(__name__)

THUMB_DIR = "thumbs"
VACUUM_STEP_PAGES = 32  # pages given back per transaction (128 KiB at 4 KiB pages)
_SHA_NAME = re.compile(r"^([0-9a-f]{64})\.jpg$")
_HASH_CHUNK = 1024 * 1024

# Makes the thumbnail of `source` at `target` (atomically); raises on a bad file.
ThumbMaker = Callable[[Path, Path], None]


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long the device keeps what the server also holds (`[storage]` in flet.toml)."""

    done_days: int = 30  # done reports, counted from their last change on the server
    full_photo_days: int = 7  # full-size photo files the server holds
    photo_cache_mb: float = 200  # cap on full-size photo files (oldest go first)
    low_storage_mb: int = 300  # free space below which a capture sweeps first
    orphan_grace_s: float = 600.0  # a file without a row younger than this is in flight


class OnScreen:
    """Reports a screen shows now: the sweep leaves them (and their files) alone.

    Thread-safe; a report may be pinned by several screens (two tabs)."""

    def __init__(self) -> None:
        self._pins: Counter[str] = Counter()
        self._lock = threading.Lock()

    def pin(self, report_id: str) -> Callable[[], None]:
        """Pin `report_id`; returns the function that unpins it (idempotent)."""
        with self._lock:
            self._pins[report_id] += 1
        done = False

        def unpin() -> None:
            nonlocal done
            with self._lock:
                if done:
                    return
                done = True
                self._pins[report_id] -= 1
                if self._pins[report_id] <= 0:
                    del self._pins[report_id]

        return unpin

    def ids(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._pins)


@dataclass(slots=True)
class SweepReport:
    reports_removed: int = 0
    photos_removed: int = 0  # full-size files (their rows stay)
    thumbs_made: int = 0
    orphans_removed: int = 0
    bytes_freed: int = 0
    pages_reclaimed: int = 0
    transactions: int = 0
    longest_tx_ms: float = 0.0  # wall clock, write lock taken to COMMIT done
    longest_tx_cpu_ms: float = 0.0
    kept_damaged: int = 0  # local copies that do not hash to their name: kept
    tx_ms: list[float] = field(default_factory=list, repr=False)
    # The longest transaction of each step: report, photo, orphan, vacuum.
    longest_by_kind: dict[str, float] = field(default_factory=dict)


def thumb_path(photo_dir: Path, sha256: str) -> Path:
    return Path(photo_dir) / THUMB_DIR / f"{sha256}.jpg"


# A sha256 whose rows forbid removing its file: unsent, not confirmed on the server,
# its report busy (unsent work, needs-attention). Shared by the plan and the re-check.
_BLOCKED = f"""
    (p.origin = 'device' AND (p.upload_state != '{UploadState.DONE.value}' OR p.on_server = 0))
    OR r.pending > 0
    OR EXISTS (SELECT 1 FROM attention a WHERE a.report_id = p.report_id)
    OR EXISTS (SELECT 1 FROM outbox o WHERE o.report_id = p.report_id
               AND o.state IN ('{OutboxState.PENDING.value}', '{OutboxState.SENT.value}',
                               '{OutboxState.HELD.value}'))
"""


# A photo's age: the officer's own from when it was attached on this device (a gallery
# pick may carry an old capture time), anyone else's from its capture on the server.
_PHOTO_AGE = (
    "CASE WHEN p.origin = 'device' THEN p.created_at ELSE COALESCE(p.captured_at, p.created_at) END"
)


def sweep_storage(
    db: LocalDb,
    photo_dir: Path,
    policy: RetentionPolicy,
    now: datetime,
    *,
    on_screen: OnScreen | None = None,
    make_thumb: ThumbMaker | None = None,
    stop: threading.Event | None = None,
) -> SweepReport:
    """Apply `policy` once (see the module docstring); safe to kill at any moment."""
    photo_dir = Path(photo_dir)
    pins = on_screen or OnScreen()
    out = SweepReport()
    halted = stop.is_set if stop is not None else (lambda: False)
    for report_id in _reports_to_remove(db, policy, now):
        if halted():
            return out
        _remove_report(db, photo_dir, report_id, pins, out)
    for sha in _photos_to_evict(db, photo_dir, policy, now, pins, out):
        if halted():
            return out
        _evict_photo(db, photo_dir, sha, pins, make_thumb, out)
    if not halted():
        remove_orphans(db, photo_dir, policy.orphan_grace_s, out)
    if not halted():
        reclaim_space(db, out, stop)
    return out


@contextmanager
def _timed_write(db: LocalDb, out: SweepReport, kind: str) -> Iterator[sqlite3.Connection]:
    """A write transaction whose length (lock taken to commit) is recorded."""
    with db.write() as conn:
        started, cpu = time.perf_counter(), time.thread_time()
        yield conn
    ms = (time.perf_counter() - started) * 1000
    # CPU time of this thread alone: without the waits for a loaded CPU (or the GIL).
    out.longest_tx_cpu_ms = max(out.longest_tx_cpu_ms, (time.thread_time() - cpu) * 1000)
    out.transactions += 1
    out.tx_ms.append(ms)
    out.longest_tx_ms = max(out.longest_tx_ms, ms)
    out.longest_by_kind[kind] = max(out.longest_by_kind.get(kind, 0.0), ms)


# --- 1. reports ----------------------------------------------------------------------


def _reports_to_remove(db: LocalDb, policy: RetentionPolicy, now: datetime) -> list[str]:
    cutoff = dt_out(now - timedelta(days=policy.done_days))
    with db.read() as conn:
        rows = conn.execute(
            "SELECT id FROM reports WHERE pending = 0 AND (in_scope = 0 "
            "OR (bucket = ? AND COALESCE(updated_at, received_at) < ?)) "
            "AND NOT EXISTS (SELECT 1 FROM attention a WHERE a.report_id = reports.id) "
            "ORDER BY COALESCE(updated_at, received_at)",
            (Bucket.CLOSED, cutoff),
        ).fetchall()
    return [r["id"] for r in rows]


def _remove_report(
    db: LocalDb, photo_dir: Path, report_id: str, pins: OnScreen, out: SweepReport
) -> None:
    with _timed_write(db, out, "report") as conn:
        if report_id in pins.ids():
            return
        busy = conn.execute(
            "SELECT pending > 0 OR EXISTS (SELECT 1 FROM attention WHERE report_id = ?) "
            "FROM reports WHERE id = ?",
            (report_id, report_id),
        ).fetchone()
        if busy is None or busy[0] or unsent_on(conn, report_id):
            return
        photos = conn.execute(
            "SELECT sha256, local_path FROM photos WHERE report_id = ?", (report_id,)
        ).fetchall()
        delete_report(conn, report_id)
        for p in photos:
            still = conn.execute(
                "SELECT 1 FROM photos WHERE sha256 = ? LIMIT 1", (p["sha256"],)
            ).fetchone()
            if still is None:  # no other report holds these bytes: the files go too
                out.bytes_freed += _unlink_all(photo_dir, p["sha256"], [p["local_path"]])
                out.bytes_freed += _unlink(thumb_path(photo_dir, p["sha256"]))
        out.reports_removed += 1


# --- 2. photo files ------------------------------------------------------------------


def _photos_to_evict(
    db: LocalDb,
    photo_dir: Path,
    policy: RetentionPolicy,
    now: datetime,
    pins: OnScreen,
    out: SweepReport,
) -> list[str]:
    """The sha256s whose full-size files may go, by rule first, then oldest first
    while the files exceed the cache cap."""
    cutoff = dt_out(now - timedelta(days=policy.full_photo_days))
    with db.read() as conn:
        rows = conn.execute(
            f"""
            SELECT p.sha256,
                   MAX({_PHOTO_AGE}) AS newest,
                   SUM(r.bucket = {Bucket.OPEN} AND {_PHOTO_AGE} >= ?) AS keep,
                   GROUP_CONCAT(p.report_id, ' ') AS reports,
                   GROUP_CONCAT(p.local_path, '\n') AS paths
            FROM photos p JOIN reports r ON r.id = p.report_id
            GROUP BY p.sha256
            HAVING SUM({_BLOCKED}) = 0
            ORDER BY newest
            """,
            (cutoff,),
        ).fetchall()
    pinned = pins.ids()
    by_rule: list[str] = []
    by_age: list[tuple[str, int]] = []
    for r in rows:
        if pinned.intersection(r["reports"].split(" ")):
            continue
        size = _present_size(photo_dir, r["sha256"], (r["paths"] or "").split("\n"))
        if size == 0:
            continue  # nothing on disk: already evicted, or never fetched
        if r["keep"] == 0:
            by_rule.append(r["sha256"])
        else:
            by_age.append((r["sha256"], size))
    total = _full_size_bytes(photo_dir)
    cap = policy.photo_cache_mb * 1024 * 1024
    chosen = set(by_rule)
    for sha in by_rule:
        total -= _present_size(photo_dir, sha, [])
    evict = list(by_rule)
    for sha, size in by_age:  # oldest first
        if total <= cap:
            break
        if sha not in chosen:
            evict.append(sha)
            total -= size
    return evict


def _evict_photo(
    db: LocalDb,
    photo_dir: Path,
    sha: str,
    pins: OnScreen,
    make_thumb: ThumbMaker | None,
    out: SweepReport,
) -> None:
    paths = _paths_of(db, photo_dir, sha)
    present = [p for p in paths if p.is_file()]
    if not present:
        return
    # Outside the lock: hashing and thumbnailing take milliseconds each.
    if any(_sha_of(p) != sha for p in present):
        out.kept_damaged += 1
        log.warning("photo %s: the local copy does not hash to its name; kept", sha[:12])
        return
    thumb = thumb_path(photo_dir, sha)
    if make_thumb is not None and not thumb.is_file():
        try:
            thumb.parent.mkdir(parents=True, exist_ok=True)
            make_thumb(present[0], thumb)
            out.thumbs_made += 1
        except Exception as exc:  # no thumbnail: the full-size file stays
            log.warning("photo %s: no thumbnail (%s); kept", sha[:12], exc)
            return
    with _timed_write(db, out, "photo") as conn:
        blocked = conn.execute(
            f"SELECT COALESCE(SUM({_BLOCKED}), 0), GROUP_CONCAT(p.report_id, ' ') "
            "FROM photos p JOIN reports r ON r.id = p.report_id WHERE p.sha256 = ?",
            (sha,),
        ).fetchone()
        if blocked[0] or blocked[1] is None:
            return
        if pins.ids().intersection(blocked[1].split(" ")):
            return
        freed = sum(_unlink(p) for p in present)
    if freed:
        out.photos_removed += 1
        out.bytes_freed += freed


def _paths_of(db: LocalDb, photo_dir: Path, sha: str) -> list[Path]:
    with db.read() as conn:
        rows = conn.execute(
            "SELECT DISTINCT local_path FROM photos WHERE sha256 = ? AND local_path IS NOT NULL",
            (sha,),
        ).fetchall()
    return _candidates(photo_dir, sha, [r[0] for r in rows])


def _candidates(photo_dir: Path, sha: str, local_paths: Collection[str | None]) -> list[Path]:
    paths = {Path(photo_dir) / f"{sha}.jpg"}
    paths.update(Path(p) for p in local_paths if p)
    return sorted(paths)


def _present_size(photo_dir: Path, sha: str, local_paths: Collection[str | None]) -> int:
    total = 0
    for p in _candidates(photo_dir, sha, local_paths):
        try:
            total += p.stat().st_size
        except OSError:
            continue
    return total


def _full_size_bytes(photo_dir: Path) -> int:
    total = 0
    try:
        entries = list(os.scandir(photo_dir))
    except OSError:
        return 0
    for e in entries:
        if _SHA_NAME.match(e.name) and e.is_file():
            total += e.stat().st_size
    return total


def _sha_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _unlink(path: Path) -> int:
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        return 0
    return size


def _unlink_all(photo_dir: Path, sha: str, local_paths: Collection[str | None]) -> int:
    return sum(_unlink(p) for p in _candidates(photo_dir, sha, local_paths))


# --- 3. orphans ----------------------------------------------------------------------


def remove_orphans(
    db: LocalDb, photo_dir: Path, grace_s: float, out: SweepReport | None = None
) -> int:
    """Remove photo files and thumbnails no row refers to, and partial files, older
    than `grace_s`; returns how many. Each file is re-checked under the write lock."""
    out = out if out is not None else SweepReport()
    photo_dir = Path(photo_dir)
    now = time.time()
    found: list[tuple[Path, str | None]] = []
    for folder in (photo_dir, photo_dir / THUMB_DIR):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            m = _SHA_NAME.match(e.name)
            partial = e.name.startswith(".") and e.name.endswith(".part")
            if not (m or partial) or not e.is_file():
                continue
            try:
                if now - e.stat().st_mtime < grace_s:
                    continue
            except OSError:
                continue
            found.append((Path(e.path), m.group(1) if m else None))
    if not found:
        return 0
    with db.read() as conn:
        known = {r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM photos")}
    removed = 0
    for path, sha in found:
        if sha is not None and sha in known:
            continue
        with _timed_write(db, out, "orphan") as conn:
            if (
                sha is not None
                and conn.execute("SELECT 1 FROM photos WHERE sha256 = ? LIMIT 1", (sha,)).fetchone()
            ):
                continue
            freed = _unlink(path)
        if freed or sha is None:
            removed += 1
            out.bytes_freed += freed
    out.orphans_removed += removed
    return removed


# --- 4. space inside the database file -----------------------------------------------


def reclaim_space(
    db: LocalDb, out: SweepReport | None = None, stop: threading.Event | None = None
) -> int:
    """Give the database's free pages back to the file system, `VACUUM_STEP_PAGES` per
    transaction (`auto_vacuum = INCREMENTAL`); returns the pages reclaimed."""
    out = out if out is not None else SweepReport()
    reclaimed = 0
    while stop is None or not stop.is_set():
        with _timed_write(db, out, "vacuum") as conn:
            free = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
            if free == 0 or int(conn.execute("PRAGMA auto_vacuum").fetchone()[0]) != 2:
                break
            step = min(free, VACUUM_STEP_PAGES)
            for _ in range(step):  # one page per step: see docs/sync.md
                conn.execute("PRAGMA incremental_vacuum(1)")
            reclaimed += step
    # The file shrinks when SQLite's automatic checkpoint copies the WAL back; an
    # explicit one here would hold the write lock for the whole copy.
    out.pages_reclaimed += reclaimed
    return reclaimed
