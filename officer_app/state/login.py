"""Masuk: signing in against the profile's server.

Outcomes an officer must understand: wrong username or password, too many attempts
(wait), server unreachable (with "keep working offline" when this device already holds
a session), device revoked, any other server trouble. Each is one sentence from the
translation files or from the sync error's own bilingual message.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import InitVar, dataclass
from typing import TYPE_CHECKING

import flet as ft

from sync import AccountConflict, DeviceRevoked, LoginRefused, Offline, SyncError

from .app_model import Gate

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger(__name__)


@ft.observable
@dataclass
class LoginModel:
    session: InitVar[Session]
    busy: bool = False
    error: str | None = None
    # Shown with the "server unreachable" error when the device already holds an
    # account: the officer can keep working on the local data.
    can_work_offline: bool = False

    def __post_init__(self, session: Session) -> None:
        self._session = session
        # What the officer types is kept without notifying (a leading underscore):
        # re-rendering on every key would send the field's value back to the client
        # while newer keys are in flight and lose them. The fields show these values
        # whenever the screen renders for another reason.
        account = session.app.account
        self._username = account.user.username if account is not None else ""
        self._password = ""

    @property
    def username(self) -> str:
        return self._username

    @property
    def password(self) -> str:
        return self._password

    def set_username(self, value: str) -> None:
        self._username = value
        if self.error:
            self.error = None

    def set_password(self, value: str) -> None:
        self._password = value
        if self.error:
            self.error = None

    async def submit(self) -> None:
        app = self._session.app
        if self.busy:
            return
        username = self._username.strip()
        if not username or not self._password:
            self.error = app.t("login.error.empty")
            return
        self.busy, self.error, self.can_work_offline = True, None, False
        device = self._session.device
        try:
            await asyncio.to_thread(device.login, username, self._password)
            account = await asyncio.to_thread(device.account)
        except (LoginRefused, AccountConflict) as exc:
            self.error = exc.message(app.lang)
        except Offline:
            self.error = app.t("login.error.offline")
            account = app.account
            self.can_work_offline = account is not None and account.signed_in
        except DeviceRevoked:
            self.error = app.t("login.error.revoked")
        except SyncError as exc:
            self.error = app.t("login.error.server", detail=exc.message(app.lang))
        else:
            if account is None:  # pragma: no cover - login stores the account
                self.error = app.t("login.error.server", detail="no account")
                return
            self._password = ""
            app.signed_in(account)
            self._session.after_sign_in()
        finally:
            self.busy = False

    def work_offline(self) -> None:
        app = self._session.app
        if app.account is not None and app.account.signed_in:
            self.error, self.can_work_offline = None, False
            app.gate = Gate.APP
            app.say(app.t("login.offline_mode"))
