"""Pull: what changed for the caller since their cursor, in pages.

The algorithm (cursors are opaque to devices; the server's own sequence is inside):
1. No cursor (first sync or after a wipe): remember the feed's high-water mark `M`,
   then page through the caller's *current* visible set as upserts - reports by id,
   then colleagues by id - with cursors `s:M:r:<last id>` / `s:M:u:<last id>`. A
   report page is a keyset read per scope branch on an index ending in `id`, so every
   page costs the same however large the scope (`_report_page_ids`).
2. After the last snapshot page the cursor becomes `f:M`: from then on the caller gets
   their own feed rows above `M`. Anything that changed during the snapshot is in the
   feed above `M`, so nothing is lost; re-sending a row already seen is harmless.
3. Feed mode (`f:S`): the caller's feed rows with seq > S (at most `limit`), squashed
   per entity (the last op wins), each upsert rendered as the entity's snapshot *now*;
   one that is no longer visible is sent as a remove. The new cursor is the last seq
   read, so a page is never skipped; `has_more` says whether rows remain.

Feed rows become visible in seq order (see `server/db.py`), so `S` never passes a row
that a later commit could still fill in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, select, union

from domain import Actor
from domain.protocol import Change, ChangeOp, Entity, PullPage

from .errors import InvalidCursor
from .feed import high_water
from .schema import feed, reports, users
from .scope import visible_report_branches, visible_reports, visible_users
from .snapshots import build_snapshots, build_users

Phase = Literal["r", "u"]


@dataclass(frozen=True, slots=True)
class SnapshotCursor:
    mark: int
    phase: Phase
    after: str

    def encode(self) -> str:
        return f"s:{self.mark}:{self.phase}:{self.after}"


@dataclass(frozen=True, slots=True)
class FeedCursor:
    seq: int

    def encode(self) -> str:
        return f"f:{self.seq}"


Cursor = SnapshotCursor | FeedCursor | None

_MAX_SEQ = 2**62


def _seq(text: str) -> int:
    if not text.isdigit() or len(text) > 19:
        raise InvalidCursor()
    value = int(text)
    if value > _MAX_SEQ:
        raise InvalidCursor()
    return value


def decode_cursor(cursor: str | None) -> Cursor:
    if not cursor:
        return None
    kind, _, rest = cursor.partition(":")
    if kind == "f":
        return FeedCursor(_seq(rest))
    if kind == "s":
        mark, _, rest = rest.partition(":")
        phase, sep, after = rest.partition(":")
        if not sep or phase not in ("r", "u") or len(after) > 64:
            raise InvalidCursor()
        return SnapshotCursor(_seq(mark), "r" if phase == "r" else "u", after)
    raise InvalidCursor()


def pull(
    conn: Connection, viewer: Actor, cursor: str | None, limit: int, now: datetime
) -> PullPage:
    """One page of changes for `viewer` (call in a single read transaction)."""
    decoded = decode_cursor(cursor)
    if decoded is None:
        decoded = SnapshotCursor(high_water(conn), "r", "")
    if isinstance(decoded, SnapshotCursor):
        return _snapshot_page(conn, viewer, decoded, limit, now)
    return _feed_page(conn, viewer, decoded, limit, now)


def _snapshot_page(
    conn: Connection, viewer: Actor, cur: SnapshotCursor, limit: int, now: datetime
) -> PullPage:
    changes: list[Change] = []
    if cur.phase == "r":
        ids = _report_page_ids(conn, viewer, cur.after, limit + 1)
        more, ids = len(ids) > limit, ids[:limit]
        snaps = build_snapshots(conn, ids)
        changes.extend(
            Change(ChangeOp.UPSERT, Entity.REPORT, i, snaps[i].to_wire()) for i in ids if i in snaps
        )
        if more:
            return PullPage(
                tuple(changes), SnapshotCursor(cur.mark, "r", ids[-1]).encode(), True, now
            )
        cur = SnapshotCursor(cur.mark, "u", "")
    room = limit - len(changes)
    if room <= 0:
        return PullPage(tuple(changes), cur.encode(), True, now)
    uids = list(
        conn.execute(
            select(users.c.id)
            .where(visible_users(viewer), users.c.id > cur.after)
            .order_by(users.c.id)
            .limit(room + 1)
        ).scalars()
    )
    more, uids = len(uids) > room, uids[:room]
    wires = build_users(conn, uids)
    changes.extend(Change(ChangeOp.UPSERT, Entity.USER, u, wires[u]) for u in uids if u in wires)
    if more:
        return PullPage(tuple(changes), SnapshotCursor(cur.mark, "u", uids[-1]).encode(), True, now)
    return PullPage(
        tuple(changes), FeedCursor(cur.mark).encode(), _feed_has_rows(conn, viewer, cur.mark), now
    )


def _report_page_ids(conn: Connection, viewer: Actor, after: str, n: int) -> list[str]:
    """The next `n` visible report ids after `after`: one keyset query per scope branch,
    each reading its own index range, merged (a report in two branches counts once)."""
    parts = [
        select(reports.c.id).where(branch, reports.c.id > after).order_by(reports.c.id).limit(n)
        for branch in visible_report_branches(conn, viewer)
    ]
    if len(parts) == 1:
        return list(conn.execute(parts[0]).scalars())
    merged = union(*(select(part.subquery().c.id) for part in parts)).subquery()
    return list(conn.execute(select(merged.c.id).order_by(merged.c.id).limit(n)).scalars())


def _feed_has_rows(conn: Connection, viewer: Actor, after: int) -> bool:
    row = conn.execute(
        select(feed.c.seq).where(feed.c.user_id == viewer.user_id, feed.c.seq > after).limit(1)
    ).first()
    return row is not None


def _feed_page(
    conn: Connection, viewer: Actor, cur: FeedCursor, limit: int, now: datetime
) -> PullPage:
    rows = conn.execute(
        select(feed.c.seq, feed.c.entity, feed.c.entity_id, feed.c.op)
        .where(feed.c.user_id == viewer.user_id, feed.c.seq > cur.seq)
        .order_by(feed.c.seq)
        .limit(limit)
    ).all()
    if not rows:
        return PullPage((), cur.encode(), False, now)
    last_seq = rows[-1].seq
    # Squash per entity: the last op wins, ordered by where it last appeared.
    latest: dict[tuple[str, str], str] = {}
    for r in rows:
        key = (r.entity, r.entity_id)
        latest.pop(key, None)
        latest[key] = r.op
    report_ids = [
        i for (e, i), op in latest.items() if e == Entity.REPORT and op == ChangeOp.UPSERT
    ]
    user_ids = [i for (e, i), op in latest.items() if e == Entity.USER and op == ChangeOp.UPSERT]
    visible_report_ids = (
        set(
            conn.execute(
                select(reports.c.id).where(
                    reports.c.id.in_(report_ids), visible_reports(conn, viewer)
                )
            ).scalars()
        )
        if report_ids
        else set()
    )
    visible_user_ids = (
        set(
            conn.execute(
                select(users.c.id).where(users.c.id.in_(user_ids), visible_users(viewer))
            ).scalars()
        )
        if user_ids
        else set()
    )
    snaps = build_snapshots(conn, sorted(visible_report_ids))
    wires = build_users(conn, sorted(visible_user_ids))
    changes: list[Change] = []
    for (entity_code, entity_id), op in latest.items():
        entity = Entity(entity_code)
        data = None
        if op == ChangeOp.UPSERT:
            if entity is Entity.REPORT and entity_id in snaps:
                data = snaps[entity_id].to_wire()
            elif entity is Entity.USER and entity_id in wires:
                data = wires[entity_id]
        if data is None:
            changes.append(Change(ChangeOp.REMOVE, entity, entity_id))
        else:
            changes.append(Change(ChangeOp.UPSERT, entity, entity_id, data))
    more = _feed_has_rows(conn, viewer, last_seq)
    return PullPage(tuple(changes), FeedCursor(last_seq).encode(), more, now)
