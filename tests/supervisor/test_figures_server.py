"""The dashboard and team figures equal what the server's own database says.

A real reference server is seeded with the demo generator (10,000 reports), then every
report and officer is re-homed into the demo supervisor's unit, so that one unit holds
the whole dataset. The supervisor's device signs in and syncs through the real sync
engine over loopback. Each figure is then computed again by SQL written here, directly
on the server's database (its own columns where they say the same thing: `deadline`,
`completed_at`, `rating`; its timeline for the dispatch), and compared.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

import local_db
from domain import JAKARTA, Status
from local_db import figures
from server.config import Settings
from server.db import write_tx
from server.demo import DEMO_PASSWORD, seed_demo
from server.embedded import EmbeddedServer
from sync import MemoryTokenStore, SyncEngine, SyncSettings, Transport

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
REPORTS = 10_000
ACTIVE = "('baru','didisposisikan','diterima','dalam_proses','menunggu_validasi')"
WORKING = "('didisposisikan','diterima','dalam_proses')"


@dataclass
class Synced:
    engine: Engine
    db: local_db.LocalDb
    unit: str
    sync: SyncEngine
    signed_in: float  # time.monotonic() just before the first clock sample (the login)


def server_text(t: datetime) -> str:
    """The server's SQLite form of a UTC datetime (naive UTC text)."""
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    tmp: Path = tmp_path_factory.mktemp("figures_server")
    settings = Settings(
        db_url=f"sqlite:///{tmp / 'server.sqlite'}",
        photo_dir=tmp / "photos",
        clock=lambda: NOW,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    with EmbeddedServer(settings) as server:
        assert server.engine is not None
        summary = seed_demo(server.engine, reports=REPORTS, seed=11, settings=settings, now=NOW)
        unit = summary.demo_unit
        with write_tx(server.engine) as conn:
            conn.execute(text("UPDATE reports SET unit_id = :u"), {"u": unit})
            conn.execute(text("UPDATE users SET unit_id = :u WHERE role = 'officer'"), {"u": unit})
        db = local_db.LocalDb.open(tmp / "device.sqlite")
        engine = SyncEngine(
            db, Transport(server.base_url), MemoryTokenStore(), SyncSettings(pull_limit=1000)
        )
        try:
            signed_in = time.monotonic()
            engine.login("supervisor.demo", DEMO_PASSWORD)
            engine.sync_once()
            yield Synced(server.engine, db, unit, engine, signed_in)
        finally:
            engine.transport.close()
            db.close()


def one(engine: Engine, sql: str, **params: object) -> tuple:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return tuple(conn.execute(text(sql), params).one())


def rows(engine: Engine, sql: str, **params: object) -> list[tuple]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def jakarta_midnight(days_back: int) -> datetime:
    day = NOW.astimezone(JAKARTA).date() - timedelta(days=days_back)
    return datetime(day.year, day.month, day.day, tzinfo=JAKARTA).astimezone(UTC)


def ms(days: float | None) -> timedelta | None:
    return None if days is None else timedelta(milliseconds=round(days * 86_400_000))


def test_the_device_holds_the_whole_unit(synced: Synced) -> None:
    (n,) = one(synced.engine, "SELECT COUNT(*) FROM reports WHERE unit_id = :u", u=synced.unit)
    assert n >= REPORTS
    got = figures.dashboard(synced.db, now=NOW, unit_id=synced.unit, days=None)
    assert got.total == n
    # The device's clock correction lands on the server's (fixed) clock; the device's own
    # clock runs on since the sample, so the estimate may be ahead by the time since then
    # (a busy machine can spend a minute seeding and syncing before this line).
    ahead = timedelta(seconds=time.monotonic() - synced.signed_in)
    assert (
        NOW - timedelta(minutes=1) < synced.sync.now_server() < NOW + ahead + timedelta(minutes=1)
    )


@pytest.mark.parametrize("days", [30, None])
def test_dashboard_equals_the_servers_sql(synced: Synced, days: int | None) -> None:
    e, u = synced.engine, synced.unit
    got = figures.dashboard(synced.db, now=NOW, unit_id=u, days=days)
    now, now24 = server_text(NOW), server_text(NOW + timedelta(hours=24))
    start = server_text(jakarta_midnight(days - 1)) if days else ""

    assert {s.value: n for s, n in got.by_status.items()} == dict(
        rows(e, "SELECT status, COUNT(*) FROM reports WHERE unit_id = :u GROUP BY status", u=u)
    )
    overdue, due = one(
        e,
        f"SELECT SUM(deadline < :now), SUM(deadline >= :now AND deadline < :now24) "
        f"FROM reports WHERE unit_id = :u AND status IN {ACTIVE}",
        u=u,
        now=now,
        now24=now24,
    )
    (today,) = one(
        e,
        "SELECT COUNT(*) FROM reports WHERE unit_id = :u AND received_at >= :t",
        u=u,
        t=server_text(jakarta_midnight(0)),
    )
    assert (got.overdue, got.due_24h, got.received_today) == (overdue, due, today)
    assert got.overdue > 0 and got.due_24h > 0 and today > 0

    period = "unit_id = :u AND received_at >= :start"
    assert {c.key: c.count for c in got.by_category} == dict(
        rows(
            e,
            f"SELECT category, COUNT(*) FROM reports WHERE {period} GROUP BY category",
            u=u,
            start=start,
        )
    )
    assert {c.key: c.count for c in got.by_kelurahan} == dict(
        rows(
            e,
            f"SELECT COALESCE(kelurahan_code, ''), COUNT(*) FROM reports WHERE {period} GROUP BY 1",
            u=u,
            start=start,
        )
    )
    per_day = dict(
        rows(
            e,
            f"SELECT date(datetime(received_at, '+7 hours')), COUNT(*) FROM reports "
            f"WHERE {period} GROUP BY 1",
            u=u,
            start=start,
        )
    )
    if days:
        assert len(got.by_day) == days
        assert {d.day.isoformat(): d.count for d in got.by_day if d.count} == per_day
    else:
        assert got.by_day == ()

    coord, coord_n = one(
        e,
        f"SELECT AVG(julianday(d.at) - julianday(r.received_at)), COUNT(d.at) FROM reports r "
        f"JOIN (SELECT report_id, MAX(at) AS at FROM timeline WHERE event = 'dispatch' "
        f"GROUP BY report_id) d ON d.report_id = r.id WHERE r.{period.replace(' AND ', ' AND r.')}",
        u=u,
        start=start,
    )
    assert got.coordination.n == coord_n > 0
    assert abs(got.coordination.value - ms(coord)) < timedelta(seconds=1)  # type: ignore[operator]

    done, done_n, on_time, late_open = one(
        e,
        f"SELECT AVG(CASE WHEN status = 'selesai' THEN julianday(completed_at) - "
        f"julianday(received_at) END), SUM(status = 'selesai'), "
        f"SUM(status = 'selesai' AND completed_at <= deadline), "
        f"SUM(status IN {ACTIVE} AND deadline < :now) FROM reports WHERE {period}",
        u=u,
        start=start,
        now=now,
    )
    assert got.completion.n == done_n > 0
    assert abs(got.completion.value - ms(done)) < timedelta(seconds=1)  # type: ignore[operator]
    assert (got.within_sla.part, got.within_sla.whole) == (on_time, done_n + late_open)
    assert 0 < on_time < done_n + late_open


def test_team_equals_the_servers_sql(synced: Synced) -> None:
    e, u = synced.engine, synced.unit
    start = server_text(jakarta_midnight(29))
    now = server_text(NOW)
    team = {r.officer_id: r for r in figures.team(synced.db, now=NOW, unit_id=u, days=30)}
    officers = rows(e, "SELECT id FROM users WHERE role = 'officer' AND unit_id = :u", u=u)
    assert set(team) == {o[0] for o in officers}
    p = "received_at >= :start"
    want = rows(
        e,
        f"SELECT assignee_id, SUM(status = 'selesai' AND {p}), SUM(status IN {WORKING}), "
        f"SUM(status IN {WORKING} AND deadline < :now), "
        f"AVG(CASE WHEN status = 'selesai' AND {p} THEN julianday(completed_at) - "
        f"julianday(received_at) END), "
        f"SUM({p} AND (status IN ('menunggu_validasi', 'selesai') OR rework_count > 0)), "
        f"SUM({p} AND rework_count > 0), AVG(CASE WHEN {p} THEN rating END) "
        f"FROM reports WHERE unit_id = :u AND assignee_id IS NOT NULL GROUP BY assignee_id",
        u=u,
        start=start,
        now=now,
    )
    assert len(want) > 100
    for oid, done, working, overdue, completion, submitted, reworked, rating in want:
        row = team[oid]
        assert (row.done, row.in_progress, row.overdue) == (done, working, overdue), oid
        assert (row.rework.part, row.rework.whole) == (reworked, submitted), oid
        if completion is None:
            assert row.completion.value is None
        else:
            assert abs(row.completion.value - ms(completion)) < timedelta(seconds=1)  # type: ignore[operator]
        assert row.rating == pytest.approx(rating) if rating is not None else row.rating is None
    assert sum(r.done for r in team.values()) > 0
    assert sum(r.rework.part for r in team.values()) > 0
    assert any(r.overdue for r in team.values())


def test_sla_watch_and_dispatch_queue_match_the_server(synced: Synced) -> None:
    e, u = synced.engine, synced.unit
    now = server_text(NOW)
    watch = figures.sla_watch(synced.db, now=NOW, unit_id=u, limit=100_000)
    breaches = [
        r[0]
        for r in rows(
            e,
            f"SELECT id FROM reports WHERE unit_id = :u AND status IN {ACTIVE} "
            "AND deadline < :now ORDER BY deadline, received_at, id",
            u=u,
            now=now,
        )
    ]
    assert [w.item.report.id for w in watch.breaches] == breaches
    baru = [
        r[0]
        for r in rows(
            e,
            "SELECT id FROM reports WHERE unit_id = :u AND status = :s "
            "ORDER BY deadline, received_at, id",
            u=u,
            s=Status.BARU.value,
        )
    ]
    queue = figures.dispatch_queue(synced.db, now=NOW, unit_id=u, limit=100_000)
    assert [i.report.id for i in queue] == baru and baru
