"""The app's entry for Flet: `make_main(device)` gives the `main(page)` Flet runs per page."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from .device import Device
from .i18n import Translator
from .views.app_root import App


def make_main(device: Device) -> Callable[[ft.Page], None]:
    def main(page: ft.Page) -> None:
        # The browser tab's (and the window's) title from the first frame: a title set
        # while the views render would not reach the page's own properties.
        page.title = Translator(device.prefs.language).t("app.name")
        page.render_views(App, device)

    return main
