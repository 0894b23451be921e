"""The bottom navigation: Antrian, Perlu perhatian (with its count), Pengaturan."""

from __future__ import annotations

import flet as ft

from .context import use_session

ROUTES = ("/", "/perhatian", "/pengaturan")


@ft.component
def NavBar(selected: int) -> ft.Control:
    session = use_session()
    app, attention = session.app, session.attention
    ft.use_state(attention)  # re-render when the attention count changes
    count = attention.count

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
