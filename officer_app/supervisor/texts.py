"""How the roles' figures read on screen: durations, shares, urgency levels, holders.

Pure functions of their arguments and a `Translator`, so a test reads the same words a
supervisor reads. Indonesian writes decimals with a comma ("87,5%").
"""

from __future__ import annotations

from datetime import timedelta

from domain import UrgencyLevel
from local_db.figures import HolderKind, Share, WatchItem

from ..i18n import Translator


def duration_text(value: timedelta | None, tr: Translator) -> str:
    if value is None:
        return tr.t("supervisor.no_data")
    minutes = max(0, int(value.total_seconds() // 60))
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if days:
        return tr.t("supervisor.duration.days", d=days, h=hours)
    if hours:
        return tr.t("supervisor.duration.hours", h=hours, m=mins)
    return tr.t("supervisor.duration.minutes", m=mins)


def decimal(value: float, digits: int, tr: Translator) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if tr.lang == "id" else text


def percent_text(ratio: float | None, tr: Translator) -> str:
    if ratio is None:
        return tr.t("supervisor.no_data")
    return decimal(ratio * 100, 1, tr) + "%"


def share_text(share: Share, tr: Translator) -> str:
    return percent_text(share.ratio, tr)


def rating_text(rating: float | None, tr: Translator) -> str:
    return "-" if rating is None else decimal(rating, 2, tr)


def level_text(level: UrgencyLevel, tr: Translator) -> str:
    return tr.t(f"supervisor.level.{level.value}")


def holder_text(item: WatchItem, tr: Translator) -> str:
    if item.holder is HolderKind.OFFICER:
        return tr.t("supervisor.holder.officer", name=item.holder_name or "-")
    return tr.t(f"supervisor.holder.{item.holder.value}")
