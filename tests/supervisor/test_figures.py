"""`local_db.figures` on a real device database filled through the real pull path."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import local_db
from domain import JAKARTA, Action, Status, UrgencyLevel
from local_db import figures
from local_db.figures import HolderKind, Period

from .reference import expected_dashboard, expected_team
from .stories import (
    KELURAHAN,
    OFFICERS,
    OTHER_UNIT,
    REDONE,
    SUP,
    SUPERVISOR_INFO,
    UNIT,
    Story,
    fill,
    officer,
    random_stories,
    sign_in,
    utc,
)

NOW = utc(2026, 11, 20, 3, 0)  # 10:00 WIB
H = timedelta(hours=1)
D = timedelta(days=1)
SECOND = timedelta(seconds=1)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[local_db.LocalDb]:
    handle = local_db.LocalDb.open(tmp_path / "device.sqlite")
    sign_in(handle, SUPERVISOR_INFO, NOW)
    try:
        yield handle
    finally:
        handle.close()


def close(a: timedelta | None, b: timedelta | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < SECOND


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("days", [30, 7])
def test_dashboard_equals_an_independent_computation(
    db: local_db.LocalDb, seed: int, days: int
) -> None:
    stories = random_stories(random.Random(seed), 400, NOW)
    snaps = [s.snapshot() for s in stories]
    fill(db, snaps, NOW)
    got = figures.dashboard(db, now=NOW, unit_id=UNIT, days=days)
    want = expected_dashboard(snaps, NOW, days)

    assert {s.value: n for s, n in got.by_status.items()} == want.by_status
    assert got.total == len(snaps)
    assert (got.overdue, got.due_24h, got.received_today) == (
        want.overdue,
        want.due_24h,
        want.received_today,
    )
    assert {c.key: c.count for c in got.by_category} == want.by_category
    assert {c.key: c.count for c in got.by_kelurahan} == want.by_kelurahan
    assert {d.day: d.count for d in got.by_day} == want.by_day
    assert [d.day for d in got.by_day] == sorted(want.by_day)
    assert got.coordination.n == want.coordination_n > 0
    assert close(got.coordination.value, want.coordination)
    assert got.completion.n == want.completion_n > 0
    assert close(got.completion.value, want.completion)
    assert (got.within_sla.part, got.within_sla.whole) == want.within
    # The sanity of the data itself: the figures are not trivially zero.
    assert want.overdue > 0 and want.within[0] > 0


@pytest.mark.parametrize("seed", [4, 5])
def test_team_equals_an_independent_computation(db: local_db.LocalDb, seed: int) -> None:
    snaps = [s.snapshot() for s in random_stories(random.Random(seed), 400, NOW)]
    fill(db, snaps, NOW)
    rows = figures.team(db, now=NOW, unit_id=UNIT, days=30)
    want = expected_team(snaps, NOW, 30, [o.id for o in OFFICERS])

    assert [r.name for r in rows] == sorted(o.name for o in OFFICERS)
    for r in rows:
        w = want[r.officer_id]
        assert (r.done, r.in_progress, r.overdue) == (w.done, w.in_progress, w.overdue)
        assert close(r.completion.value, w.completion)
        assert (r.rework.part, r.rework.whole) == (w.reworked, w.submitted)
        assert (r.rating is None and w.rating is None) or abs(
            (r.rating or 0) - (w.rating or 0)
        ) < 1e-9
    assert sum(r.done for r in rows) > 0 and sum(r.rework.part for r in rows) > 0


def test_a_small_unit_by_hand(db: local_db.LocalDb) -> None:
    """Five reports whose every figure can be checked by reading them."""
    a = Story.new("A", NOW - 2 * H)  # received today, not dispatched
    b = Story.new("B", NOW - 8 * D, category="pohon").dispatch("off-1", 2 * H)  # overdue
    c = Story.new("C", NOW - 3 * D, kelurahan=KELURAHAN[1]).dispatch("off-2", 4 * H)
    c.work(H).complete(H).approve(H, rating=4)  # done in 2 days' time: within SLA
    d = Story.new("D", NOW - 6 * D - 20 * H).dispatch("off-2", 6 * H)  # due in 4 h
    e = Story.new("E", NOW - 20 * D).dispatch("off-1", 10 * H).work(H)
    e.complete(8 * D).approve(H, rating=2)  # completed late
    fill(db, [s.snapshot() for s in (a, b, c, d, e)], NOW)

    got = figures.dashboard(db, now=NOW, unit_id=UNIT, days=30)
    assert got.by_status == {Status.BARU: 1, Status.DIDISPOSISIKAN: 2, Status.SELESAI: 2}
    assert (got.overdue, got.due_24h, got.received_today, got.sla_active) == (1, 1, 1, 3)
    assert got.coordination.n == 4
    assert got.coordination.value == (2 * H + 4 * H + 6 * H + 10 * H) / 4
    c_done = 4 * H + 20 * timedelta(minutes=1) + H + H
    e_done = 10 * H + 20 * timedelta(minutes=1) + H + 8 * D
    assert got.completion.n == 2
    assert got.completion.value == (c_done + e_done) / 2
    # C on time, E late, B overdue and still open: 1 of 3.
    assert (got.within_sla.part, got.within_sla.whole) == (1, 3)
    assert [(k.key, k.count) for k in got.by_category] == [("jalan", 4), ("pohon", 1)]
    assert [(k.label, k.count) for k in got.by_kelurahan] == [("Menteng", 4), ("Cikini", 1)]
    assert len(got.by_day) == 30 and got.by_day[-1].count == 1

    team = {r.officer_id: r for r in figures.team(db, now=NOW, unit_id=UNIT, days=30)}
    assert (team["off-1"].done, team["off-1"].in_progress, team["off-1"].overdue) == (1, 1, 1)
    assert (team["off-2"].done, team["off-2"].in_progress, team["off-2"].overdue) == (1, 1, 0)
    assert team["off-1"].rating == 2 and team["off-2"].rating == 4
    assert team["off-3"].done == 0 and team["off-3"].rating is None  # an idle officer is listed

    loads = figures.officer_loads(db, now=NOW, unit_id=UNIT)
    assert [(o.officer_id, o.active, o.overdue) for o in loads] == [
        ("off-3", 0, 0),
        ("off-2", 1, 0),
        ("off-1", 1, 1),
    ]


def test_jakarta_days_not_utc_days(db: local_db.LocalDb) -> None:
    midnight = datetime(2026, 11, 20, 0, 0, tzinfo=JAKARTA)  # 2026-11-19 17:00 UTC
    late = Story.new("L", midnight - 30 * timedelta(minutes=1))  # 23:30 WIB yesterday
    early = Story.new("E", midnight + 10 * timedelta(minutes=1))  # 00:10 WIB today
    fill(db, [late.snapshot(), early.snapshot()], NOW)
    got = figures.dashboard(db, now=NOW, unit_id=UNIT, days=2)
    assert got.received_today == 1
    assert [(d.day.isoformat(), d.count) for d in got.by_day] == [
        ("2026-11-19", 1),
        ("2026-11-20", 1),
    ]
    assert Period.last_days(NOW, 2).start == midnight - D


def test_all_time_period_and_other_units_are_left_out(db: local_db.LocalDb) -> None:
    old = Story.new("O", NOW - 50 * D)
    other = Story.new("X", NOW - H, unit=OTHER_UNIT)
    fill(db, [old.snapshot(), other.snapshot()], NOW)
    assert figures.dashboard(db, now=NOW, unit_id=UNIT, days=30).by_category == ()
    everything = figures.dashboard(db, now=NOW, unit_id=UNIT, days=None)
    assert [(c.key, c.count) for c in everything.by_category] == [("jalan", 1)]
    assert everything.by_day == () and everything.total == 1
    assert figures.dashboard(db, now=NOW, unit_id=None, days=None).total == 2


def test_sla_watch_lists_and_holders(db: local_db.LocalDb) -> None:
    new_late = Story.new("N", NOW - 9 * D)
    officer_late = Story.new("O", NOW - 8 * D).dispatch("off-1", H)
    waiting_late = Story.new("W", NOW - 7 * D - H).dispatch("off-2", H).work(H).complete(H)
    soon = Story.new("S", NOW - 6 * D - 12 * H).dispatch("off-2", H)
    risk = Story.new("R", NOW - 5 * D).dispatch("off-1", H)
    calm = Story.new("C", NOW - D).dispatch("off-1", H)
    done_late = Story.new("D", NOW - 9 * D).dispatch("off-1", H).work(H).complete(H).approve(H)
    stories = (new_late, officer_late, waiting_late, soon, risk, calm, done_late)
    fill(db, [s.snapshot() for s in stories], NOW)

    watch = figures.sla_watch(db, now=NOW, unit_id=UNIT)
    assert [w.item.report.id for w in watch.breaches] == ["N", "O", "W"]
    assert [(w.holder, w.holder_name) for w in watch.breaches] == [
        (HolderKind.UNIT, ""),
        (HolderKind.OFFICER, "Budi Santoso"),
        (HolderKind.VALIDATOR, ""),
    ]
    assert all(w.item.urgency.level is UrgencyLevel.OVERDUE for w in watch.breaches)
    assert [w.item.report.id for w in watch.at_risk] == ["S", "R"]
    assert [w.item.urgency.level for w in watch.at_risk] == [
        UrgencyLevel.DUE_SOON,
        UrgencyLevel.AT_RISK,
    ]


def test_dispatch_queue_extensions_and_a_local_dispatch(db: local_db.LocalDb) -> None:
    first = Story.new("1", NOW - 3 * D)
    second = Story.new("2", NOW - D)
    third = Story.new("3", NOW - 2 * D, sla_days=3)  # shorter SLA: the most urgent
    ext = Story.new("X", NOW - 6 * D).dispatch("off-1", H).work(H)
    ext.do(
        officer("off-1"),
        Action.REQUEST_EXTENSION,
        H,
        {"reason": "Perlu alat berat", "proposed_deadline": (NOW + 10 * D).isoformat()},
    )
    fill(db, [s.snapshot() for s in (first, second, third, ext)], NOW)

    queue = figures.dispatch_queue(db, now=NOW, unit_id=UNIT)
    assert [i.report.id for i in queue] == ["3", "1", "2"]
    [req] = figures.extension_requests(db, now=NOW, unit_id=UNIT)
    assert req.report.id == "X" and req.report.extension.reason == "Perlu alat berat"

    # The supervisor dispatches offline: the screens show it at once.
    local_db.record_action(db, SUP, "3", Action.DISPATCH, {"assignee_id": "off-3"}, NOW)
    assert [i.report.id for i in figures.dispatch_queue(db, now=NOW, unit_id=UNIT)] == ["1", "2"]
    loads = {o.officer_id: o.active for o in figures.officer_loads(db, now=NOW, unit_id=UNIT)}
    assert loads == {"off-1": 1, "off-2": 0, "off-3": 1}
    local_db.record_action(db, SUP, "X", Action.APPROVE_EXTENSION, {}, NOW)
    assert figures.extension_requests(db, now=NOW, unit_id=UNIT) == []


def test_validation_queue_longest_waiting_first(db: local_db.LocalDb) -> None:
    a = Story.new("A", NOW - 5 * D).dispatch("off-1", H).work(H).complete(4 * D)  # waits ~20 h
    b = Story.new("B", NOW - 2 * D).dispatch("off-2", H).work(H).complete(H)  # waits ~45 h
    c = Story.new("C", NOW - 6 * D).dispatch("off-2", H).work(H).complete(H)
    c.send_back(H).complete(5 * D, photo=REDONE)  # resubmitted: waits since the last completion
    fill(db, [s.snapshot() for s in (a, b, c)], NOW)

    queue = figures.validation_queue(db, now=NOW)
    assert [w.item.report.id for w in queue] == ["B", "A", "C"]
    assert queue[0].submitted_at == b.t and queue[0].waited == NOW - b.t
    assert queue[2].submitted_at == c.t
    assert queue[0].waited > queue[1].waited > queue[2].waited


def test_map_points_and_the_kelurahan_fallback(db: local_db.LocalDb) -> None:
    late = Story.new("L", NOW - 8 * D, kelurahan=KELURAHAN[1])
    soon = Story.new("S", NOW - 6 * D - 12 * H, kelurahan=KELURAHAN[1])
    calm = Story.new("C", NOW - D)
    nowhere = Story.new("N", NOW - D, lat=None, lon=None)
    done = Story.new("D", NOW - D).dispatch("off-1", H).work(H).complete(H).approve(H)
    fill(db, [s.snapshot() for s in (late, soon, calm, nowhere, done)], NOW)

    points = figures.map_points(db, now=NOW, unit_id=UNIT)
    assert [(p.report_id, p.level) for p in points] == [
        ("L", UrgencyLevel.OVERDUE),
        ("S", UrgencyLevel.DUE_SOON),
        ("C", UrgencyLevel.ON_TRACK),
    ]
    loads = figures.kelurahan_loads(db, now=NOW, unit_id=UNIT)
    assert [(k.name, k.open, k.overdue, k.due_soon) for k in loads] == [
        ("Cikini", 2, 1, 1),
        ("Menteng", 2, 0, 0),
    ]
    assert loads[0].latitude == pytest.approx(-6.19)


def test_export_rows_carry_the_event_times(db: local_db.LocalDb) -> None:
    s = Story.new("A", NOW - 3 * D).dispatch("off-1", 2 * H).work(H).complete(H)
    late = Story.new("B", NOW - 9 * D)
    fill(db, [s.snapshot(), late.snapshot()], NOW)
    rows = figures.export_rows(db, now=NOW, unit_id=UNIT)
    assert [r.tracking_id for r in rows] == ["CRM-2026-B", "CRM-2026-A"]
    assert rows[0].overdue and rows[0].dispatched_at is None
    assert rows[1].dispatched_at == NOW - 3 * D + 2 * H
    assert rows[1].completed_at == s.t and not rows[1].overdue
    assert rows[1].received_at == NOW - 3 * D and rows[1].deadline == NOW + 4 * D
    assert rows[1].assignee_name == "Budi Santoso" and rows[1].status is Status.MENUNGGU_VALIDASI
