"""The roles' lists: dispatch queue, reports in hand, extension requests, SLA watch,
map points and kelurahan loads, CSV rows, and the validator's queue. Each list is in
the SLA urgency order (deadline, received, id) unless it says otherwise."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain import ExtensionState, Status, UrgencyLevel
from domain.sla import AT_RISK, DUE_SOON

from ..codec import dt_in, dt_out
from ..connection import LocalDb
from ..rows import QueueItem
from .values import (
    ACTIVE_SQL,
    MAP_LIMIT,
    WATCH_LIMIT,
    WORKING_SQL,
    ExportRow,
    HolderKind,
    KelurahanLoad,
    MapPoint,
    Scope,
    SlaWatch,
    WaitingItem,
    WatchItem,
    columns,
    last_event,
    queue_item,
)


def dispatch_queue(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, limit: int = 100, offset: int = 0
) -> list[QueueItem]:
    """Reports at the unit not yet given to an officer, most urgent first."""
    return _list(db, now, unit_id, "r.status = 'baru'", [], limit, offset)


def working_queue(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, limit: int = 100, offset: int = 0
) -> list[QueueItem]:
    """Reports with an officer now (to reassign or return), most urgent first."""
    return _list(db, now, unit_id, f"r.status IN {WORKING_SQL}", [], limit, offset)


def extension_requests(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, limit: int = 100
) -> list[QueueItem]:
    """Reports whose officer asked for more time, most urgent first."""
    cond = f"r.extension_state = 'requested' AND r.status IN {WORKING_SQL}"
    return _list(db, now, unit_id, cond, [], limit, 0)


def _list(
    db: LocalDb,
    now: datetime,
    unit_id: str | None,
    cond: str,
    args: list[Any],
    limit: int,
    offset: int,
) -> list[QueueItem]:
    scope = Scope(unit_id)
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT {columns()} FROM reports AS r WHERE {scope.sql} AND {cond} "
            "ORDER BY r.deadline, r.received_at, r.id LIMIT ? OFFSET ?",
            [*scope.args, *args, limit, offset],
        ).fetchall()
    return [queue_item(r, now) for r in rows]


def _watch(item: QueueItem) -> WatchItem:
    status = item.report.status
    if status is Status.BARU:
        return WatchItem(item, HolderKind.UNIT, "")
    if status is Status.MENUNGGU_VALIDASI:
        return WatchItem(item, HolderKind.VALIDATOR, "")
    return WatchItem(item, HolderKind.OFFICER, item.view.assignee_name)


def sla_watch(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, limit: int = WATCH_LIMIT
) -> SlaWatch:
    """The breach list (past the deadline) and the at-risk list (under 72 h left)."""
    n = dt_out(now)
    breaches = _list(
        db, now, unit_id, f"r.status IN {ACTIVE_SQL} AND r.deadline < ?", [n], limit, 0
    )
    risk = _list(
        db,
        now,
        unit_id,
        f"r.status IN {ACTIVE_SQL} AND r.deadline >= ? AND r.deadline < ?",
        [n, dt_out(now + AT_RISK)],
        limit,
        0,
    )
    return SlaWatch(tuple(map(_watch, breaches)), tuple(map(_watch, risk)))


def _level_sql() -> str:
    return (
        "CASE WHEN r.deadline < ? THEN 'overdue' WHEN r.deadline < ? THEN 'due_soon' "
        "WHEN r.deadline < ? THEN 'at_risk' ELSE 'on_track' END"
    )


def _level_args(now: datetime) -> list[Any]:
    return [dt_out(now), dt_out(now + DUE_SOON), dt_out(now + AT_RISK)]


def map_points(
    db: LocalDb, *, now: datetime, unit_id: str | None = None, limit: int = MAP_LIMIT
) -> list[MapPoint]:
    """The unit's SLA-active reports with a location, most urgent first (capped)."""
    scope = Scope(unit_id)
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT r.id, r.tracking_id, r.title, r.latitude, r.longitude, {_level_sql()}, "
            f"r.kelurahan FROM reports AS r WHERE {scope.sql} AND r.status IN {ACTIVE_SQL} "
            "AND r.latitude IS NOT NULL AND r.longitude IS NOT NULL "
            "ORDER BY r.deadline, r.received_at, r.id LIMIT ?",
            [*_level_args(now), *scope.args, limit],
        ).fetchall()
    return [MapPoint(r[0], r[1], r[2], r[3], r[4], UrgencyLevel(r[5]), r[6]) for r in rows]


def kelurahan_loads(
    db: LocalDb, *, now: datetime, unit_id: str | None = None
) -> list[KelurahanLoad]:
    """SLA-active reports per kelurahan (the map's offline fallback), most overdue first."""
    scope = Scope(unit_id)
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT COALESCE(r.kelurahan_code, ''), MAX(r.kelurahan), COUNT(*), "
            f"COALESCE(SUM(r.deadline < ?), 0), "
            f"COALESCE(SUM(r.deadline >= ? AND r.deadline < ?), 0), "
            f"AVG(r.latitude), AVG(r.longitude) FROM reports AS r "
            f"WHERE {scope.sql} AND r.status IN {ACTIVE_SQL} "
            "GROUP BY COALESCE(r.kelurahan_code, '')",
            [dt_out(now), dt_out(now), dt_out(now + DUE_SOON), *scope.args],
        ).fetchall()
    out = [KelurahanLoad(r[0], r[1] or "", r[2], r[3], r[4], r[5], r[6]) for r in rows]
    return sorted(out, key=lambda k: (-k.overdue, -k.open, k.name, k.code))


def export_rows(db: LocalDb, *, now: datetime, unit_id: str | None = None) -> list[ExportRow]:
    """Every report of the unit held on the device, oldest received first (for CSV)."""
    scope = Scope(unit_id)
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT r.tracking_id, r.title, r.category, r.channel, r.status, r.kelurahan, "
            f"r.kecamatan, r.kota, r.address, r.assignee_name, r.received_at, r.deadline, "
            f"{last_event('dispatch')}, {last_event('complete')}, "
            f"r.status IN {ACTIVE_SQL} AND r.deadline < ?, r.progress_pct, r.rework_count, "
            f"r.extension_state, r.rating, r.latitude, r.longitude FROM reports AS r "
            f"WHERE {scope.sql} ORDER BY r.received_at, r.id",
            [dt_out(now), *scope.args],
        ).fetchall()
    return [
        ExportRow(
            r[0],
            r[1],
            r[2],
            r[3],
            Status(r[4]),
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            _when(r[10]),
            _when(r[11]),
            _maybe(r[12]),
            _maybe(r[13]),
            bool(r[14]),
            r[15],
            r[16],
            ExtensionState(r[17]),
            r[18],
            r[19],
            r[20],
        )
        for r in rows
    ]


def _when(text: str) -> datetime:
    # The codec's fixed UTC form; fromisoformat is C-fast (an export parses 100k of them).
    return datetime.fromisoformat(text)


def _maybe(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def validation_queue(
    db: LocalDb, *, now: datetime, limit: int = 200, offset: int = 0
) -> list[WaitingItem]:
    """Reports waiting for validation, longest waiting first."""
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT {columns()}, (SELECT MAX(t.at) FROM timeline AS t WHERE t.report_id = r.id "
            "AND t.event = 'complete') AS submitted_at FROM reports AS r "
            "WHERE r.in_scope = 1 AND r.status = 'menunggu_validasi' "
            "ORDER BY COALESCE(submitted_at, r.received_at), r.received_at, r.id LIMIT ? OFFSET ?",
            [limit, offset],
        ).fetchall()
    out = []
    for r in rows:
        submitted = dt_in(r["submitted_at"])
        since = submitted if submitted is not None else dt_in(r["received_at"])
        assert since is not None
        out.append(WaitingItem(queue_item(r, now), submitted, max(now - since, timedelta(0))))
    return out
