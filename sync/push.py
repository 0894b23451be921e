"""Push phase: send the outbox in per-device order, in batches, and record each answer.

1. In one transaction, pick up to `MAX_PUSH_BATCH` unsent entries in `device_seq`
   order, skipping (holding) every entry whose photo is not on the server yet and every
   later entry of the same report; mark the picked ones `sent`.
2. `POST /v1/sync/push` with the batch. A lost answer (cut, timeout) leaves them
   `sent`: the next run sends them again and the server answers known ids with their
   first result, applying nothing twice.
3. In one transaction, record every answer: applied -> `applied` (with the server's
   report version, so the display keeps it until a snapshot includes it); rejected ->
   needs-attention with the server's code and messages, later entries of that report
   held behind it (`depends_on_rejected`). Other reports go on.
4. Repeat until nothing is sendable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import local_db
from domain.protocol import MAX_PUSH_BATCH
from local_db import outbox
from local_db.state import account_actor

from .errors import ServerError, SyncError
from .session import Session


@dataclass(frozen=True, slots=True)
class PushStats:
    sent: int = 0
    applied: int = 0
    rejected: int = 0
    batches: int = 0


def has_unsent(db: local_db.LocalDb) -> bool:
    with db.read() as conn:
        row = conn.execute(
            "SELECT 1 FROM outbox WHERE state IN ('pending', 'sent', 'held') "
            "AND (hold_reason IS NULL OR hold_reason != 'depends_on_rejected') LIMIT 1"
        ).fetchone()
    return row is not None


def push_outbox(
    db: local_db.LocalDb,
    session: Session,
    now: Callable[[], datetime],
    progress: Callable[[int, int], None],
    batch_size: int = MAX_PUSH_BATCH,
) -> PushStats:
    batch_size = max(1, min(batch_size, MAX_PUSH_BATCH))
    sent = applied = rejected = batches = 0
    total = local_db.pending_counts(db).mutations
    progress(0, total)
    while True:
        with db.write() as conn:
            batch = outbox.prepare_push(conn, batch_size, now())
        if not batch:
            break
        try:
            resp = session.call(lambda tok, b=batch: session.transport.push(tok, b))  # type: ignore[misc]
        except SyncError as exc:
            with db.write() as conn:
                outbox.mark_unsent(conn, [m.id for m in batch], exc.code)
            raise
        with db.write() as conn:
            settled = outbox.settle(conn, resp.results, account_actor(conn), now())
        batches += 1
        sent += len(batch)
        applied += settled.applied
        rejected += settled.rejected
        progress(min(sent, total), max(total, sent))
        if settled.applied + settled.rejected == 0:
            # The server answered without settling anything: sending again would loop.
            raise ServerError("push answered but settled nothing")
    return PushStats(sent, applied, rejected, batches)
