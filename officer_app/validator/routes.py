"""The validator's routes, for the app's router (the app adds its shared screens:
Perlu perhatian and Pengaturan)."""

from __future__ import annotations

import flet as ft

from .views.queue_view import ValidationQueueView
from .views.review_view import ReviewView


def validator_routes() -> list[ft.Route]:
    return [
        ft.Route(path="/", component=ValidationQueueView),
        ft.Route(path="/validasi/:rid", component=ReviewView),
    ]
