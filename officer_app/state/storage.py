"""Pengaturan → Penyimpanan: what the app's data takes on the phone, and a clean-up.

Shows the space used by reports (the database) and by photos (full-size files and the
thumbnails kept in their place), the free space, and what still waits to be sent
(never removed by a clean-up). "Bersihkan sekarang" runs the same safe sweep as the
one after every good sync (`Device.clean_now`), then reads the figures again.
"""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass, field
from typing import TYPE_CHECKING

import flet as ft

from local_db import StorageUsage, SweepReport

if TYPE_CHECKING:
    from .session import Session

MB = 1024 * 1024


def size_text(n: int | None) -> str:
    """Bytes in words an officer reads: "12,3 MB" (Indonesian decimal comma)."""
    if n is None:
        return "-"
    if n < MB:
        return f"{max(n, 0) / 1024:.0f} KB"
    if n < 1024 * MB:
        return f"{n / MB:.1f} MB".replace(".", ",")
    return f"{n / (1024 * MB):.2f} GB".replace(".", ",")


@ft.observable
@dataclass
class StorageModel:
    session: InitVar[Session]
    loading: bool = True
    cleaning: bool = False
    # (identifier, label, value) rows, in the officer's language.
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    result: str | None = None
    usage: StorageUsage | None = None

    def __post_init__(self, session: Session) -> None:
        self._session = session

    async def load(self) -> None:
        self.usage = await asyncio.to_thread(self._session.device.storage)
        self.loading = False
        self.relabel()

    async def clean(self) -> None:
        if self.cleaning:
            return
        self.cleaning, self.result = True, None
        try:
            report = await asyncio.to_thread(self._session.device.clean_now)
            self.usage = await asyncio.to_thread(self._session.device.storage)
        finally:
            self.cleaning = False
        self.result = self._result_text(report)
        self.relabel()
        await self._session.queue.refresh()  # reports may have left the device

    def _result_text(self, report: SweepReport) -> str:
        t = self._session.app.t
        if not (report.reports_removed or report.photos_removed or report.orphans_removed):
            return t("storage.clean_nothing")
        return t(
            "storage.cleaned",
            reports=report.reports_removed,
            photos=report.photos_removed + report.orphans_removed,
            size=size_text(report.bytes_freed),
        )

    def relabel(self) -> None:
        u = self.usage
        if u is None:
            return
        t = self._session.app.t
        self.rows = [
            ("storage-total", t("storage.total"), size_text(u.total_bytes)),
            (
                "storage-reports",
                t("storage.reports", n=u.reports),
                size_text(u.database_bytes),
            ),
            ("storage-photos", t("storage.photos", n=u.photo_files), size_text(u.photo_bytes)),
            ("storage-thumbs", t("storage.thumbs", n=u.thumb_files), size_text(u.thumb_bytes)),
            ("storage-free", t("storage.free"), size_text(u.free_bytes)),
        ]
        w = u.waiting
        if not (w.mutations or w.photos or w.attention):
            self.waiting = [t("storage.waiting_none")]
        else:
            self.waiting = [
                t("storage.waiting_actions", n=w.mutations),
                t("storage.waiting_photos", n=w.photos, size=size_text(w.photo_bytes)),
                t("storage.waiting_attention", n=w.attention),
            ]
