"""The frame of the supervisor's and validator's screens on a desktop.

An app bar, the sync bar every screen shares, a navigation rail on the left (the
role's destinations, the rail's labels always shown) and the content. A plain function
that arranges what its caller built; every destination has a stable semantics
identifier (`nav-<name>`) for the browser tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from ...state.session import Session
from ...views.sync_bar import SyncBar


@dataclass(frozen=True, slots=True)
class Destination:
    name: str  # identifier suffix
    route: str
    icon: ft.IconData
    label_key: str


SUPERVISOR_NAV: tuple[Destination, ...] = (
    Destination("dashboard", "/", ft.Icons.DASHBOARD_OUTLINED, "supervisor.nav.dashboard"),
    Destination(
        "dispatch", "/disposisi", ft.Icons.ASSIGNMENT_IND_OUTLINED, "supervisor.nav.dispatch"
    ),
    Destination("extensions", "/perpanjangan", ft.Icons.EVENT_REPEAT, "supervisor.nav.extensions"),
    Destination("sla", "/sla", ft.Icons.TIMER_OUTLINED, "supervisor.nav.sla"),
    Destination("team", "/tim", ft.Icons.GROUPS_OUTLINED, "supervisor.nav.team"),
    Destination("map", "/peta", ft.Icons.MAP_OUTLINED, "supervisor.nav.map"),
    Destination("attention", "/perhatian", ft.Icons.REPORT_PROBLEM_OUTLINED, "nav.attention"),
    Destination("settings", "/pengaturan", ft.Icons.SETTINGS_OUTLINED, "nav.settings"),
)

CITY_NAV: tuple[Destination, ...] = (
    Destination("city", "/", ft.Icons.INSIGHTS_OUTLINED, "city.nav.dashboard"),
    Destination("settings", "/pengaturan", ft.Icons.SETTINGS_OUTLINED, "nav.settings"),
)

VALIDATOR_NAV: tuple[Destination, ...] = (
    Destination("queue", "/", ft.Icons.FACT_CHECK_OUTLINED, "validator.nav.queue"),
    Destination("attention", "/perhatian", ft.Icons.REPORT_PROBLEM_OUTLINED, "nav.attention"),
    Destination("settings", "/pengaturan", ft.Icons.SETTINGS_OUTLINED, "nav.settings"),
)


def role_view(
    session: Session,
    *,
    route: str,
    title: str,
    body: list[ft.Control],
    nav: tuple[Destination, ...],
    selected: int | None,
    actions: list[ft.Control] | None = None,
    scroll: bool = True,
    back: str | None = None,
) -> ft.View:
    """A role's screen; `back` (a route) puts a back arrow in the app bar. A rail
    destination navigates whenever it is not the screen shown (a screen below a
    destination, such as a report opened from a list, goes back to the list)."""
    app = session.app

    def go(e: ft.Event[ft.NavigationRail]) -> None:
        index = e.control.selected_index
        if index is not None and (index != selected or nav[index].route != route):
            session.navigate(nav[index].route)

    rail = ft.NavigationRail(
        selected_index=selected,
        label_type=ft.NavigationRailLabelType.ALL,
        min_width=88,
        on_change=go,
        destinations=[
            ft.NavigationRailDestination(
                icon=ft.Semantics(identifier=f"nav-{d.name}", content=ft.Icon(d.icon)),
                label=app.t(d.label_key),
            )
            for d in nav
        ],
    )
    content = ft.Container(
        expand=True,
        padding=ft.Padding.symmetric(horizontal=16, vertical=8),
        content=ft.Column(
            controls=body,
            spacing=10,
            expand=True,
            scroll=ft.ScrollMode.AUTO if scroll else None,
        ),
    )
    return ft.View(
        route=route,
        padding=0,
        spacing=0,
        appbar=ft.AppBar(
            title=ft.Text(title),
            actions=actions or [],
            leading=None
            if back is None
            else ft.Semantics(
                identifier="nav-back",
                content=ft.IconButton(
                    ft.Icons.ARROW_BACK,
                    tooltip=app.t("nav.back"),
                    on_click=lambda: session.navigate(back),
                ),
            ),
        ),
        controls=[
            SyncBar(),
            ft.Row(
                expand=True,
                spacing=0,
                vertical_alignment=ft.CrossAxisAlignment.STRETCH,
                controls=[rail, ft.VerticalDivider(width=1), content],
            ),
        ],
    )
