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

from sync.errors import AuthError, DeviceRevoked, LoginRefused, Offline, SyncError

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger(__name__)


@ft.observable
@dataclass
class LoginModel:
    session: InitVar[Session]
    username: str = ""
    password: str = ""
    busy: bool = False
    error: str | None = None
    # Shown with the "server unreachable" error when the device already holds an
    # account: the officer can keep working on the local data.
    can_work_offline: bool = False

    def __post_init__(self, session: Session) -> None:
        self._session = session
        account = session.app.account
        if account is not None:
            self.username = account.user.username

    def set_username(self, value: str) -> None:
        self.username = value.strip()
        self.error = None

    def set_password(self, value: str) -> None:
        self.password = value
        self.error = None

    async def submit(self) -> None:
        app = self._session.app
        if self.busy:
            return
        if not self.username or not self.password:
            self.error = app.t("login.error.empty")
            return
        self.busy, self.error, self.can_work_offline = True, None, False
        device = self._session.device
        try:
            await asyncio.to_thread(device.login, self.username, self.password)
            account = await asyncio.to_thread(device.account)
        except LoginRefused as exc:
            self.error = exc.message_id if app.lang == "id" else exc.message_en
        except Offline:
            self.error = app.t("login.error.offline")
            self.can_work_offline = app.account is not None
        except DeviceRevoked:
            self.error = app.t("login.error.revoked")
        except (AuthError, SyncError) as exc:
            self.error = app.t("login.error.server", detail=_message(exc, app.lang))
        else:
            if account is None:  # pragma: no cover - login stores the account
                self.error = app.t("login.error.server", detail="no account")
                return
            self.password = ""
            app.signed_in(account)
            self._session.after_sign_in()
        finally:
            self.busy = False

    def work_offline(self) -> None:
        app = self._session.app
        if app.account is not None:
            self.error = None
            app.gate = app.gate.APP
            app.say(app.t("login.offline_mode"))


def _message(exc: SyncError, lang: str) -> str:
    text = getattr(exc, "message_id" if lang == "id" else "message_en", "")
    return str(text or exc)
