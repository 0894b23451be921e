"""Tim: per officer done, in progress, overdue, completion time, rework rate, rating;
and the CSV export for the monthly evaluation (the unit's reports and this table).

The export reaches the user where the user is (`export_to`): each file goes through a
`Saver` (the page's `PlatformServices.save_file`: a browser download in the web build,
the save dialog on a desktop). Without a page (tests, tools) `export` writes the files
into `folder`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import flet as ft

from local_db.figures import TeamRow

from ..errors import SaveFailed
from ..export import ExportError, ExportFile, export_unit, unit_files

# (file name, bytes, dialog title) -> where it went (a path or the downloaded name), or
# None when the user cancelled the dialog.
Saver = Callable[[str, bytes, str], Awaitable[str | None]]

if TYPE_CHECKING:
    from .state import SupervisorState


@ft.observable
@dataclass
class TeamModel:
    owner: InitVar[SupervisorState]
    days: int = 30
    rows: list[TeamRow] = field(default_factory=list)
    folder: str = ""  # where the CSV files go (desktop: chosen in a dialog; web: typed)
    exported: list[str] = field(default_factory=list)  # the files of the last export
    export_error: str | None = None
    busy: bool = False
    loaded_at: datetime | None = None

    def __post_init__(self, owner: SupervisorState) -> None:
        self._owner = owner
        self.folder = str(owner.session.device.data_dir / "ekspor")
        self._typed: str | None = None

    async def refresh(self) -> None:
        data, days = self._owner.data, self.days

        def read() -> tuple[datetime, list[TeamRow]]:
            now = data.now()
            return now, data.team(now, days)

        now, rows = await asyncio.to_thread(read)
        self.rows = rows
        self.loaded_at = now

    async def set_days(self, days: int) -> None:
        if days != self.days:
            self.days = days
            await self.refresh()

    def set_folder(self, folder: str) -> None:
        """A folder chosen in the dialog (shown in the field)."""
        self.folder = folder.strip()
        self._typed = None

    def type_folder(self, text: str) -> None:
        """A keystroke in the folder field: kept quietly (not echoed back to the field
        while the supervisor types, which would race with the typing)."""
        self._typed = text.strip()

    @property
    def target(self) -> str:
        return self._typed if self._typed is not None else self.folder

    def _unit(self) -> str:
        account = self._owner.session.app.account
        if account is None:
            return ""
        return account.user.unit_name or account.user.unit_id or ""

    async def export_to(self, save: Saver) -> list[str]:
        """Build the unit's CSV files and hand each to `save` (download / save dialog).
        Returns where they went; a cancelled dialog leaves that file out."""
        data, days, unit = self._owner.data, self.days, self._unit()
        tr = self._owner.session.app.tr
        self.busy = True
        self.export_error = None

        def build() -> list[ExportFile]:
            now = data.now()
            return unit_files(
                reports=data.export_rows(now), team=data.team(now, days), now=now, unit=unit
            )

        saved: list[str] = []
        try:
            files = await asyncio.to_thread(build)
            for f in files:
                where = await save(f.name, f.data, tr.t("supervisor.export.save_title"))
                if where:
                    saved.append(where)
        except SaveFailed as exc:
            self.export_error = tr.t("supervisor.export.failed", detail=str(exc))
        finally:
            self.busy = False
        self.exported = saved
        return saved

    async def export(self) -> list[Path]:
        """Write the unit's reports and the team table as CSV into `folder`."""
        data, days, folder = self._owner.data, self.days, self.target
        unit = self._unit()
        self.busy = True
        self.export_error = None

        def write() -> list[Path]:
            now = data.now()
            return export_unit(
                Path(folder).expanduser(),
                reports=data.export_rows(now),
                team=data.team(now, days),
                now=now,
                unit=unit,
            )

        try:
            paths = await asyncio.to_thread(write)
        except ExportError as exc:
            self.export_error = exc.message(self._owner.lang)
            self.exported = []
            return []
        finally:
            self.busy = False
        self.exported = [str(p) for p in paths]
        return paths
