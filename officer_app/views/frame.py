"""The frame every signed-in screen shares: app bar, sync bar, content, navigation.

A plain function (not a component): it only arranges the controls its caller built.
On a wide window the content is limited to `MAX_WIDTH` and centred, so the phone
layout reads well on a desktop too; the bottom navigation bar has three large
destinations (touch targets >= 48 px).
"""

from __future__ import annotations

from typing import Any

import flet as ft

from domain import Role

from ..state.session import Session
from .nav_bar import nav_bar
from .sync_bar import SyncBar

MAX_WIDTH = 920.0
SIDE_PADDING = 12


def screen(
    session: Session,
    *,
    route: str,
    title: str,
    body: list[ft.Control],
    nav_index: int | None = None,
    actions: list[ft.Control] | None = None,
    scroll: bool = True,
    floating: ft.FloatingActionButton | None = None,
    leading: ft.Control | None = None,
) -> ft.View:
    inner = ft.Column(
        controls=body,
        spacing=8,
        expand=True,
        scroll=ft.ScrollMode.AUTO if scroll else None,
    )
    role_nav = _role_nav(session, route)
    if role_nav is not None:
        # A supervisor's or validator's desktop frame (their rail) for a shared screen,
        # a report opened from one of their lists included: the rail stays.
        from ..supervisor.views.shell import role_view

        nav, selected = role_nav
        return role_view(
            session,
            route=route,
            title=title,
            body=body,
            nav=nav,
            selected=selected,
            actions=actions,
            scroll=scroll,
        )
    wide = session.app.width > MAX_WIDTH + 2 * SIDE_PADDING
    return ft.View(
        route=route,
        padding=0,
        spacing=0,
        appbar=ft.AppBar(title=ft.Text(title), actions=actions or [], leading=leading),
        navigation_bar=nav_bar(session, nav_index) if nav_index is not None else None,
        floating_action_button=floating,
        controls=[
            SyncBar(),
            ft.Container(
                expand=True,
                alignment=ft.Alignment.TOP_CENTER,
                padding=ft.Padding.symmetric(horizontal=SIDE_PADDING, vertical=8),
                content=ft.Container(content=inner, width=MAX_WIDTH if wide else None),
            ),
        ],
    )


def _role_nav(session: Session, route: str) -> tuple[tuple[Any, ...], int | None] | None:
    """The role's navigation (and this route's place in it) for non-officers."""
    account = session.app.account
    if account is None or account.user.role not in (Role.SUPERVISOR, Role.VALIDATOR, Role.ANALYST):
        return None
    from ..supervisor.views.shell import CITY_NAV, SUPERVISOR_NAV, VALIDATOR_NAV

    nav = {Role.SUPERVISOR: SUPERVISOR_NAV, Role.VALIDATOR: VALIDATOR_NAV}.get(
        account.user.role, CITY_NAV
    )
    # The destination the route is under ("/peta/laporan/x" is under Peta's "/peta").
    under = [
        (len(d.route), i)
        for i, d in enumerate(nav)
        if route == d.route or (d.route != "/" and route.startswith(d.route + "/"))
    ]
    selected = max(under)[1] if under else None
    return nav, selected
