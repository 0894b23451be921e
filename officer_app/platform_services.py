"""The phone's services for one page: location, gallery, maps, network type.

Thin async wrappers over Flet services (`flet_geolocator.Geolocator`, `ft.FilePicker`,
`ft.UrlLauncher`, `ft.Connectivity`) with time limits, so a screen never hangs on a
permission prompt nobody answers or a plugin a platform lacks: every call returns a
value or None. Created inside the page's context (Flet services register with the
current page when constructed), one set per session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import flet as ft
import flet_geolocator as fg

from .errors import SaveFailed
from .photos import GeoFix
from .picked_file import PickedFileError, PickProblem, check_picked_bytes, read_picked_file

log = logging.getLogger(__name__)

POSITION_TIMEOUT_S = 10.0
PICK_TIMEOUT_S = 600.0


class PlatformServices:
    def __init__(self, page: ft.Page) -> None:
        self.page = page
        self._geo: fg.Geolocator | None = None
        self._picker: ft.FilePicker | None = None
        self._launcher: ft.UrlLauncher | None = None
        self._connectivity: ft.Connectivity | None = None

    @property
    def mobile(self) -> bool:
        platform = self.page.platform
        return bool(platform and platform.is_mobile() and not self.page.web)

    # --- location -------------------------------------------------------------------

    async def position(self, timeout_s: float = POSITION_TIMEOUT_S) -> GeoFix | None:
        """A fresh fix, or None (no permission, no signal, no plugin, too slow)."""
        if self._geo is None:
            self._geo = fg.Geolocator(
                configuration=fg.GeolocatorConfiguration(
                    accuracy=fg.GeolocatorPositionAccuracy.HIGH
                )
            )
        try:
            status = await asyncio.wait_for(self._geo.request_permission(), timeout_s)
            if status in (
                fg.GeolocatorPermissionStatus.DENIED,
                fg.GeolocatorPermissionStatus.DENIED_FOREVER,
            ):
                return None
            p = await asyncio.wait_for(self._geo.get_current_position(), timeout_s)
        except Exception as exc:  # a platform without a fix answers in many ways
            log.info("no position: %s", exc)
            return None
        at = _timestamp(p.timestamp)
        return GeoFix.maybe(p.latitude, p.longitude, p.altitude, p.accuracy, at)

    # --- gallery --------------------------------------------------------------------

    async def pick_image(self, max_bytes: int) -> bytes | None:
        """The picked file's bytes, None when the officer cancelled; raises
        `PickedFileError` when the pick cannot be read, so the screen always says why.

        Native builds pick by path and read it on a worker thread with `stat` first and
        bounded chunks (`picked_file`); only the web build, which has no paths, has the
        chooser hand the bytes over.
        """
        if self._picker is None:
            self._picker = ft.FilePicker()
        web = bool(self.page.web)
        try:
            files = await asyncio.wait_for(
                self._picker.pick_files(
                    file_type=ft.FilePickerFileType.IMAGE,
                    with_data=web,
                    # Under automation or on a slow phone the window loses focus
                    # while the chooser is open; that must not cancel the pick.
                    cancel_upload_on_window_blur=False,
                ),
                PICK_TIMEOUT_S,
            )
        except Exception as exc:
            log.info("gallery pick failed: %s", exc)
            raise PickedFileError(PickProblem.FAILED, str(exc)) from exc
        if not files:
            return None
        picked = files[0]
        if picked.bytes is not None or not picked.path:
            return check_picked_bytes(picked.bytes, max_bytes)
        return await asyncio.to_thread(read_picked_file, picked.path, max_bytes)

    # --- saving a file ----------------------------------------------------------------

    @property
    def web(self) -> bool:
        return bool(self.page.web)

    async def save_file(self, name: str, data: bytes, title: str) -> str | None:
        """Hand a file to the user: a browser download in the web build (returns the
        name), the save dialog elsewhere (returns the chosen path; None if cancelled).
        Raises `SaveFailed` when the platform cannot do either."""
        if self._picker is None:
            self._picker = ft.FilePicker()
        try:
            chosen = await asyncio.wait_for(
                self._picker.save_file(
                    dialog_title=title,
                    file_name=name,
                    file_type=ft.FilePickerFileType.CUSTOM,
                    allowed_extensions=["csv"],
                    src_bytes=data,
                ),
                PICK_TIMEOUT_S,
            )
        except Exception as exc:
            raise SaveFailed(str(exc)) from exc
        if self.page.web:
            return name  # the browser downloads it; there is no path to report
        return chosen

    # --- maps -----------------------------------------------------------------------

    async def launch(self, url: str) -> bool:
        if self._launcher is None:
            self._launcher = ft.UrlLauncher()
        try:
            await asyncio.wait_for(self._launcher.launch_url(url), 10)
        except Exception as exc:
            log.info("cannot open %s: %s", url, exc)
            return False
        return True

    # --- network --------------------------------------------------------------------

    async def on_wifi(self) -> bool | None:
        """True on Wi-Fi or Ethernet, False on mobile data only, None when unknown."""
        if self._connectivity is None:
            self._connectivity = ft.Connectivity()
        try:
            kinds = await asyncio.wait_for(self._connectivity.get_connectivity(), 5)
        except Exception as exc:
            log.info("connectivity unknown: %s", exc)
            return None
        return _wifi(kinds)

    def watch_network(self, changed: Callable[[bool, bool | None], None]) -> None:
        """Call `changed(available, on_wifi)` on every connectivity change the platform
        reports (Android, iOS, desktop; the web build may report none)."""
        if self._connectivity is None:
            self._connectivity = ft.Connectivity()

        def on_change(e: ft.ConnectivityChangeEvent) -> None:
            names = {getattr(k, "value", str(k)) for k in e.connectivity}
            changed(bool(names - {"none"}), _wifi(e.connectivity))

        self._connectivity.on_change = on_change


def _wifi(kinds: list[Any]) -> bool | None:
    names = {getattr(k, "value", str(k)) for k in kinds}
    if names & {"wifi", "ethernet"}:
        return True
    if "mobile" in names:
        return False
    return None


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and value > 0:
        return datetime.fromtimestamp(value / 1000, UTC)
    return None
