"""Perpanjangan: each request with its reason and dates; approve or refuse with a note."""

from __future__ import annotations

import flet as ft

from local_db import QueueItem

from ...format import wib
from ...views.context import use_session
from ..open_report import open_report
from ..state import supervisor_state
from .report_line import report_line
from .shell import SUPERVISOR_NAV, role_view
from .shown import use_refresh_when_shown

ROUTE = "/perpanjangan"


@ft.component
def ExtensionCard(item: QueueItem, error: str | None = None) -> ft.Control:
    session = use_session()
    app = session.app
    model = supervisor_state(session).extensions
    # The typed note lives in a ref: echoing keystrokes back would race the typing.
    note_ref = ft.use_ref("")
    tr = app.tr
    r = item.report
    tid = r.tracking_id

    async def approve() -> None:
        if await model.approve(r.id, note_ref.current or ""):
            app.say(tr.t("supervisor.extensions.approved"))

    async def refuse() -> None:
        if await model.refuse(r.id, note_ref.current or ""):
            app.say(tr.t("supervisor.extensions.refused"))

    details = ft.Column(
        spacing=4,
        controls=[
            ft.Text(tr.t("supervisor.extensions.reason", reason=r.extension.reason)),
            ft.Text(
                tr.t("supervisor.extensions.proposed", date=wib(r.extension.proposed_deadline, tr))
                + "  ·  "
                + tr.t("supervisor.extensions.current", date=wib(r.deadline, tr)),
                size=12,
            ),
            ft.Row(
                controls=[
                    ft.Semantics(
                        identifier=f"ext-note-{tid}",
                        expand=True,
                        content=ft.TextField(
                            label=tr.t("supervisor.extensions.note"),
                            dense=True,
                            expand=True,
                            on_change=lambda e: setattr(note_ref, "current", e.control.value or ""),
                        ),
                    ),
                    ft.Semantics(
                        identifier=f"ext-approve-{tid}",
                        content=ft.FilledButton(
                            tr.t("supervisor.extensions.approve"),
                            on_click=approve,
                            disabled=model.busy,
                        ),
                    ),
                    ft.Semantics(
                        identifier=f"ext-refuse-{tid}",
                        content=ft.OutlinedButton(
                            tr.t("supervisor.extensions.refuse"),
                            on_click=refuse,
                            disabled=model.busy,
                        ),
                    ),
                ]
            ),
        ]
        + (
            [
                ft.Semantics(
                    identifier=f"ext-error-{tid}",
                    content=ft.Text(error, color=ft.Colors.RED_700),
                )
            ]
            if error
            else []
        ),
    )
    return report_line(
        item,
        tr,
        identifier=f"ext-{tid}",
        extra=item.view.assignee_name,
        below=details,
        on_open=lambda: open_report(session, ROUTE, r.id),
    )


@ft.component
def ExtensionsView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    model, _ = ft.use_state(supervisor_state(session).extensions)
    tr = app.tr
    use_refresh_when_shown(ROUTE, model.refresh)

    body: list[ft.Control] = [
        ExtensionCard(item, model.errors.get(item.report.id), key=item.report.id)  # type: ignore[call-arg]
        for item in model.rows
    ]
    if not model.rows:
        body.append(
            ft.Text(tr.t("supervisor.extensions.empty"), color=ft.Colors.ON_SURFACE_VARIANT)
        )
    return role_view(
        session,
        route=ROUTE,
        title=tr.t("supervisor.extensions.title"),
        body=body,
        nav=SUPERVISOR_NAV,
        selected=2,
        actions=[
            ft.Semantics(
                identifier="extensions-refresh",
                content=ft.IconButton(
                    ft.Icons.REFRESH, tooltip=tr.t("supervisor.refresh"), on_click=model.refresh
                ),
            )
        ],
    )
