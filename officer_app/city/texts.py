"""The Dasbor kota's numbers as people read them (Indonesian number style first)."""

from __future__ import annotations

from datetime import date

from domain.categories import CATEGORIES, CHANNELS

from ..i18n import Translator

MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def number(n: float, lang: str, digits: int = 0) -> str:
    """12.345 / 12,345; 507,8 / 507.8."""
    text = f"{n:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def share(value: float | None, lang: str) -> str:
    return "–" if value is None else number(100 * value, lang, 1) + " %"


def hours(value: float | None, tr: Translator) -> str:
    if value is None:
        return "–"
    return tr.t("city.hours", n=number(value, tr.lang, 1))


def day(value: date | None, lang: str) -> str:
    if value is None:
        return "–"
    months = MONTHS_ID if lang == "id" else MONTHS_EN
    return f"{value.day} {months[value.month - 1]} {value.year}"


def month(value: str, lang: str) -> str:
    """ "2024-05" -> "Mei 2024"."""
    year, m = value.split("-")
    months = MONTHS_ID if lang == "id" else MONTHS_EN
    return f"{months[int(m) - 1]} {year}"


def category_label(code: str, lang: str) -> str:
    c = CATEGORIES.get(code)
    return c.name(lang) if c else code


def channel_label(code: str) -> str:
    c = CHANNELS.get(code)
    return c.name if c else code
