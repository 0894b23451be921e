"""Pull phase: the server's changes since the cursor, page by page.

1. Take the stored cursor; none means a full resync (first sync, after a wipe or a
   refused cursor): the server pages through everything the user may see, and the
   reports the device holds but the resync did not bring are swept at the end.
2. `GET /v1/sync/pull?cursor=C&limit=N` (the next page is requested while the current
   one is applied).
3. Apply the page in ONE transaction with its new cursor: upserts replace the server
   state of a report and re-apply the device's unsent actions on top; removals delete
   the report unless unsent work refers to it (then it stays, out of scope, listed in
   needs-attention); users refresh the colleagues list.
4. While `has_more`, continue from the new cursor.

The cursor is the server's (its own monotonic sequence inside); the device's clock is
never part of it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import local_db
from domain.protocol import MAX_PULL_LIMIT, PullPage

from .errors import ProtocolError, ServerError
from .session import Session

MAX_PAGES_PER_RUN = 10_000


@dataclass(frozen=True, slots=True)
class PullStats:
    pages: int = 0
    upserts: int = 0
    removals: int = 0
    kept_out_of_scope: int = 0


class _Prefetch:
    """Fetch the next page in a worker thread while the current one is applied."""

    def __init__(self, fetch: Callable[[str | None], PullPage], cursor: str | None) -> None:
        self._result: PullPage | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(fetch, cursor), name="tindak-pull-prefetch", daemon=True
        )
        self._thread.start()

    def _run(self, fetch: Callable[[str | None], PullPage], cursor: str | None) -> None:
        try:
            self._result = fetch(cursor)
        except BaseException as exc:  # handed to the caller's thread in result()
            self._error = exc

    def result_quietly(self) -> None:
        """Wait for the worker and drop its outcome (the caller is failing anyway)."""
        self._thread.join()

    def result(self) -> PullPage:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def pull_changes(
    db: local_db.LocalDb,
    session: Session,
    now: Callable[[], datetime],
    progress: Callable[[int, int], None],
    limit: int = 500,
) -> PullStats:
    """Pull every page. While a page is applied the next one is already requested
    (its cursor is known before applying), so server and network time overlap with
    the device's own work; a page is only ever applied after the one before it."""
    limit = max(1, min(limit, MAX_PULL_LIMIT))

    def fetch(cursor: str | None) -> PullPage:
        return session.call(lambda tok: session.transport.pull(tok, cursor, limit))

    cursor = local_db.start_pull(db)
    pages = upserts = removals = kept = 0
    reset_done = False
    ahead: _Prefetch | None = None
    while pages < MAX_PAGES_PER_RUN:
        try:
            page = ahead.result() if ahead is not None else fetch(cursor)
        except ProtocolError as exc:
            if exc.code != "invalid_cursor" or reset_done:
                raise
            reset_done = True  # the server forgot or refused our cursor: resync once
            local_db.reset_cursor(db)
            cursor = local_db.start_pull(db)
            ahead = None
            continue
        if page.has_more and page.cursor == cursor and not page.changes:
            raise ServerError("pull says has_more but the cursor does not move")
        ahead = _Prefetch(fetch, page.cursor) if page.has_more else None
        try:
            applied = local_db.apply_page(db, page, now())
        except BaseException:
            if ahead is not None:
                ahead.result_quietly()
            raise
        pages += 1
        upserts += applied.upserted
        removals += applied.removed + applied.swept
        kept += applied.kept_out_of_scope
        progress(upserts + removals, upserts + removals + (1 if page.has_more else 0))
        if not page.has_more:
            break
        cursor = page.cursor
    return PullStats(pages, upserts, removals, kept)
