"""The analyst's routes (the app adds the shared Perlu perhatian and Pengaturan)."""

from __future__ import annotations

import flet as ft

from .views.city_view import CityDashboard


def city_routes() -> list[ft.Route]:
    return [ft.Route(path="/", component=CityDashboard)]
