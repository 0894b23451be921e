"""The app's entry for Flet: `make_main(device)` gives the `main(page)` Flet runs per page."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from .device import Device
from .views.app_root import App


def make_main(device: Device) -> Callable[[ft.Page], None]:
    def main(page: ft.Page) -> None:
        page.render_views(App, device)

    return main
