"""The supervisor's routes, for the app's router (the app adds its shared screens:
Perlu perhatian and Pengaturan)."""

from __future__ import annotations

import flet as ft

from .views.dashboard_view import SupervisorDashboard
from .views.dispatch_view import DispatchView
from .views.extensions_view import ExtensionsView
from .views.map_view import MapView
from .views.sla_view import SlaWatchView
from .views.team_view import TeamView


def supervisor_routes() -> list[ft.Route]:
    return [
        ft.Route(path="/", component=SupervisorDashboard),
        ft.Route(path="/disposisi", component=DispatchView),
        ft.Route(path="/perpanjangan", component=ExtensionsView),
        ft.Route(path="/sla", component=SlaWatchView),
        ft.Route(path="/tim", component=TeamView),
        ft.Route(path="/peta", component=MapView),
    ]
