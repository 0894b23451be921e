"""The supervisor's routes, for the app's router (the app adds its shared screens:
Perlu perhatian and Pengaturan). A report opens over the list it was tapped in
(`<list>/laporan/:rid`, see `open_report`)."""

from __future__ import annotations

import flet as ft

from domain import Role

from ..validator.routes import validator_routes
from ..views.detail_view import DetailView
from .open_report import DETAIL_CHILD
from .views.dashboard_view import SupervisorDashboard
from .views.dispatch_view import DispatchView
from .views.extensions_view import ExtensionsView
from .views.map_view import MapView
from .views.sla_view import SlaWatchView
from .views.team_view import TeamView


def _report() -> list[ft.Route]:
    """A report opened from a list: the app's Detail laporan over the list."""
    return [ft.Route(path=DETAIL_CHILD, component=DetailView)]


def supervisor_routes() -> list[ft.Route]:
    return [
        ft.Route(path="/", component=SupervisorDashboard),
        ft.Route(path="/disposisi", component=DispatchView, children=_report()),
        ft.Route(path="/perpanjangan", component=ExtensionsView, children=_report()),
        ft.Route(path="/sla", component=SlaWatchView, children=_report()),
        ft.Route(path="/tim", component=TeamView),
        ft.Route(path="/peta", component=MapView, children=_report()),
    ]


def role_routes(role: Role) -> list[ft.Route] | None:
    """The home routes of a role's app, or None for the officer (the app's own queue).

    The app's router calls this with the signed-in user's role and appends the screens
    every role shares (Perlu perhatian, Pengaturan); a coordinator has no screens of
    its own yet and gets the officer's (read-only for them: the domain offers no
    officer action to a coordinator).
    """
    if role is Role.SUPERVISOR:
        return supervisor_routes()
    if role is Role.VALIDATOR:
        return validator_routes()
    if role is Role.ANALYST:
        from ..city.routes import city_routes

        return city_routes()
    return None
