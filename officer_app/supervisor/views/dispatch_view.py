"""Disposisi: new reports with check boxes, the officers with their load, dispatch;
the reports in hand with reassign and return-as-not-our-duty."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import flet as ft

from local_db import QueueItem

from ...views.context import use_session
from ..dispatch import DispatchModel
from ..open_report import open_report
from ..state import supervisor_state
from .report_line import report_line
from .shell import SUPERVISOR_NAV, role_view
from .shown import use_refresh_when_shown

ROUTE = "/disposisi"


def _officer_tile(model: DispatchModel, officer_id: str, name: str, load: str) -> ft.Control:
    chosen = model.officer_id == officer_id
    return ft.Semantics(
        identifier=f"officer-{officer_id}",
        button=True,
        selected=chosen,
        content=ft.Container(
            on_click=lambda: model.choose_officer(officer_id),
            ink=True,
            border_radius=8,
            padding=ft.Padding.symmetric(horizontal=10, vertical=6),
            bgcolor=ft.Colors.PRIMARY_CONTAINER if chosen else None,
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
            content=ft.Row(
                controls=[
                    ft.Icon(ft.Icons.RADIO_BUTTON_CHECKED if chosen else ft.Icons.RADIO_BUTTON_OFF),
                    ft.Column(
                        spacing=0,
                        expand=True,
                        controls=[
                            ft.Text(name, weight=ft.FontWeight.W_600),
                            ft.Text(load, size=12, color=ft.Colors.ON_SURFACE_VARIANT),
                        ],
                    ),
                ]
            ),
        ),
    )


@ft.component
def WorkingEditor(item: QueueItem, mode: str, close: Callable[[], None]) -> ft.Control:
    """The inline form under a report in hand: reassign (officer) or return (reason)."""
    session = use_session()
    app = session.app
    model = supervisor_state(session).dispatch
    officer, set_officer = ft.use_state("")
    reason_ref = ft.use_ref("")  # typed text in a ref, not echoed back (see extensions)
    tid = item.report.tracking_id

    async def confirm() -> None:
        if mode == "reassign":
            if officer:
                await model.reassign(item.report.id, officer)
        else:
            await model.return_not_our_duty(item.report.id, reason_ref.current or "")
        if model.outcome is not None and model.outcome.done:
            close()

    if mode == "reassign":
        field: ft.Control = ft.Semantics(
            identifier=f"reassign-officer-{tid}",
            expand=True,
            content=ft.Dropdown(
                label=app.t("form.assignee"),
                dense=True,
                expand=True,
                value=officer or None,
                options=[
                    ft.DropdownOption(key=o.officer_id, text=o.name)
                    for o in model.officers
                    if o.officer_id != item.report.assignee_id
                ],
                on_select=lambda e: set_officer(e.control.value or ""),
            ),
        )
        title = app.t("supervisor.dispatch.reassign_title", id=tid)
    else:
        field = ft.Semantics(
            identifier=f"return-reason-{tid}",
            expand=True,
            content=ft.TextField(
                label=app.t("supervisor.dispatch.return_reason"),
                dense=True,
                expand=True,
                on_change=lambda e: setattr(reason_ref, "current", e.control.value or ""),
            ),
        )
        title = app.t("supervisor.dispatch.return_title", id=tid)
    return ft.Column(
        spacing=4,
        controls=[
            ft.Text(title, size=12, weight=ft.FontWeight.W_600),
            ft.Row(
                controls=[
                    field,
                    ft.Semantics(
                        identifier=f"confirm-{mode}-{tid}",
                        content=ft.FilledButton(app.t("form.submit"), on_click=confirm),
                    ),
                    ft.TextButton(app.t("common.cancel"), on_click=lambda: close()),
                ]
            ),
        ],
    )


@ft.component
def DispatchView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    state = supervisor_state(session)
    model, _ = ft.use_state(state.dispatch)
    editing, set_editing = ft.use_state(("", ""))  # (report id, "reassign" | "return")
    tr = app.tr

    use_refresh_when_shown(ROUTE, model.refresh)

    new_rows: list[ft.Control] = []
    for item in model.new:
        rid = item.report.id
        new_rows.append(
            report_line(
                item,
                tr,
                identifier=f"new-{item.report.tracking_id}",
                on_open=partial(open_report, session, ROUTE, rid),
                leading=ft.Semantics(
                    identifier=f"check-{item.report.tracking_id}",
                    content=ft.Checkbox(
                        value=rid in model.selected,
                        on_change=lambda _e, rid=rid: model.toggle(rid),
                    ),
                ),
            )
        )
    if not new_rows:
        new_rows.append(
            ft.Text(tr.t("supervisor.dispatch.empty"), color=ft.Colors.ON_SURFACE_VARIANT)
        )

    officers: list[ft.Control] = [
        _officer_tile(
            model,
            o.officer_id,
            o.name,
            tr.t("supervisor.dispatch.load", active=o.active, overdue=o.overdue),
        )
        for o in model.officers
    ]
    name = model.officer_name(model.officer_id)
    submit = ft.Semantics(
        identifier="dispatch-submit",
        content=ft.FilledButton(
            tr.t("supervisor.dispatch.submit", name=name)
            if name
            else tr.t("supervisor.dispatch.submit_none"),
            icon=ft.Icons.SEND,
            on_click=model.dispatch_selected,
            disabled=model.busy,
            height=48,
        ),
    )
    messages: list[ft.Control] = []
    if model.outcome is not None:
        if model.outcome.done:
            messages.append(
                ft.Text(
                    tr.t("supervisor.dispatch.done", n=model.outcome.done),
                    color=ft.Colors.GREEN_800,
                )
            )
        for tid, reason in model.outcome.refused:
            text = tr.t("supervisor.dispatch.refused", id=tid, reason=reason) if tid else reason
            messages.append(ft.Text(text, color=ft.Colors.RED_700))

    def close_editor() -> None:
        set_editing(("", ""))

    working: list[ft.Control] = []
    for item in model.working:
        rid, tid = item.report.id, item.report.tracking_id
        open_mode = editing[1] if editing[0] == rid else ""
        working.append(
            report_line(
                item,
                tr,
                identifier=f"working-{tid}",
                on_open=partial(open_report, session, ROUTE, rid),
                extra=item.view.assignee_name,
                trailing=[
                    ft.Semantics(
                        identifier=f"reassign-{tid}",
                        content=ft.TextButton(
                            tr.t("supervisor.dispatch.reassign"),
                            on_click=lambda _e, rid=rid: set_editing((rid, "reassign")),
                        ),
                    ),
                    ft.Semantics(
                        identifier=f"return-{tid}",
                        content=ft.TextButton(
                            tr.t("supervisor.dispatch.return"),
                            on_click=lambda _e, rid=rid: set_editing((rid, "return")),
                        ),
                    ),
                ],
                below=WorkingEditor(item, open_mode, close_editor, key=f"{rid}-{open_mode}")  # type: ignore[call-arg]
                if open_mode
                else None,
            )
        )
    if not working:
        working.append(
            ft.Text(tr.t("supervisor.dispatch.working_empty"), color=ft.Colors.ON_SURFACE_VARIANT)
        )

    left = ft.Column(
        spacing=6,
        controls=[
            ft.Row(
                controls=[
                    ft.Text(
                        tr.t("supervisor.dispatch.new", n=len(model.new)),
                        weight=ft.FontWeight.W_600,
                        expand=True,
                    ),
                    ft.Text(tr.t("supervisor.dispatch.selected", n=len(model.selected)), size=12),
                    ft.Semantics(
                        identifier="select-all",
                        content=ft.TextButton(
                            tr.t("supervisor.dispatch.select_all"), on_click=model.select_all
                        ),
                    ),
                    ft.TextButton(
                        tr.t("supervisor.dispatch.clear"), on_click=model.clear_selection
                    ),
                ]
            ),
            *new_rows,
        ],
    )
    right = ft.Column(
        spacing=6,
        controls=[
            ft.Text(tr.t("supervisor.dispatch.officers"), weight=ft.FontWeight.W_600),
            *officers,
            submit,
            *messages,
        ],
    )
    body: list[ft.Control] = [
        ft.ResponsiveRow(
            vertical_alignment=ft.CrossAxisAlignment.START,
            controls=[
                ft.Container(col={"xs": 12, "md": 7}, content=left),
                ft.Container(col={"xs": 12, "md": 5}, content=right),
            ],
        ),
        ft.Divider(),
        ft.Text(
            tr.t("supervisor.dispatch.working", n=len(model.working)), weight=ft.FontWeight.W_600
        ),
        *working,
    ]
    return role_view(
        session,
        route=ROUTE,
        title=tr.t("supervisor.dispatch.title"),
        body=body,
        nav=SUPERVISOR_NAV,
        selected=1,
        actions=[
            ft.IconButton(
                ft.Icons.REFRESH, tooltip=tr.t("supervisor.refresh"), on_click=model.refresh
            )
        ],
    )
