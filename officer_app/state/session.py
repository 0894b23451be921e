"""One browser tab / app window: its view-models, wired to the shared `Device`.

A `Session` is created when the app's root component first renders and lives as long
as the page. It owns every observable model of the screens that outlive navigation
(app gate, queue, sync status, attention list, settings, location); per-report models
(detail, capture) are created by their screens. Nothing here is a module global: two
tabs have two sessions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from domain import Actor

from ..device import Device
from .app_model import AppModel, Gate
from .attention import AttentionModel
from .dispatch import ImmediatePost, LoopPost, Post
from .field_map import FieldMapModel
from .location import LocationModel
from .login import LoginModel
from .queue import QueueModel
from .settings import SettingsModel
from .sync_status import SyncStatusModel
from .thumbs import Thumbs

if TYPE_CHECKING:
    from ..platform_services import PlatformServices

log = logging.getLogger(__name__)

Navigate = Callable[[str], None]


class Session:
    def __init__(
        self,
        device: Device,
        *,
        post: Post | None = None,
        navigate: Navigate | None = None,
        thumbs: Thumbs | None = None,
    ) -> None:
        self.device = device
        self.post = post or ImmediatePost()
        self._navigate = navigate
        self.thumbs = thumbs or Thumbs()
        prefs = device.prefs
        self.app = AppModel(lang=prefs.language, theme=prefs.theme)
        account = device.account()
        if account is not None and account.signed_in:
            self.app.signed_in(account)
        else:
            self.app.account = account  # signed out: Masuk, username prefilled
        self.location = LocationModel()
        self.sync = SyncStatusModel(self)
        self.queue = QueueModel(self)
        self.map = FieldMapModel(self)
        self.attention = AttentionModel(self)
        self.settings = SettingsModel(self)
        self.login = LoginModel(self)
        self.navigated: list[str] = []  # every route asked for (tests read it)
        # The phone's services (location, gallery, maps); None without a page (tests).
        self.platform: PlatformServices | None = None
        self._unlisten: Callable[[], None] | None = None

    # --- wiring ---------------------------------------------------------------------

    def attach(self) -> None:
        """Start listening to the sync engine (call once, on the session's loop)."""
        if self._unlisten is None:
            self._unlisten = self.device.add_listener(
                lambda progress: self.post(lambda: self.sync.on_progress(progress))
            )
            self.sync.on_progress(self.device.progress)

    def close(self) -> None:
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if isinstance(self.post, LoopPost):
            self.post.closed = True  # nothing more reaches a page that is gone

    def navigate(self, route: str) -> None:
        self.navigated.append(route)
        if self._navigate is not None:
            self._navigate(route)

    # --- shared helpers ---------------------------------------------------------------

    def actor(self) -> Actor:
        account = self.app.account
        if account is None:
            raise RuntimeError("no account")
        return Actor(account.user.id, account.user.role, account.user.unit_id)

    def device_now(self) -> datetime:
        return self.device.now()

    def after_sign_in(self) -> None:
        """First screen after signing in: sync at once and show the queue."""
        self.device.request_sync()
        self.navigate("/")

    def ask_login_again(self) -> None:
        """The session expired: show Masuk (the account and its local data stay)."""
        self.login.error = None
        self.app.gate = Gate.LOGIN

    async def wipe_after_revocation(self) -> None:
        """The officer saw the unsent work of a revoked device: erase it and sign out."""
        await asyncio.to_thread(self.device.wipe)
        self.app.revoked_work = None
        self.app.signed_out()
        self.navigate("/")

    async def refresh_all(self) -> None:
        """After a sync brought news: reload what the screens show."""
        if self.app.gate is not Gate.APP:
            return
        await asyncio.gather(self.queue.refresh(), self.attention.refresh())

    def relabel(self) -> None:
        """The language changed: recompute every precomputed text."""
        self.queue.relabel()
        self.map.relabel()
        self.attention.relabel()
        self.sync.relabel()
