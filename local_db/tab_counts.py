"""The queue's tab counts, read once per data version and clock step.

Every queue refresh and "show more" needs the counts (per status, per stage, open,
overdue overall and per stage, needs attention). Counting 100,000 reports costs
12-20 ms, so a count is kept (`LocalDb.memo`) until the data changes (a committed
write) or the clock passes the next open deadline: only then can an overdue count
change. So between writes the screen's counts cost a dictionary look-up, and a report
turning overdue while the screen is open still shows at once.

Deadlines are stored as ISO text in one format, so text order is time order, as the
SQL `deadline < ?` compares them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from domain import Status

from .bulk_indexes import indexed_by
from .codec import dt_out
from .connection import LocalDb
from .rows import Bucket, QueueCounts, Stage

MEMO_KEY = "queue-counts"


@dataclass(frozen=True, slots=True)
class CountsSnapshot:
    counts: QueueCounts
    taken_at: str  # the `now` the overdue counts hold for
    valid_until: str | None  # the next open deadline (None: no open report is on time)

    def holds_at(self, now: str) -> bool:
        return self.taken_at <= now and (self.valid_until is None or now <= self.valid_until)


def read_snapshot(conn: sqlite3.Connection, now: str) -> CountsSnapshot:
    """Each figure from one index (covering scans and ranges), never the table."""
    by_status = {
        Status(r[0]): r[1]
        for r in conn.execute("SELECT status, COUNT(*) FROM reports GROUP BY status")
    }
    # Out-of-scope reports are few: take them off the status counts.
    for r in conn.execute(
        f"SELECT status, COUNT(*) FROM reports {indexed_by(conn, 'reports_stage')} "
        "WHERE stage = ? GROUP BY status",
        (Stage.OUT_OF_SCOPE.value,),
    ):
        by_status[Status(r[0])] -= r[1]
    by_stage = {
        Stage(r[0]): r[1]
        for r in conn.execute("SELECT stage, COUNT(*) FROM reports GROUP BY stage")
    }
    open_total = conn.execute(
        "SELECT COUNT(*) FROM reports WHERE bucket = ?", (Bucket.OPEN,)
    ).fetchone()[0]
    overdue = {
        Stage(r[0]): r[1]
        for r in conn.execute(
            f"SELECT stage, COUNT(*) FROM reports {indexed_by(conn, 'reports_open_stage')} "
            "WHERE bucket = ? AND deadline < ? GROUP BY stage",
            (Bucket.OPEN, now),
        )
    }
    next_deadline = conn.execute(
        "SELECT MIN(deadline) FROM reports WHERE bucket = ? AND deadline >= ?",
        (Bucket.OPEN, now),
    ).fetchone()[0]
    attention = conn.execute("SELECT COUNT(*) FROM attention").fetchone()[0]
    counts = QueueCounts(
        {s: n for s, n in by_status.items() if n},
        by_stage,
        open_total,
        sum(overdue.values()),
        attention,
        overdue,
    )
    return CountsSnapshot(counts, now, next_deadline)


def counts(db: LocalDb, *, now: datetime) -> QueueCounts:
    """Counts per status (in scope), per stage, open, overdue (all and per stage) and
    needs-attention, as of `now`; read again only after a write or a deadline passing."""
    cut = dt_out(now) or ""  # never None for a datetime
    snap = db.memo(MEMO_KEY, lambda conn: read_snapshot(conn, cut), lambda s: s.holds_at(cut))
    return snap.counts
