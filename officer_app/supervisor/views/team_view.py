"""Tim: the officers' table for the period, and the CSV export.

The export reaches the supervisor where the supervisor is: in the web build each CSV
file is a browser download ("Unduh ..."), on a desktop window the save dialog asks
where each goes ("Simpan ..."), through `PlatformServices.save_file` (Flet's
`FilePicker.save_file` with the file's bytes). The names of the files that arrived are
shown.
"""

from __future__ import annotations

import logging
from pathlib import Path

import flet as ft

from local_db.figures import TeamRow

from ...i18n import Translator
from ...views.context import use_session
from ..dashboard import PERIODS
from ..state import supervisor_state
from ..texts import duration_text, rating_text, share_text
from .shell import SUPERVISOR_NAV, role_view

log = logging.getLogger(__name__)

COLUMNS = ("officer", "done", "in_progress", "overdue", "completion", "rework", "rating")


def team_table(rows: list[TeamRow], tr: Translator) -> ft.Control:
    def cell(text: str, colour: str | None = None) -> ft.DataCell:
        return ft.DataCell(content=ft.Text(text, color=colour))

    return ft.Semantics(
        identifier="team-table",
        container=True,
        content=ft.Row(
            scroll=ft.ScrollMode.AUTO,
            controls=[
                ft.DataTable(
                    heading_row_height=44,
                    columns=[
                        ft.DataColumn(
                            label=ft.Text(tr.t(f"supervisor.team.col.{c}")), numeric=c != "officer"
                        )
                        for c in COLUMNS
                    ],
                    rows=[
                        ft.DataRow(
                            cells=[
                                cell(r.name),
                                cell(str(r.done)),
                                cell(str(r.in_progress)),
                                cell(str(r.overdue), ft.Colors.RED_700 if r.overdue else None),
                                cell(duration_text(r.completion.value, tr)),
                                cell(share_text(r.rework, tr)),
                                cell(f"{rating_text(r.rating, tr)} ({r.rated})"),
                            ]
                        )
                        for r in rows
                    ],
                )
            ],
        ),
    )


@ft.component
def TeamView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    model, _ = ft.use_state(supervisor_state(session).team)
    page = ft.context.page
    tr = app.tr
    ft.on_mounted(model.refresh)

    async def pick_days(e: ft.Event[ft.SegmentedButton]) -> None:
        chosen = e.control.selected
        if chosen:
            await model.set_days(int(next(iter(chosen))))

    async def export() -> None:
        platform = session.platform
        if platform is None:  # no page services: into the data folder
            paths = await model.export()
            done = [p.name for p in paths]
        else:
            done = await model.export_to(platform.save_file)
        if done:
            key = "supervisor.export.downloaded" if page.web else "supervisor.export.done"
            app.say(tr.t(key, files=", ".join(Path(d).name for d in done)))

    folder_row: list[ft.Control] = [
        ft.Semantics(
            identifier="export-submit",
            content=ft.FilledButton(
                tr.t("supervisor.export.download" if page.web else "supervisor.export.submit"),
                icon=ft.Icons.DOWNLOAD,
                on_click=export,
                disabled=model.busy,
            ),
        )
    ]
    export_box: list[ft.Control] = [
        ft.Text(tr.t("supervisor.export.title"), weight=ft.FontWeight.W_600),
        ft.Row(controls=folder_row, wrap=True),
    ]
    if model.export_error:
        export_box.append(ft.Text(model.export_error, color=ft.Colors.RED_700))
    elif model.exported:
        export_box.append(
            ft.Semantics(
                identifier="export-done",
                content=ft.Text(
                    tr.t(
                        "supervisor.export.downloaded" if page.web else "supervisor.export.done",
                        files=", ".join(Path(d).name for d in model.exported),
                    ),
                    selectable=True,
                ),
            )
        )

    body: list[ft.Control] = [
        ft.Row(
            controls=[
                ft.Text(tr.t("supervisor.dashboard.period"), weight=ft.FontWeight.W_600),
                ft.SegmentedButton(
                    selected=[str(model.days)],
                    allow_empty_selection=False,
                    on_change=pick_days,
                    segments=[
                        ft.Segment(
                            value=str(d), label=ft.Text(tr.t("supervisor.dashboard.days", n=d))
                        )
                        for d in PERIODS
                    ],
                ),
            ]
        ),
        team_table(model.rows, tr)
        if model.rows
        else ft.Text(tr.t("supervisor.team.empty"), color=ft.Colors.ON_SURFACE_VARIANT),
        ft.Divider(),
        ft.Container(
            padding=12,
            border_radius=8,
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
            content=ft.Column(spacing=8, controls=export_box),
        ),
    ]
    return role_view(
        session,
        route="/tim",
        title=tr.t("supervisor.team.title"),
        body=body,
        nav=SUPERVISOR_NAV,
        selected=4,
        actions=[
            ft.IconButton(
                ft.Icons.REFRESH, tooltip=tr.t("supervisor.refresh"), on_click=model.refresh
            )
        ],
    )
