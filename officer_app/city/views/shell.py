"""The frame of the Dasbor kota: the desktop roles' frame with the analyst's rail."""

from __future__ import annotations

import flet as ft

from ...state.session import Session
from ...supervisor.views.shell import CITY_NAV, role_view


def city_view(
    session: Session,
    *,
    route: str,
    title: str,
    body: list[ft.Control],
    selected: int | None,
    actions: list[ft.Control] | None = None,
) -> ft.View:
    return role_view(
        session,
        route=route,
        title=title,
        body=body,
        nav=CITY_NAV,
        selected=selected,
        actions=actions,
    )


__all__ = ["CITY_NAV", "city_view"]
