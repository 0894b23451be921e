"""How values read on screen: time left, dates in WIB, distances, urgency colours.

Pure functions of their arguments (the language and `now` are passed in), so the
view-models can precompute every text a row shows and tests can check it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from domain import JAKARTA, UrgencyLevel, category
from domain.errors import UnknownCode
from domain.geo import distance_m
from domain.sla import format_time_left

from .i18n import Translator

# Colour scale of the SLA chip, from calm to alarming (Material colour names).
URGENCY_COLOURS: dict[UrgencyLevel, str] = {
    UrgencyLevel.OVERDUE: "red_700",
    UrgencyLevel.DUE_SOON: "deep_orange_600",
    UrgencyLevel.AT_RISK: "amber_800",
    UrgencyLevel.ON_TRACK: "green_700",
    UrgencyLevel.CLOSED: "blue_grey_400",
}

_MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def time_left_text(level: UrgencyLevel, time_left: timedelta, tr: Translator) -> str:
    if level is UrgencyLevel.CLOSED:
        return tr.t("sla.closed")
    return format_time_left(time_left, tr.lang)


def wib(value: datetime | None, tr: Translator, *, with_time: bool = True) -> str:
    """'14 Mei 2024 10.05 WIB' / '14 May 2024 10:05 WIB'."""
    if value is None:
        return "-"
    local = value.astimezone(JAKARTA)
    months = _MONTHS_ID if tr.lang == "id" else _MONTHS_EN
    day = f"{local.day} {months[local.month - 1]} {local.year}"
    if not with_time:
        return day
    sep = "." if tr.lang == "id" else ":"
    return f"{day} {local.hour:02d}{sep}{local.minute:02d} WIB"


def ago(value: datetime | None, now: datetime, tr: Translator) -> str:
    if value is None:
        return tr.t("time.never")
    seconds = max(0, int((now - value).total_seconds()))
    if seconds < 60:
        return tr.t("time.just_now")
    if seconds < 3600:
        return tr.t("time.minutes_ago", n=seconds // 60)
    if seconds < 86_400:
        return tr.t("time.hours_ago", n=seconds // 3600)
    return wib(value, tr)


def distance_text(metres: float | None, tr: Translator) -> str:
    if metres is None:
        return ""
    if metres < 1000:
        return tr.t("distance.m", n=int(round(metres / 10.0) * 10))
    km = metres / 1000
    text = f"{km:.1f}" if km < 10 else f"{km:.0f}"
    if tr.lang == "id":
        text = text.replace(".", ",")
    return tr.t("distance.km", n=text)


def distance_between(
    here: tuple[float, float] | None, lat: float | None, lon: float | None
) -> float | None:
    if here is None or lat is None or lon is None:
        return None
    return distance_m(here[0], here[1], lat, lon)


def category_name(code: str, lang: str) -> str:
    try:
        return category(code).name(lang)
    except UnknownCode:
        return code


def category_icon(code: str) -> str:
    try:
        return category(code).icon
    except UnknownCode:
        return "REPORT"


def size_text(n_bytes: int, lang: str = "en") -> str:
    """A file size for people; Indonesian writes the decimal comma ("1,2 MB")."""
    if n_bytes < 1024:
        return f"{n_bytes} B"
    if n_bytes < 1024 * 1024:
        return f"{n_bytes / 1024:.0f} KB"
    text = f"{n_bytes / (1024 * 1024):.1f} MB"
    return text.replace(".", ",") if lang == "id" else text


def coords_text(lat: float | None, lon: float | None) -> str:
    if lat is None or lon is None:
        return "-"
    return f"{lat:.5f}, {lon:.5f}"


def place_text(address: str, *areas: str) -> str:
    """The address, then each area name (kelurahan, kecamatan, kota) it does not already
    mention: addresses often end with "Kel. Menteng, Kec. Menteng, Jakarta Pusat", and
    a place written twice hides the part that differs."""
    said = address.lower()
    extra: list[str] = []
    for area in areas:
        core = _AREA_KIND.sub("", area).strip().lower()
        if area and core and core not in said and area not in extra:
            extra.append(area)
            said += " " + area.lower()
    return ", ".join(p for p in (address, *extra) if p)


# "Kelurahan Menteng" is said by "Kel. Menteng" in an address: compare the names only.
_AREA_KIND = re.compile(
    r"^(kelurahan|kecamatan|kel\.|kec\.|kota administrasi|kabupaten administrasi|kota)\s+",
    re.IGNORECASE,
)
