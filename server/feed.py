"""The change feed: one row per (user, change) that a pull delivers.

Invariants:
- every write that changes what someone sees calls `publish_*` in the same transaction,
  with the audience taken *before* the change; users who left the audience get a
  `remove` row, everyone in the audience after gets an `upsert` row;
- the feed's `seq` is the only cursor a device ever holds (never a device clock);
- feed writers are serialised (`db.lock_feed`) and the lock is held to commit, so rows
  become visible in `seq` order and a reader cannot advance past an uncommitted row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, func, select

from domain.protocol import ChangeOp, Entity

from .config import system_clock
from .db import lock_feed
from .schema import feed
from .scope import report_audience, user_audience


def _rows(
    entity: Entity, entity_id: str, before: Iterable[str], after: set[str], at: datetime
) -> list[dict[str, object]]:
    return [
        {"user_id": u, "entity": entity.value, "entity_id": entity_id, "op": op.value, "at": at}
        for u, op in [
            *((u, ChangeOp.REMOVE) for u in sorted(set(before) - after)),
            *((u, ChangeOp.UPSERT) for u in sorted(after)),
        ]
    ]


def _insert(conn: Connection, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    # Taken as late as possible, once every audience is known: only the insert and the
    # commit of a write transaction are serialised.
    lock_feed(conn)
    conn.execute(feed.insert(), rows)


def _publish(
    conn: Connection,
    entity: Entity,
    entity_id: str,
    before: Iterable[str],
    after: set[str],
    now: datetime | None,
) -> None:
    _insert(conn, _rows(entity, entity_id, before, after, now or system_clock()))


def publish_audience_change(
    conn: Connection,
    entity: Entity,
    entity_id: str,
    before: set[str],
    after: set[str],
    now: datetime | None = None,
) -> bool:
    """Record that an unchanged entity left or reached some devices (its audience moved,
    e.g. a user changed unit): a remove for who left, an upsert for who joined, nothing
    for the rest. True if anyone's view changed."""
    left, joined = before - after, after - before
    if not left and not joined:
        return False
    _publish(conn, entity, entity_id, left, joined, now)
    return True


def publish_report_change(
    conn: Connection, report_id: str, audience_before: set[str], *, now: datetime | None = None
) -> None:
    """Record that a report changed (or was created: `audience_before` empty)."""
    publish_report_changes(conn, {report_id: audience_before}, now=now)


def publish_report_changes(
    conn: Connection, audiences_before: dict[str, set[str]], *, now: datetime | None = None
) -> None:
    """Record that these reports changed: every audience after is read first, then all
    the rows go in one insert under the feed lock."""
    publish_audiences(
        conn,
        {rid: (before, report_audience(conn, rid)) for rid, before in audiences_before.items()},
        now=now,
    )


def publish_audiences(
    conn: Connection,
    audiences: dict[str, tuple[set[str], set[str]]],
    *,
    now: datetime | None = None,
) -> None:
    """Record that these reports changed, each with its audience before and after (a
    push batch knows both), in one insert under the feed lock."""
    at = now or system_clock()
    rows = [
        row
        for report_id, (before, after) in audiences.items()
        for row in _rows(Entity.REPORT, report_id, before, after, at)
    ]
    _insert(conn, rows)


def publish_user_change(
    conn: Connection, user_id: str, audience_before: set[str], *, now: datetime | None = None
) -> None:
    """Record that a user changed (created, renamed, moved unit, deactivated)."""
    _publish(conn, Entity.USER, user_id, audience_before, user_audience(conn, user_id), now)


def high_water(conn: Connection) -> int:
    """The highest committed feed seq (0 on an empty feed)."""
    return int(conn.execute(select(func.coalesce(func.max(feed.c.seq), 0))).scalar_one())
