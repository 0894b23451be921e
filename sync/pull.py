"""Pull phase: the server's changes since the cursor, page by page.

1. Take the stored cursor; none means a full resync (first sync, after a wipe or a
   refused cursor): the server pages through everything the user may see, and the
   reports the device holds but the resync did not bring are swept at the end.
2. `GET /v1/sync/pull?cursor=C&limit=N`.
3. Apply the page in ONE transaction with its new cursor: upserts replace the server
   state of a report and re-apply the device's unsent actions on top; removals delete
   the report unless unsent work refers to it (then it stays, out of scope, listed in
   needs-attention); users refresh the colleagues list.
4. While `has_more`, continue from the new cursor.

The cursor is the server's (its own monotonic sequence inside); the device's clock is
never part of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import local_db
from domain.protocol import MAX_PULL_LIMIT

from .errors import ProtocolError, ServerError
from .session import Session

MAX_PAGES_PER_RUN = 10_000


@dataclass(frozen=True, slots=True)
class PullStats:
    pages: int = 0
    upserts: int = 0
    removals: int = 0
    kept_out_of_scope: int = 0


def pull_changes(
    db: local_db.LocalDb,
    session: Session,
    now: Callable[[], datetime],
    progress: Callable[[int, int], None],
    limit: int = 500,
) -> PullStats:
    limit = max(1, min(limit, MAX_PULL_LIMIT))
    cursor = local_db.start_pull(db)
    pages = upserts = removals = kept = 0
    reset_done = False
    while pages < MAX_PAGES_PER_RUN:
        try:
            page = session.call(lambda tok, c=cursor: session.transport.pull(tok, c, limit))  # type: ignore[misc]
        except ProtocolError as exc:
            if exc.code != "invalid_cursor" or reset_done:
                raise
            reset_done = True  # the server forgot or refused our cursor: resync once
            local_db.reset_cursor(db)
            cursor = local_db.start_pull(db)
            continue
        applied = local_db.apply_page(db, page, now())
        pages += 1
        upserts += applied.upserted
        removals += applied.removed + applied.swept
        kept += applied.kept_out_of_scope
        progress(upserts + removals, upserts + removals + (1 if page.has_more else 0))
        if not page.has_more:
            break
        if page.cursor == cursor and not page.changes:
            raise ServerError("pull says has_more but the cursor does not move")
        cursor = page.cursor
    return PullStats(pages, upserts, removals, kept)
