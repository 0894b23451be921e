"""Officer actions recorded on the device: the local change and its outbox entry together.

Invariants:
- one action is ONE write transaction: the domain check against the report as the
  device shows it, the outbox entry (uuid4 + next per-device seq), a local timeline
  entry marked not sent, the photo row for a photo, and the recomputed display; a kill
  at any instant leaves all of it or none of it;
- a refusal by the domain rules raises `ActionRefusedLocally` and writes nothing;
- needs-attention items are removed only by the officer (dismiss, or retry which
  queues the same action again under a new id); dismissing also removes the device
  photos only the dropped action referenced (row, then file after the commit).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain import Action, Actor, check
from domain.protocol import iso
from domain.refusals import Refusal, explain
from domain.workflow import RULES

from . import messages, outbox
from .codec import dt_out, json_in
from .connection import LocalDb
from .errors import ActionRefusedLocally, ReportNotFound
from .photos import delete_files, insert_device_photo, release
from .reports import delete_report, get_view, recompute, unsent_on
from .rows import NewPhoto, OutboxEntry, OutboxState, UploadState
from .state import clock_offset, get_account


def _record(
    conn: sqlite3.Connection,
    actor: Actor,
    report_id: str,
    action: Action,
    payload: Mapping[str, Any],
    now: datetime,
    before_append: NewPhoto | None = None,
) -> OutboxEntry:
    view = get_view(conn, report_id)
    if view is None:
        raise ReportNotFound(report_id)
    if not view.in_scope:
        raise ActionRefusedLocally(explain(Refusal.UNKNOWN_REPORT))
    decision = check(actor, view.report, action, payload)
    if not decision.allowed:
        assert decision.refusal is not None
        raise ActionRefusedLocally(decision.refusal)
    account = get_account(conn)
    if before_append is not None:
        offset = clock_offset(conn)
        insert_device_photo(
            conn,
            report_id,
            before_append,
            before_append.captured_at + offset,
            account.user.name if account else "",
            now,
        )
    entry = outbox.append(conn, action, report_id, payload, now)
    to_status = RULES[action].to_status or view.report.status
    note = payload.get("note") or payload.get("reason") or ""
    percent = payload.get("percent") if action is Action.PROGRESS else None
    conn.execute(
        "INSERT INTO timeline (report_id, at, event, actor_name, actor_role, status_from, "
        "status_to, note, percent, mutation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            report_id,
            dt_out(now),
            action.value,
            account.user.name if account else "",
            actor.role.value,
            view.report.status.value,
            to_status.value,
            note if isinstance(note, str) else "",
            percent if isinstance(percent, int) else None,
            entry.id,
        ),
    )
    recompute(conn, report_id, actor)
    return entry


def record_action(
    db: LocalDb,
    actor: Actor,
    report_id: str,
    action: Action,
    payload: Mapping[str, Any],
    now: datetime,
) -> OutboxEntry:
    """Apply an action locally and queue it for the server, in one transaction.

    `now` should be the server-corrected clock (`SyncEngine.now_server()`).
    Raises `ActionRefusedLocally` (with the domain's reason) or `ReportNotFound`.
    """
    with db.write() as conn:
        return _record(conn, actor, report_id, action, payload, now)


def photo_payload(photo: NewPhoto, captured_at_server: datetime, note: str = "") -> dict[str, Any]:
    payload: dict[str, Any] = {
        "photo": {
            "sha256": photo.sha256,
            "kind": photo.kind.value,
            "latitude": photo.latitude,
            "longitude": photo.longitude,
            "accuracy_m": photo.accuracy_m,
            "captured_at": iso(captured_at_server),
        }
    }
    if photo.source:
        payload["photo"]["source"] = photo.source
    if photo.time_flag:
        payload["photo"]["time_flag"] = photo.time_flag
        payload["photo"]["claimed_at"] = iso(photo.claimed_at)
    if note:
        payload["note"] = note
    return payload


def add_photo(
    db: LocalDb,
    actor: Actor,
    report_id: str,
    photo: NewPhoto,
    now: datetime,
    note: str = "",
) -> OutboxEntry:
    """Store a processed photo and queue its ADD_PHOTO action, in one transaction.

    The capture time sent to the server is corrected with the estimated server clock
    offset; the device time is kept too. The upload itself runs in the sync engine.
    """
    with db.write() as conn:
        offset = clock_offset(conn)
        payload = photo_payload(photo, photo.captured_at + offset, note)
        return _record(conn, actor, report_id, Action.ADD_PHOTO, payload, now, photo)


def _drop_if_orphaned(conn: sqlite3.Connection, report_id: str) -> None:
    """An out-of-scope report goes once nothing unsent or unresolved refers to it."""
    row = conn.execute("SELECT in_scope FROM reports WHERE id = ?", (report_id,)).fetchone()
    if row is None or row["in_scope"]:
        return
    left = conn.execute("SELECT COUNT(*) FROM attention WHERE report_id = ?", (report_id,))
    if left.fetchone()[0] == 0 and unsent_on(conn, report_id) == 0:
        delete_report(conn, report_id)


def dismiss_attention(db: LocalDb, item_id: int) -> None:
    """The officer read it and lets it go: the refused action is dropped for good, and
    the photos only it referenced go with it (row and file): a photo the report will
    never hold must not stay on the device looking as if it were still to be uploaded.
    """
    with db.write() as conn:
        row = conn.execute("SELECT * FROM attention WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            return
        conn.execute("DELETE FROM attention WHERE id = ?", (item_id,))
        if row["mutation_id"]:
            conn.execute(
                "DELETE FROM outbox WHERE id = ? AND state IN (?, ?)",
                (row["mutation_id"], OutboxState.REJECTED.value, OutboxState.HELD.value),
            )
        kept = [(p["sha256"], p.get("local_path")) for p in json_in(row["photos"])]
        orphans = release(conn, row["report_id"], kept)
        actor = _actor(conn)
        recompute(conn, row["report_id"], actor)
        _drop_if_orphaned(conn, row["report_id"])
    delete_files(orphans)


def _actor(conn: sqlite3.Connection) -> Actor | None:
    account = get_account(conn)
    if account is None:
        return None
    return Actor(account.user.id, account.user.role, account.user.unit_id)


def retry_attention(db: LocalDb, item_id: int, now: datetime) -> OutboxEntry | None:
    """Queue a refused (or held) action again under a new id, checked against today's
    state of the report. Returns None for items that hold no action (out of scope).
    Raises `ActionRefusedLocally` when the rules refuse it now; the item then stays.
    When the report has meanwhile gone to someone else (it left the device, or is kept
    out of scope), the item stays too, now saying so (sending it cannot help any more).
    """
    with db.write() as conn:
        row = conn.execute("SELECT * FROM attention WHERE id = ?", (item_id,)).fetchone()
        if row is None or not row["action"]:
            return None
        view = get_view(conn, row["report_id"])
        moved_on = view is None or not view.in_scope
        if moved_on:
            text = messages.no_longer_yours()
            conn.execute(
                "UPDATE attention SET code = ?, message_id = ?, message_en = ? WHERE id = ?",
                (text.code.value, text.message_id, text.message_en, item_id),
            )
    if moved_on:
        raise ActionRefusedLocally(text)
    with db.write() as conn:
        row = conn.execute("SELECT * FROM attention WHERE id = ?", (item_id,)).fetchone()
        if row is None or not row["action"]:
            return None
        actor = _actor(conn)
        if actor is None:
            raise ActionRefusedLocally(explain(Refusal.ROLE_NOT_ALLOWED))
        payload = json_in(row["payload"])
        for sha in outbox.photo_shas(payload):
            conn.execute(
                "UPDATE photos SET upload_state = ?, attempts = 0, next_attempt_at = NULL, "
                "bytes_confirmed = 0, last_error = '' WHERE sha256 = ? AND origin = 'device' "
                "AND upload_state = ?",
                (UploadState.PENDING.value, sha, UploadState.FAILED.value),
            )
        if row["mutation_id"]:
            conn.execute(
                "DELETE FROM outbox WHERE id = ? AND state IN (?, ?)",
                (row["mutation_id"], OutboxState.REJECTED.value, OutboxState.HELD.value),
            )
        conn.execute("DELETE FROM attention WHERE id = ?", (item_id,))
        recompute(conn, row["report_id"], actor)
        return _record(conn, actor, row["report_id"], Action(row["action"]), payload, now)
