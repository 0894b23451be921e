"""The dialog an action with input opens: note, reason, percent, date, officer, unit.

`ActionFormHost` sits in the screen's tree while a form is open (it renders nothing
itself) and shows the dialog through `use_dialog`; it re-renders on every change of the
form, so an error or the busy state shows at once. Fields write straight into the form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from domain import Need

from ..state.detail import ActionForm
from .context import use_session


@ft.component
def ActionFormHost(
    form: ActionForm,
    on_submit: Callable[[], Awaitable[None]],
    on_cancel: Callable[[], None],
    colleagues: list[tuple[str, str]] | None = None,
    key: str | None = None,  # taken by Flet's component wrapper: a new form remounts
) -> ft.Control:
    session = use_session()
    app = session.app
    fields: list[ft.Control] = []
    values = form.values

    def text_field(need: Need, key: str, attr: str, multiline: bool = True) -> ft.Control:
        def changed(e: ft.Event[ft.TextField]) -> None:
            setattr(values, attr, e.control.value or "")

        return ft.Semantics(
            identifier=f"form-{attr}",
            content=ft.TextField(
                label=app.t(key),
                value=getattr(values, attr),
                multiline=multiline,
                min_lines=2 if multiline else 1,
                max_lines=5 if multiline else 1,
                on_change=changed,
                disabled=form.busy,
            ),
        )

    for need in form.needs:
        if need is Need.PERCENT:
            fields.append(
                ft.Semantics(
                    identifier="form-percent",
                    content=ft.TextField(
                        label=app.t("form.percent"),
                        value=values.percent,
                        keyboard_type=ft.KeyboardType.NUMBER,
                        suffix=ft.Text("%"),
                        on_change=lambda e: setattr(values, "percent", e.control.value or ""),
                        disabled=form.busy,
                    ),
                )
            )
        elif need is Need.NOTE:
            fields.append(text_field(need, "form.note", "note"))
        elif need is Need.REASON:
            fields.append(text_field(need, "form.reason", "reason"))
        elif need is Need.PROPOSED_DEADLINE:
            fields.append(
                ft.Semantics(
                    identifier="form-date",
                    content=ft.TextField(
                        label=app.t("form.date"),
                        hint_text=app.t("form.date_hint"),
                        value=values.date,
                        keyboard_type=ft.KeyboardType.DATETIME,
                        on_change=lambda e: setattr(values, "date", e.control.value or ""),
                        disabled=form.busy,
                    ),
                )
            )
        elif need is Need.ASSIGNEE:
            fields.append(
                ft.Semantics(
                    identifier="form-assignee",
                    content=ft.Dropdown(
                        label=app.t("form.assignee"),
                        value=values.assignee_id or None,
                        options=[
                            ft.DropdownOption(key=uid, text=name)
                            for uid, name in (colleagues or [])
                        ],
                        on_select=lambda e: setattr(values, "assignee_id", e.control.value or ""),
                        disabled=form.busy,
                    ),
                )
            )
        elif need is Need.UNIT:
            fields.append(
                ft.Semantics(
                    identifier="form-unit",
                    content=ft.TextField(
                        label=app.t("form.unit"),
                        value=values.unit_id,
                        on_change=lambda e: setattr(values, "unit_id", e.control.value or ""),
                        disabled=form.busy,
                    ),
                )
            )
    if Need.NOTE not in form.needs and Need.PERCENT in form.needs:
        fields.append(text_field(Need.NOTE, "form.note_optional", "note"))
    if form.error:
        fields.append(
            ft.Semantics(
                identifier="form-error",
                content=ft.Text(form.error, color=ft.Colors.ERROR),
            )
        )
    if form.busy:
        fields.append(ft.ProgressBar())

    ft.use_dialog(
        ft.AlertDialog(
            modal=True,
            title=ft.Text(app.t(f"action.{form.action.value}")),
            content=ft.Column(tight=True, spacing=12, width=340, controls=fields),
            actions=[
                ft.Semantics(
                    identifier="form-cancel",
                    content=ft.TextButton(
                        app.t("common.cancel"), on_click=on_cancel, disabled=form.busy
                    ),
                ),
                ft.Semantics(
                    identifier="form-submit",
                    content=ft.FilledButton(
                        app.t("form.submit"), on_click=on_submit, disabled=form.busy
                    ),
                ),
            ],
            on_dismiss=lambda: on_cancel(),
        )
    )
    return ft.Container(width=0, height=0)
