"""The outbox: the officer's actions waiting for the server, in per-device order.

Invariants:
- an entry is written in the same transaction as the local change it describes
  (`actions.record_action`), so a kill leaves both or neither;
- entries are sent in `device_seq` order per report: when one entry of a report cannot
  go (its photo is not uploaded), every later entry of that report waits too; other
  reports are not held up;
- a refusal never blocks the queue: the refused entry leaves for needs-attention with
  the server's code and messages and a copy of its payload and photos, and every later
  unsent entry of that report is held (`depends_on_rejected`) and listed there too;
- nothing the officer did is deleted except by the officer (dismiss) or once the
  server's snapshot includes it (applied and `report_version <= server_version`);
- an applied photo action marks its photo as on the report at once (a report kept out
  of scope receives no snapshot that would say so).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import Action, Actor
from domain.protocol import Mutation, MutationResult, Outcome
from domain.workflow import parse_photo

from . import messages
from .codec import dt_out, dt_req, json_in, json_out
from .reports import recompute
from .rows import (
    AttentionKind,
    HoldReason,
    OutboxEntry,
    OutboxState,
    UploadState,
)
from .state import take_seq

_UNSENT = (OutboxState.PENDING.value, OutboxState.SENT.value, OutboxState.HELD.value)


def entry_from_row(r: sqlite3.Row) -> OutboxEntry:
    hold = r["hold_reason"]
    return OutboxEntry(
        id=r["id"],
        device_seq=r["device_seq"],
        action=Action(r["action"]),
        report_id=r["report_id"],
        payload=json_in(r["payload"]),
        created_at=dt_req(r["created_at"]),
        state=OutboxState(r["state"]),
        hold_reason=HoldReason(hold) if hold else None,
        attempts=r["attempts"],
        depends_on=tuple(json_in(r["depends_on"])),
        report_version=r["report_version"],
        last_error=r["last_error"],
    )


def photo_shas(payload: Mapping[str, Any]) -> tuple[str, ...]:
    """The photos an action's payload references (what it must wait for)."""
    photo = parse_photo(payload.get("photo"))
    return () if photo is None else (photo[0],)


def append(
    conn: sqlite3.Connection,
    action: Action,
    report_id: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> OutboxEntry:
    entry = OutboxEntry(
        id=str(uuid.uuid4()),
        device_seq=take_seq(conn),
        action=action,
        report_id=report_id,
        payload=dict(payload),
        created_at=now,
        state=OutboxState.PENDING,
        depends_on=photo_shas(payload),
    )
    conn.execute(
        "INSERT INTO outbox (id, device_seq, action, report_id, payload, created_at, state, "
        "depends_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry.id,
            entry.device_seq,
            action.value,
            report_id,
            json_out(entry.payload),
            dt_out(now),
            entry.state.value,
            json_out(list(entry.depends_on)),
        ),
    )
    return entry


def get(conn: sqlite3.Connection, entry_id: str) -> OutboxEntry | None:
    r = conn.execute("SELECT * FROM outbox WHERE id = ?", (entry_id,)).fetchone()
    return None if r is None else entry_from_row(r)


def entries(
    conn: sqlite3.Connection,
    states: Iterable[OutboxState] = tuple(OutboxState),
    report_id: str | None = None,
) -> list[OutboxEntry]:
    wanted = [s.value for s in states]
    sql = f"SELECT * FROM outbox WHERE state IN ({', '.join('?' for _ in wanted)})"
    args: list[Any] = list(wanted)
    if report_id is not None:
        sql += " AND report_id = ?"
        args.append(report_id)
    return [entry_from_row(r) for r in conn.execute(sql + " ORDER BY device_seq", args)]


def _uploaded_shas(conn: sqlite3.Connection, shas: set[str]) -> tuple[set[str], set[str]]:
    """(shas the server holds, shas the device has but the server does not yet)."""
    if not shas:
        return set(), set()
    marks = ", ".join("?" for _ in shas)
    rows = conn.execute(
        f"SELECT sha256, MAX(upload_state = ? OR on_server = 1) AS up FROM photos "
        f"WHERE sha256 IN ({marks}) GROUP BY sha256",
        (UploadState.DONE.value, *shas),
    ).fetchall()
    done = {r["sha256"] for r in rows if r["up"]}
    waiting = {r["sha256"] for r in rows if not r["up"]}
    return done, waiting


def prepare_push(conn: sqlite3.Connection, limit: int, now: datetime) -> list[Mutation]:
    """Pick the next batch (marking it `sent`) and (re)compute photo holds.

    A `sent` entry whose answer was lost is simply picked again: the server answers a
    known mutation id with its first result.
    """
    rows = conn.execute(
        "SELECT * FROM outbox WHERE state IN (?, ?, ?) AND "
        "(hold_reason IS NULL OR hold_reason != ?) ORDER BY device_seq",
        (*_UNSENT, HoldReason.DEPENDS_ON_REJECTED.value),
    ).fetchall()
    all_shas = {sha for r in rows for sha in json_in(r["depends_on"])}
    _, waiting = _uploaded_shas(conn, all_shas)
    blocked: set[str] = set()
    batch: list[Mutation] = []
    holds: list[tuple[str, str | None, str]] = []
    for r in rows:
        report_id = r["report_id"]
        hold: HoldReason | None = None
        if report_id in blocked:
            hold = HoldReason.BLOCKED
        elif waiting.intersection(json_in(r["depends_on"])):
            hold = HoldReason.PHOTO
        if hold is not None or len(batch) >= limit:
            blocked.add(report_id)
            if hold is not None:
                holds.append((OutboxState.HELD.value, hold.value, r["id"]))
            elif r["state"] == OutboxState.HELD.value:
                holds.append((OutboxState.PENDING.value, None, r["id"]))
            continue
        batch.append(
            Mutation(
                id=r["id"],
                device_seq=r["device_seq"],
                action=Action(r["action"]),
                report_id=report_id,
                payload=json_in(r["payload"]),
                created_at=dt_req(r["created_at"]),
            )
        )
    conn.executemany("UPDATE outbox SET state = ?, hold_reason = ? WHERE id = ?", holds)
    conn.executemany(
        "UPDATE outbox SET state = ?, hold_reason = NULL, attempts = attempts + 1, "
        "sent_at = ? WHERE id = ?",
        [(OutboxState.SENT.value, dt_out(now), m.id) for m in batch],
    )
    return batch


def _photos_of(conn: sqlite3.Connection, report_id: str, shas: Sequence[str]) -> str:
    keep: list[dict[str, Any]] = []
    for sha in shas:
        r = conn.execute(
            "SELECT sha256, kind, local_path FROM photos WHERE report_id = ? AND sha256 = ?",
            (report_id, sha),
        ).fetchone()
        if r is None:
            r = conn.execute(
                "SELECT sha256, kind, local_path FROM photos WHERE sha256 = ? LIMIT 1", (sha,)
            ).fetchone()
        if r is not None:
            keep.append({"sha256": sha, "kind": r["kind"], "local_path": r["local_path"]})
    return json_out(keep)


def add_attention(
    conn: sqlite3.Connection,
    kind: AttentionKind,
    report_id: str,
    code: str,
    message_id: str,
    message_en: str,
    now: datetime,
    entry: sqlite3.Row | None = None,
) -> None:
    info = conn.execute(
        "SELECT tracking_id, title FROM reports WHERE id = ?", (report_id,)
    ).fetchone()
    payload = "{}" if entry is None else entry["payload"]
    shas = () if entry is None else tuple(json_in(entry["depends_on"]))
    conn.execute(
        "INSERT INTO attention (kind, report_id, tracking_id, report_title, mutation_id, "
        "action, payload, photos, code, message_id, message_en, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind.value,
            report_id,
            info["tracking_id"] if info else "",
            info["title"] if info else "",
            None if entry is None else entry["id"],
            None if entry is None else entry["action"],
            payload,
            _photos_of(conn, report_id, shas),
            code,
            message_id,
            message_en,
            dt_out(now),
        ),
    )


def reject(
    conn: sqlite3.Connection,
    entry_id: str,
    kind: AttentionKind,
    code: str,
    message_id: str,
    message_en: str,
    now: datetime,
    exclude: Collection[str] = (),
) -> str | None:
    """Move a refused entry to needs-attention; hold every later unsent entry behind it.

    Returns the report id (to recompute), or None if the entry is unknown or settled.
    """
    row = conn.execute("SELECT * FROM outbox WHERE id = ?", (entry_id,)).fetchone()
    if row is None or row["state"] not in _UNSENT:
        return None
    conn.execute(
        "UPDATE outbox SET state = ?, hold_reason = NULL, result_code = ?, last_error = ?, "
        "settled_at = ? WHERE id = ?",
        (OutboxState.REJECTED.value, code, message_en, dt_out(now), entry_id),
    )
    # The action did not happen: its local timeline entry goes; the attention item
    # keeps the payload (note, percent, photo references) for the officer.
    conn.execute("DELETE FROM timeline WHERE mutation_id = ?", (entry_id,))
    add_attention(conn, kind, row["report_id"], code, message_id, message_en, now, row)
    later = conn.execute(
        "SELECT * FROM outbox WHERE report_id = ? AND device_seq > ? AND state IN (?, ?, ?) "
        "AND (hold_reason IS NULL OR hold_reason != ?) ORDER BY device_seq",
        (
            row["report_id"],
            row["device_seq"],
            *_UNSENT,
            HoldReason.DEPENDS_ON_REJECTED.value,
        ),
    ).fetchall()
    text = messages.depends_on_rejected()
    for e in later:
        if e["id"] in exclude:
            continue  # sent in the same batch: its own answer decides
        conn.execute(
            "UPDATE outbox SET state = ?, hold_reason = ?, result_code = ? WHERE id = ?",
            (
                OutboxState.HELD.value,
                HoldReason.DEPENDS_ON_REJECTED.value,
                text.code.value,
                e["id"],
            ),
        )
        add_attention(
            conn,
            AttentionKind.DEPENDS_ON_REJECTED,
            e["report_id"],
            text.code.value,
            text.message_id,
            text.message_en,
            now,
            e,
        )
    return str(row["report_id"])


@dataclass(frozen=True, slots=True)
class Settled:
    applied: int
    rejected: int


def settle(
    conn: sqlite3.Connection,
    results: Sequence[MutationResult],
    actor: Actor | None,
    now: datetime,
) -> Settled:
    """Record the server's answers for one pushed batch (one transaction)."""
    batch_ids = {r.id for r in results}
    touched: set[str] = set()
    applied = rejected = 0
    order = {
        r["id"]: r["device_seq"]
        for r in conn.execute(
            f"SELECT id, device_seq FROM outbox WHERE id IN ({', '.join('?' for _ in results)})",
            [r.id for r in results],
        )
    }
    for res in sorted(results, key=lambda r: order.get(r.id, 0)):
        if res.id not in order:
            continue  # not ours (or already dismissed): nothing to record
        if res.outcome is Outcome.APPLIED:
            cur = conn.execute(
                "UPDATE outbox SET state = ?, hold_reason = NULL, report_version = ?, "
                "settled_at = ?, last_error = '' WHERE id = ? AND state IN (?, ?, ?) "
                "RETURNING report_id, action, depends_on",
                (OutboxState.APPLIED.value, res.report_version, dt_out(now), res.id, *_UNSENT),
            ).fetchone()
            if cur is not None:
                applied += 1
                touched.add(cur["report_id"])
                if cur["action"] == Action.ADD_PHOTO.value:
                    _on_the_report(conn, cur["report_id"], json_in(cur["depends_on"]))
        else:
            code = res.code.value if res.code is not None else "rejected"
            report_id = reject(
                conn,
                res.id,
                AttentionKind.REJECTED,
                code,
                res.message_id,
                res.message_en,
                now,
                exclude=batch_ids,
            )
            if report_id is not None:
                rejected += 1
                touched.add(report_id)
    for report_id in touched:
        recompute(conn, report_id, actor)
    return Settled(applied, rejected)


def _on_the_report(conn: sqlite3.Connection, report_id: str, shas: Sequence[str]) -> None:
    """The server applied the photo's action: the report holds the photo now.

    Said here, not only by the next snapshot, because a report kept out of scope gets
    no snapshot any more: its photo would otherwise read "waiting to upload" for good.
    """
    conn.executemany(
        "UPDATE photos SET on_server = 1 WHERE report_id = ? AND sha256 = ? AND origin = 'device'",
        [(report_id, sha) for sha in shas],
    )


def mark_unsent(conn: sqlite3.Connection, ids: Iterable[str], error: str) -> None:
    """A push failed before any answer: the batch stays `sent` (it is resent next time)."""
    conn.executemany(
        "UPDATE outbox SET last_error = ? WHERE id = ? AND state = ?",
        [(error, i, OutboxState.SENT.value) for i in ids],
    )
