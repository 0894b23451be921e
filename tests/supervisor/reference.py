"""The figures' definitions written again, plainly, in Python over snapshots.

An independent second implementation (no SQL, no code shared with `local_db.figures`)
that the tests compare the device's SQL against.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain import JAKARTA, Status
from domain.protocol import ReportSnapshot

ACTIVE = {"baru", "didisposisikan", "diterima", "dalam_proses", "menunggu_validasi"}
WORKING = {"didisposisikan", "diterima", "dalam_proses"}


def wib_day(t: datetime) -> date:
    return t.astimezone(JAKARTA).date()


def last(snap: ReportSnapshot, event: str) -> datetime | None:
    times = [t.at for t in snap.timeline if t.event == event]
    return max(times) if times else None


def mean(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    return sum(values, timedelta(0)) / len(values)


@dataclass(frozen=True)
class Expected:
    by_status: dict[str, int]
    overdue: int
    due_24h: int
    received_today: int
    by_category: dict[str, int]
    by_kelurahan: dict[str, int]
    by_day: dict[date, int]
    coordination: timedelta | None
    coordination_n: int
    completion: timedelta | None
    completion_n: int
    within: tuple[int, int]


def expected_dashboard(snaps: Sequence[ReportSnapshot], now: datetime, days: int) -> Expected:
    today = wib_day(now)
    first = today - timedelta(days=days - 1)
    in_period = [s for s in snaps if wib_day(s.report.received_at) >= first]
    active = [s for s in snaps if s.report.status.value in ACTIVE]
    coord = [d - s.report.received_at for s in in_period if (d := last(s, "dispatch")) is not None]
    done = [
        (s, c)
        for s in in_period
        if s.report.status is Status.SELESAI and (c := last(s, "complete")) is not None
    ]
    overdue_in_period = sum(
        1 for s in in_period if s.report.status.value in ACTIVE and s.report.deadline < now
    )
    days_all = {first + timedelta(days=i): 0 for i in range(days)}
    days_all.update(Counter(wib_day(s.report.received_at) for s in in_period))
    return Expected(
        by_status=dict(Counter(s.report.status.value for s in snaps)),
        overdue=sum(1 for s in active if s.report.deadline < now),
        due_24h=sum(1 for s in active if now <= s.report.deadline < now + timedelta(hours=24)),
        received_today=sum(1 for s in snaps if wib_day(s.report.received_at) == today),
        by_category=dict(Counter(s.report.category for s in in_period)),
        by_kelurahan=dict(Counter(s.report.kelurahan_code or "" for s in in_period)),
        by_day=days_all,
        coordination=mean(coord),
        coordination_n=len(coord),
        completion=mean([c - s.report.received_at for s, c in done]),
        completion_n=len(done),
        within=(
            sum(1 for s, c in done if c <= s.report.deadline),
            len(done) + overdue_in_period,
        ),
    )


@dataclass(frozen=True)
class ExpectedTeam:
    done: int
    in_progress: int
    overdue: int
    completion: timedelta | None
    submitted: int
    reworked: int
    rating: float | None


def expected_team(
    snaps: Sequence[ReportSnapshot], now: datetime, days: int, officer_ids: Sequence[str]
) -> dict[str, ExpectedTeam]:
    first = wib_day(now) - timedelta(days=days - 1)
    out = {}
    for oid in officer_ids:
        mine = [s for s in snaps if s.report.assignee_id == oid]
        period = [s for s in mine if wib_day(s.report.received_at) >= first]
        done = [s for s in period if s.report.status is Status.SELESAI]
        times = [c - s.report.received_at for s in done if (c := last(s, "complete"))]
        submitted = [
            s
            for s in period
            if s.report.status in (Status.MENUNGGU_VALIDASI, Status.SELESAI)
            or s.report.rework_count > 0
        ]
        ratings = [s.rating for s in period if s.rating is not None]
        working = [s for s in mine if s.report.status.value in WORKING]
        out[oid] = ExpectedTeam(
            done=len(done),
            in_progress=len(working),
            overdue=sum(1 for s in working if s.report.deadline < now),
            completion=mean(times),
            submitted=len(submitted),
            reworked=sum(1 for s in submitted if s.report.rework_count > 0),
            rating=sum(ratings) / len(ratings) if ratings else None,
        )
    return out
