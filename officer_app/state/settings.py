"""Pengaturan: language, theme, Wi-Fi-only photo upload, photo size, signing out, about.

Signing out with unsent work is a two-step intent: `ask_sign_out` counts what has not
reached the server and, when there is any, asks for confirmation with those numbers;
only `confirm_sign_out` then signs out. Changes are saved to the device's preferences
file at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass
from typing import TYPE_CHECKING

import flet as ft

from .. import __version__
from ..profile import LANGUAGES, PHOTO_SIZES, THEMES

if TYPE_CHECKING:
    from .session import Session


@ft.observable
@dataclass
class SettingsModel:
    session: InitVar[Session]
    language: str = "id"
    theme: str = "light"
    wifi_only: bool = False
    photo_long_edge: int = 1600
    # Sign-out confirmation: None (no dialog), else the unsent counts to warn about.
    confirm_sign_out: tuple[int, int, int] | None = None
    signing_out: bool = False

    def __post_init__(self, session: Session) -> None:
        self._session = session
        prefs = session.device.prefs
        self.language, self.theme = prefs.language, prefs.theme
        self.wifi_only, self.photo_long_edge = prefs.wifi_only_photos, prefs.photo_long_edge

    @property
    def version(self) -> str:
        return __version__

    @property
    def server_url(self) -> str:
        return self._session.device.profile.server_url

    @property
    def photo_sizes(self) -> tuple[int, ...]:
        return PHOTO_SIZES

    def set_language(self, lang: str) -> None:
        if lang in LANGUAGES and lang != self.language:
            self.language = lang
            self._session.app.lang = lang
            self._session.relabel()
            self._save()

    def set_theme(self, theme: str) -> None:
        if theme in THEMES and theme != self.theme:
            self.theme = theme
            self._session.app.theme = theme
            self._save()

    def set_wifi_only(self, value: bool) -> None:
        if value != self.wifi_only:
            self.wifi_only = value
            self._save()

    def set_photo_long_edge(self, edge: int) -> None:
        if edge in PHOTO_SIZES and edge != self.photo_long_edge:
            self.photo_long_edge = edge
            self._save()

    def _save(self) -> None:
        device = self._session.device
        device.save_prefs(
            device.prefs.changed(
                language=self.language,
                theme=self.theme,
                wifi_only_photos=self.wifi_only,
                photo_long_edge=self.photo_long_edge,
            )
        )

    async def ask_sign_out(self) -> None:
        work = await asyncio.to_thread(self._session.device.unsent_work)
        counts = (len(work.mutations), len(work.photos), len(work.attention))
        if any(counts):
            self.confirm_sign_out = counts
        else:
            await self.confirm_sign_out_now()

    def cancel_sign_out(self) -> None:
        self.confirm_sign_out = None

    async def confirm_sign_out_now(self) -> None:
        self.confirm_sign_out = None
        self.signing_out = True
        try:
            await asyncio.to_thread(self._session.device.logout)
        finally:
            self.signing_out = False
        self._session.app.signed_out()
        self._session.navigate("/")
