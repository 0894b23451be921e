"""Taking back a photo that has not left the device: delete it, or delete it to retake.

Invariants:
- only a device photo the server does not hold, whose actions are all still waiting
  on the device (`pending`: not sent, so the server cannot be applying them) may go;
  once uploaded or sent, a photo is evidence and stays (`PhotoAlreadySent`);
- a photo an unsent completion relies on stays too (`PhotoInUse`): removing it would
  leave a completion the rules no longer allow;
- the photo row, its ADD_PHOTO outbox entries and their local timeline entries go in
  ONE transaction, and the report's display is recomputed in it; the file is deleted
  after the commit (a kill in between leaves a stray file, never a row without its file).
"""

from __future__ import annotations

from pathlib import Path

from domain import Action

from .actions import _actor
from .codec import json_in
from .connection import LocalDb
from .errors import PhotoAlreadySent, PhotoInUse, ReportNotFound
from .photos import delete_files
from .reports import get_view, recompute
from .rows import OutboxState, UploadState

_UNSENT = (UploadState.PENDING.value, UploadState.UPLOADING.value, UploadState.FAILED.value)


def discard_photo(db: LocalDb, report_id: str, sha256: str) -> None:
    """Remove a not-yet-uploaded photo and the queued action that adds it.

    Raises `ReportNotFound`, `PhotoAlreadySent` or `PhotoInUse` (nothing changes then).
    """
    with db.write() as conn:
        if get_view(conn, report_id) is None:
            raise ReportNotFound(report_id)
        row = conn.execute(
            "SELECT local_path, on_server, upload_state, origin FROM photos "
            "WHERE report_id = ? AND sha256 = ?",
            (report_id, sha256),
        ).fetchone()
        if (
            row is None
            or row["origin"] != "device"
            or row["on_server"]
            or row["upload_state"] not in _UNSENT
        ):
            raise PhotoAlreadySent(sha256)
        users = conn.execute(
            "SELECT o.id, o.action, o.state, o.device_seq FROM outbox AS o, "
            "json_each(o.depends_on) AS dep WHERE dep.value = ? AND o.report_id = ?",
            (sha256, report_id),
        ).fetchall()
        if any(u["state"] != OutboxState.PENDING.value for u in users):
            raise PhotoAlreadySent(sha256)
        if any(u["action"] != Action.ADD_PHOTO.value for u in users):
            raise PhotoInUse(sha256)
        first = min((u["device_seq"] for u in users), default=None)
        if first is not None:
            later = conn.execute(
                "SELECT action, payload FROM outbox WHERE report_id = ? AND device_seq > ? "
                "AND state IN (?, ?, ?)",
                (
                    report_id,
                    first,
                    OutboxState.PENDING.value,
                    OutboxState.SENT.value,
                    OutboxState.HELD.value,
                ),
            ).fetchall()
            if any(
                e["action"] == Action.COMPLETE.value
                and "photo" not in (json_in(e["payload"]) or {})
                for e in later
            ):
                raise PhotoInUse(sha256)
        for u in users:
            conn.execute("DELETE FROM timeline WHERE mutation_id = ?", (u["id"],))
            conn.execute("DELETE FROM outbox WHERE id = ?", (u["id"],))
        conn.execute("DELETE FROM photos WHERE report_id = ? AND sha256 = ?", (report_id, sha256))
        path = row["local_path"]
        shared = (
            path is not None
            and conn.execute(
                "SELECT 1 FROM photos WHERE sha256 = ? OR local_path = ? LIMIT 1", (sha256, path)
            ).fetchone()
        )
        recompute(conn, report_id, _actor(conn))
    if path and not shared:
        delete_files([Path(path)])
