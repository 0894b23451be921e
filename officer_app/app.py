"""The app's entry for Flet: `make_main(device)` gives the `main(page)` Flet runs per page."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from .device import Device
from .i18n import Translator
from .tabs import TabDevices
from .views.app_root import App


def make_main(device: Device, tabs: TabDevices | None = None) -> Callable[[ft.Page], None]:
    """`main(page)` for Flet. With `tabs` (the web demo) each page gets its own device
    (`TabDevices`), handed back when the page closes; otherwise every page shares
    `device` (a phone, a desktop window: one page)."""

    def main(page: ft.Page) -> None:
        own = tabs.acquire() if tabs is not None else device
        # The browser tab's (and the window's) title from the first frame: a title set
        # while the views render would not reach the page's own properties.
        page.title = Translator(own.prefs.language).t("app.name")
        release = (lambda: tabs.release(own)) if tabs is not None else None
        page.render_views(App, own, release)

    return main
