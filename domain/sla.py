"""SLA: deadlines, time left and the urgency order of a queue.

Every report must be followed up within its category's SLA (7 days by default) from
receipt; an approved extension moves the deadline. All arithmetic is on aware datetimes
against a *given* `now`, so a device passes its server-corrected clock and a wrong phone
clock cannot hide a breach.

The urgency order (overdue first, most overdue first, then least time left, then oldest)
is the order of (deadline, received_at): a report further past its deadline has an
earlier deadline. So the order never depends on `now` and a database index on the
deadline serves it; `now` only decides the level shown (overdue, due soon...).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .report import Report, require_aware

JAKARTA = ZoneInfo("Asia/Jakarta")
DUE_SOON = timedelta(hours=24)
AT_RISK = timedelta(hours=72)


class UrgencyLevel(StrEnum):
    OVERDUE = "overdue"  # past the deadline
    DUE_SOON = "due_soon"  # under 24 h left
    AT_RISK = "at_risk"  # under 72 h left
    ON_TRACK = "on_track"
    CLOSED = "closed"  # done or closed: no SLA clock any more


@dataclass(frozen=True, slots=True)
class Urgency:
    level: UrgencyLevel
    time_left: timedelta  # negative when overdue

    @property
    def is_overdue(self) -> bool:
        return self.level is UrgencyLevel.OVERDUE


def deadline_for(
    received_at: datetime, sla_days: int, extended: datetime | None = None
) -> datetime:
    require_aware(received_at, "received_at")
    if extended is not None:
        return require_aware(extended, "extended deadline")
    return received_at + timedelta(days=sla_days)


def level_for(time_left: timedelta) -> UrgencyLevel:
    if time_left < timedelta(0):
        return UrgencyLevel.OVERDUE
    if time_left < DUE_SOON:
        return UrgencyLevel.DUE_SOON
    if time_left < AT_RISK:
        return UrgencyLevel.AT_RISK
    return UrgencyLevel.ON_TRACK


def urgency(report: Report, now: datetime) -> Urgency:
    require_aware(now, "now")
    time_left = report.deadline - now
    if report.status.is_terminal:
        return Urgency(UrgencyLevel.CLOSED, time_left)
    return Urgency(level_for(time_left), time_left)


def urgency_key(report: Report) -> tuple[int, datetime, datetime, str]:
    """Sort key: open reports by deadline then age; closed reports last."""
    return (1 if report.status.is_terminal else 0, report.deadline, report.received_at, report.id)


def by_urgency(reports: Iterable[Report]) -> list[Report]:
    return sorted(reports, key=urgency_key)


def format_time_left(time_left: timedelta, lang: str = "id") -> str:
    """'3 hari 4 jam lagi' / 'terlambat 5 jam' (or the English)."""
    overdue = time_left < timedelta(0)
    total_minutes = int(abs(time_left).total_seconds() // 60)
    days, rem = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rem, 60)
    if lang == "id":
        parts = [f"{days} hari"] if days else []
        if hours or (days and not minutes):
            parts.append(f"{hours} jam")
        if not days and (minutes or not hours):
            parts.append(f"{minutes} menit")
        text = " ".join(parts)
        return f"terlambat {text}" if overdue else f"{text} lagi"
    parts = [f"{days}d"] if days else []
    if hours or (days and not minutes):
        parts.append(f"{hours}h")
    if not days and (minutes or not hours):
        parts.append(f"{minutes}m")
    text = " ".join(parts)
    return f"overdue by {text}" if overdue else f"{text} left"
