"""Photo rows: the device's own evidence and the server's references.

Invariants:
- a device photo row is written in the same transaction as its ADD_PHOTO outbox entry;
- upload progress is keyed by content (sha256): every row holding the same bytes moves
  together, and `bytes_confirmed` only ever records what the server confirmed;
- a photo the server refuses for good (`failed`) takes the actions that reference it to
  needs-attention; its file is kept;
- a device photo not on its report on the server lives only as long as some unsent
  action or needs-attention item refers to it: when the officer lets the refused
  action go, its row and (once nothing else uses it) its file go too (`release`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from domain import PhotoKind

from . import messages
from .codec import dt_in, dt_out, json_in
from .outbox import reject
from .rows import (
    AttentionKind,
    HoldReason,
    LocalPhoto,
    LocationSource,
    NewPhoto,
    OutboxState,
    PhotoWait,
    UploadState,
)


def photo_from_row(r: sqlite3.Row) -> LocalPhoto:
    return LocalPhoto(
        report_id=r["report_id"],
        sha256=r["sha256"],
        kind=PhotoKind(r["kind"]),
        local_path=r["local_path"],
        latitude=r["latitude"],
        longitude=r["longitude"],
        accuracy_m=r["accuracy_m"],
        location_source=LocationSource(r["location_source"]),
        captured_at=dt_in(r["captured_at"]),
        captured_at_server=dt_in(r["captured_at_server"]),
        width=r["width"],
        height=r["height"],
        size_bytes=r["size_bytes"],
        taken_by=r["taken_by"],
        from_device=r["origin"] == "device",
        on_server=bool(r["on_server"]),
        upload_state=UploadState(r["upload_state"]),
        bytes_confirmed=r["bytes_confirmed"],
        attempts=r["attempts"],
        last_error=r["last_error"],
        source=r["source"],
        added_at=dt_in(r["added_at"]),
        flags=tuple(str(f) for f in json_in(r["flags"]) or ()) if r["flags"] else (),
    )


def insert_device_photo(
    conn: sqlite3.Connection,
    report_id: str,
    photo: NewPhoto,
    captured_at_server: datetime,
    taken_by: str,
    now: datetime,
) -> None:
    already = conn.execute(
        "SELECT MAX(upload_state = ? OR on_server = 1) FROM photos WHERE sha256 = ?",
        (UploadState.DONE.value, photo.sha256),
    ).fetchone()[0]
    state = UploadState.DONE if already else UploadState.PENDING
    conn.execute(
        "INSERT INTO photos (report_id, sha256, kind, local_path, latitude, longitude, "
        "accuracy_m, location_source, captured_at, captured_at_server, width, height, "
        "size_bytes, taken_by, origin, on_server, upload_state, bytes_confirmed, created_at, "
        "source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'device', 0, ?, ?, ?, ?) "
        "ON CONFLICT (report_id, sha256) DO UPDATE SET local_path = excluded.local_path, "
        "kind = excluded.kind",
        (
            report_id,
            photo.sha256,
            photo.kind.value,
            photo.path,
            photo.latitude,
            photo.longitude,
            photo.accuracy_m,
            photo.location_source.value,
            dt_out(photo.captured_at),
            dt_out(captured_at_server),
            photo.width,
            photo.height,
            photo.size_bytes,
            taken_by,
            state.value,
            photo.size_bytes if already else 0,
            dt_out(now),
            photo.source,
        ),
    )


def uploads_due(conn: sqlite3.Connection, now: datetime) -> list[LocalPhoto]:
    """Device photos the server does not hold yet, one per sha256, in the order of the
    actions waiting for them: the photo of the earliest unsent action (by `device_seq`)
    first, so the work held behind it is freed first; photos no action waits for come
    last, oldest first."""
    rows = conn.execute(
        "SELECT photos.*, (SELECT MIN(outbox.device_seq) FROM outbox, "
        "json_each(outbox.depends_on) AS dep WHERE dep.value = photos.sha256 "
        "AND outbox.state IN (?, ?, ?)) AS first_seq "
        "FROM photos WHERE origin = 'device' AND upload_state IN (?, ?) "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
        "ORDER BY first_seq IS NULL, first_seq, created_at",
        (
            OutboxState.PENDING.value,
            OutboxState.SENT.value,
            OutboxState.HELD.value,
            UploadState.PENDING.value,
            UploadState.UPLOADING.value,
            dt_out(now),
        ),
    ).fetchall()
    seen: set[str] = set()
    out: list[LocalPhoto] = []
    for r in rows:
        if r["sha256"] not in seen:
            seen.add(r["sha256"])
            out.append(photo_from_row(r))
    return out


def waiting_actions(conn: sqlite3.Connection) -> list[PhotoWait]:
    """Each device photo not on the server yet that unsent actions wait for, in upload
    order, with the actions waiting for it in device order: the action that names it
    and every later action of the same report (held behind it, per-report order), up to
    the next action naming another photo still to upload. What the sync bar lists."""
    waiting = {
        r[0]
        for r in conn.execute(
            "SELECT sha256 FROM photos WHERE origin = 'device' AND upload_state IN (?, ?)",
            (UploadState.PENDING.value, UploadState.UPLOADING.value),
        )
    }
    if not waiting:
        return []
    rows = conn.execute(
        "SELECT outbox.report_id, outbox.action, outbox.depends_on, "
        "COALESCE(NULLIF(reports.tracking_id, ''), outbox.report_id) AS ref "
        "FROM outbox LEFT JOIN reports ON reports.id = outbox.report_id "
        "WHERE outbox.state IN (?, ?, ?) "
        "AND (outbox.hold_reason IS NULL OR outbox.hold_reason != ?) ORDER BY device_seq",
        (
            OutboxState.PENDING.value,
            OutboxState.SENT.value,
            OutboxState.HELD.value,
            HoldReason.DEPENDS_ON_REJECTED.value,
        ),
    ).fetchall()
    waits: dict[str, PhotoWait] = {}
    behind: dict[str, str] = {}  # report id -> the photo its next actions wait for
    for r in rows:
        named = [sha for sha in json.loads(r["depends_on"] or "[]") if sha in waiting]
        if named:
            behind[r["report_id"]] = named[0]
        sha = behind.get(r["report_id"])
        if sha is None:
            continue
        wait = waits.get(sha) or PhotoWait(sha, r["ref"], ())
        waits[sha] = PhotoWait(sha, wait.report_ref, (*wait.actions, r["action"]))
    return list(waits.values())


def mark_progress(conn: sqlite3.Connection, sha256: str, confirmed: int) -> None:
    conn.execute(
        "UPDATE photos SET upload_state = ?, bytes_confirmed = ?, last_error = '' "
        "WHERE sha256 = ? AND origin = 'device' AND upload_state != ?",
        (UploadState.UPLOADING.value, confirmed, sha256, UploadState.DONE.value),
    )


def mark_done(conn: sqlite3.Connection, sha256: str) -> None:
    """The server holds the bytes: actions waiting on this photo may go."""
    conn.execute(
        "UPDATE photos SET upload_state = ?, bytes_confirmed = size_bytes, last_error = '', "
        "next_attempt_at = NULL WHERE sha256 = ? AND origin = 'device'",
        (UploadState.DONE.value, sha256),
    )


def mark_retry(conn: sqlite3.Connection, sha256: str, error: str, next_attempt_at: datetime) -> int:
    """A transient failure: try again after `next_attempt_at`. Returns the attempt count."""
    row = conn.execute(
        "UPDATE photos SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
        "WHERE sha256 = ? AND origin = 'device' AND upload_state != ? RETURNING attempts",
        (error, dt_out(next_attempt_at), sha256, UploadState.DONE.value),
    ).fetchall()
    return max((int(r[0]) for r in row), default=0)


def attempts_of(conn: sqlite3.Connection, sha256: str) -> int:
    row = conn.execute(
        "SELECT MAX(attempts) FROM photos WHERE sha256 = ? AND origin = 'device'", (sha256,)
    ).fetchone()
    return int(row[0] or 0)


def mark_failed(conn: sqlite3.Connection, sha256: str, detail: str, now: datetime) -> list[str]:
    """The server refused the file for good; the actions using it need the officer.

    Returns the ids of the reports whose outbox changed (to recompute).
    """
    conn.execute(
        "UPDATE photos SET upload_state = ?, last_error = ?, next_attempt_at = NULL "
        "WHERE sha256 = ? AND origin = 'device'",
        (UploadState.FAILED.value, detail, sha256),
    )
    message_id, message_en = messages.photo_refused(detail)
    waiting = conn.execute(
        "SELECT outbox.id FROM outbox, json_each(outbox.depends_on) AS dep "
        "WHERE dep.value = ? AND outbox.state IN (?, ?, ?) ORDER BY device_seq",
        (sha256, OutboxState.PENDING.value, OutboxState.SENT.value, OutboxState.HELD.value),
    ).fetchall()
    touched: list[str] = []
    for w in waiting:
        report_id = reject(
            conn, w["id"], AttentionKind.PHOTO_REFUSED, detail, message_id, message_en, now
        )
        if report_id is not None:
            touched.append(report_id)
    return touched


def _waiting_shas(conn: sqlite3.Connection, report_id: str) -> set[str]:
    """Photos the report's unsent outbox entries reference (they must stay)."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT dep.value FROM outbox, json_each(outbox.depends_on) AS dep "
            "WHERE outbox.report_id = ? AND outbox.state IN (?, ?, ?)",
            (
                report_id,
                OutboxState.PENDING.value,
                OutboxState.SENT.value,
                OutboxState.HELD.value,
            ),
        )
    }


def _kept_shas(conn: sqlite3.Connection, report_id: str | None = None) -> set[str]:
    """Photos needs-attention items keep for the officer (on one report, or any)."""
    sql = (
        "SELECT json_extract(p.value, '$.sha256') FROM attention, json_each(attention.photos) AS p"
    )
    rows = (
        conn.execute(sql)
        if report_id is None
        else conn.execute(sql + " WHERE attention.report_id = ?", (report_id,))
    )
    return {r[0] for r in rows if r[0]}


def refused_shas(conn: sqlite3.Connection, report_id: str) -> set[str]:
    """Device photos of the report that only a needs-attention item still holds: their
    action was refused (or is held behind a refused one), so they are not on the report
    and will not be unless the officer resends."""
    return _kept_shas(conn, report_id) - _waiting_shas(conn, report_id)


def release(
    conn: sqlite3.Connection, report_id: str, photos: Iterable[tuple[str, str | None]]
) -> list[Path]:
    """The officer let a refused action go: forget the photos only it referenced.

    `photos` are the (sha256, local path) pairs the dropped action kept. A device row
    is deleted unless the report holds the photo on the server, or other unsent work or
    another needs-attention item on the report still needs it. Returns the files nothing
    refers to any more: the caller deletes them once the transaction has committed (a
    kill in between leaves a stray file, never a row without its file).
    """
    still = _waiting_shas(conn, report_id) | _kept_shas(conn, report_id)
    candidates: dict[str, str | None] = {}
    for sha, kept_path in photos:
        if sha in still:
            continue
        row = conn.execute(
            "DELETE FROM photos WHERE report_id = ? AND sha256 = ? AND origin = 'device' "
            "AND on_server = 0 RETURNING local_path",
            (report_id, sha),
        ).fetchone()
        candidates[sha] = row[0] if row is not None and row[0] else kept_path
    if not candidates:
        return []
    kept_anywhere = _kept_shas(conn)
    orphans: list[Path] = []
    for sha, path in candidates.items():
        if path is None or sha in kept_anywhere:
            continue
        used = conn.execute(
            "SELECT 1 FROM photos WHERE sha256 = ? OR local_path = ? LIMIT 1", (sha, path)
        ).fetchone()
        if used is None:
            orphans.append(Path(path))
    return orphans


def delete_files(paths: Iterable[Path]) -> None:
    """Delete released photo files (after the commit that released them)."""
    for path in paths:
        path.unlink(missing_ok=True)
