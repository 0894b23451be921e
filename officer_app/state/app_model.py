"""The session's top-level state: who is signed in, which gate is shown, language, theme.

Gates: `login` (no account on the device, or the officer chose to sign in again),
`app` (the queue and everything behind it; also offline, from the local database) and
`revoked` (the server revoked this device: the unsent work is listed before the wipe).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import flet as ft

from local_db import Account, UnsentWork

from ..i18n import Translator


class Gate(StrEnum):
    LOGIN = "login"
    APP = "app"
    REVOKED = "revoked"


@ft.observable
@dataclass
class AppModel:
    lang: str = "id"
    theme: str = "light"
    account: Account | None = None
    gate: Gate = Gate.LOGIN
    # The server refused the session (expired refresh): the officer keeps working on
    # local data and is asked to sign in again; nothing is lost meanwhile.
    session_expired: bool = False
    revoked_work: UnsentWork | None = None
    toast: str | None = None  # one short message for a snack bar
    toast_seq: int = 0
    width: float = 0.0  # the page's width, for the desktop layout

    @property
    def tr(self) -> Translator:
        return Translator(self.lang)

    def t(self, key: str, **params: object) -> str:
        return self.tr.t(key, **params)

    def say(self, text: str) -> None:
        """Show `text` once in a snack bar (a counter makes a repeat show again)."""
        self.toast = text
        self.toast_seq += 1

    def signed_in(self, account: Account) -> None:
        self.account = account
        self.session_expired = False
        self.revoked_work = None
        self.gate = Gate.APP

    def signed_out(self) -> None:
        self.account = None
        self.session_expired = False
        self.gate = Gate.LOGIN

    def revoked(self, work: UnsentWork) -> None:
        self.revoked_work = work
        self.gate = Gate.REVOKED
