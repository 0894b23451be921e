"""Names to Flet values: the models speak in plain names ('red_700', 'ADD_ROAD')."""

from __future__ import annotations

from typing import Any

import flet as ft


def colour(name: str) -> ft.Colors:
    try:
        return ft.Colors[name.upper()]
    except KeyError:
        return ft.Colors.BLUE_GREY_400


def icon(name: str) -> Any:
    return getattr(ft.Icons, name, ft.Icons.REPORT)
