"""SLA deadlines, urgency levels and the urgency order, in Asia/Jakarta and UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import JAKARTA, InvalidValue, Report, Status, UrgencyLevel, by_urgency, urgency
from domain.categories import with_sla
from domain.sla import deadline_for, format_time_left

WIB_2300 = datetime(2026, 11, 20, 23, 0, tzinfo=JAKARTA)  # 16:00 UTC


def rep(rid: str, received: datetime, status: Status = Status.DALAM_PROSES, **kw: object) -> Report:
    return Report(
        id=rid,
        tracking_id=f"CRM-{rid}",
        status=status,
        category="jalan",
        channel="jaki",
        unit_id="kel-1",
        received_at=received,
        assignee_id="u",
        **kw,  # type: ignore[arg-type]
    )


def test_deadline_is_seven_days_after_receipt_whatever_the_zone() -> None:
    r = rep("a", WIB_2300)
    assert r.deadline == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert r.deadline.astimezone(JAKARTA).hour == 23
    assert deadline_for(WIB_2300, 7) == r.deadline


def test_category_sla_is_configurable() -> None:
    roads = with_sla("jalan", 21)
    r = rep("a", WIB_2300, sla_days=roads.sla_days)
    assert r.deadline - r.received_at == timedelta(days=21)
    with pytest.raises(InvalidValue):
        with_sla("jalan", 0)


def test_approved_extension_moves_the_deadline() -> None:
    new = datetime(2026, 12, 11, 17, 0, tzinfo=JAKARTA)
    r = rep("a", WIB_2300, extended_deadline=new)
    assert r.deadline == new
    now = datetime(2026, 11, 28, 9, 0, tzinfo=JAKARTA)  # past the original deadline
    assert urgency(r, now).level is UrgencyLevel.ON_TRACK


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(InvalidValue):
        rep("a", datetime(2026, 11, 20, 23, 0))
    with pytest.raises(InvalidValue):
        urgency(rep("a", WIB_2300), datetime(2026, 11, 21))


@pytest.mark.parametrize(
    ("hours_left", "level"),
    [
        (-30, UrgencyLevel.OVERDUE),
        (-0.01, UrgencyLevel.OVERDUE),
        (0, UrgencyLevel.DUE_SOON),
        (23.9, UrgencyLevel.DUE_SOON),
        (24, UrgencyLevel.AT_RISK),
        (71.9, UrgencyLevel.AT_RISK),
        (72, UrgencyLevel.ON_TRACK),
    ],
)
def test_levels(hours_left: float, level: UrgencyLevel) -> None:
    r = rep("a", WIB_2300)
    now = r.deadline - timedelta(hours=hours_left)
    assert urgency(r, now).level is level


def test_closed_reports_have_no_sla_clock() -> None:
    r = rep("a", WIB_2300, status=Status.SELESAI)
    assert urgency(r, r.deadline + timedelta(days=3)).level is UrgencyLevel.CLOSED


def test_urgency_order_overdue_first_then_least_time_left_then_oldest() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=JAKARTA)
    very_late = rep("very_late", now - timedelta(days=10))
    late = rep("late", now - timedelta(days=8))
    soon = rep("soon", now - timedelta(days=6, hours=20))
    later = rep("later", now - timedelta(days=1))
    # Same deadline as `soon` (received together), but received a minute earlier? No:
    # same deadline means same receipt for a fixed SLA, so use an extension to tie.
    tie_old = rep("tie_old", now - timedelta(days=9), extended_deadline=soon.deadline)
    done = rep("done", now - timedelta(days=30), status=Status.SELESAI)
    ordered = by_urgency([later, done, soon, late, tie_old, very_late])
    assert [r.id for r in ordered] == ["very_late", "late", "tie_old", "soon", "later", "done"]
    levels = [urgency(r, now).level for r in ordered]
    assert levels[:2] == [UrgencyLevel.OVERDUE, UrgencyLevel.OVERDUE]


def test_server_time_decides_not_the_phone_clock() -> None:
    r = rep("a", WIB_2300)
    phone_clock_behind = r.deadline - timedelta(hours=30)
    server_now = r.deadline + timedelta(hours=2)
    assert urgency(r, phone_clock_behind).level is UrgencyLevel.AT_RISK
    assert urgency(r, server_now).is_overdue


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=40 * 24 * 60),
            st.integers(min_value=1, max_value=30),
            st.sampled_from([Status.BARU, Status.DALAM_PROSES, Status.SELESAI]),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=0, max_value=60 * 24 * 60),
)
def test_order_matches_the_definition_for_any_now(
    items: list[tuple[int, int, Status]], now_minutes: int
) -> None:
    base = datetime(2026, 10, 1, tzinfo=UTC)
    reports = [
        rep(f"r{i}", base + timedelta(minutes=m), status=s, sla_days=d)
        for i, (m, d, s) in enumerate(items)
    ]
    now = base + timedelta(minutes=now_minutes)

    def definition(r: Report) -> tuple[int, int, float, float, datetime]:
        u = urgency(r, now)
        closed = 1 if r.status.is_terminal else 0
        left = u.time_left.total_seconds()
        overdue_first = 0 if left < 0 else 1
        return (closed, overdue_first, left, 0.0, r.received_at)

    got = [definition(r)[:3] for r in by_urgency(reports)]
    assert got == sorted(got)


def test_time_left_text() -> None:
    assert format_time_left(timedelta(days=3, hours=4)) == "3 hari 4 jam lagi"
    assert format_time_left(-timedelta(hours=5)) == "terlambat 5 jam"
    assert format_time_left(timedelta(minutes=42)) == "42 menit lagi"
    assert format_time_left(timedelta(days=2), "en") == "2d 0h left"
    assert format_time_left(-timedelta(days=1, hours=2), "en") == "overdue by 1d 2h"
