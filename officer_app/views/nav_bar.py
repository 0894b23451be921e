"""The bottom navigation: Antrian, Peta, Perlu perhatian (with its count), Pengaturan.

A plain builder, not a component: a View's `navigation_bar` slot takes a control. The
screen that uses it watches the attention model, so the count stays current.
"""

from __future__ import annotations

import flet as ft

from ..state.session import Session

ROUTES = ("/", "/peta", "/perhatian", "/pengaturan")


def nav_bar(session: Session, selected: int) -> ft.NavigationBar:
    app = session.app
    count = session.attention.count

    def go(e: ft.Event[ft.NavigationBar]) -> None:
        index = e.control.selected_index
        if index != selected:
            session.navigate(ROUTES[index])

    return ft.NavigationBar(
        selected_index=selected,
        on_change=go,
        destinations=[
            ft.NavigationBarDestination(
                icon=ft.Icons.LIST_ALT_OUTLINED,
                selected_icon=ft.Icons.LIST_ALT,
                label=app.t("nav.queue"),
            ),
            ft.NavigationBarDestination(
                icon=ft.Icons.MAP_OUTLINED,
                selected_icon=ft.Icons.MAP,
                label=app.t("nav.map"),
            ),
            ft.NavigationBarDestination(
                icon=ft.Icon(
                    ft.Icons.REPORT_PROBLEM_OUTLINED,
                    badge=ft.Badge(label=str(count)) if count else None,
                ),
                selected_icon=ft.Icons.REPORT_PROBLEM,
                label=app.t("nav.attention"),
            ),
            ft.NavigationBarDestination(
                icon=ft.Icons.SETTINGS_OUTLINED,
                selected_icon=ft.Icons.SETTINGS,
                label=app.t("nav.settings"),
            ),
        ],
    )
