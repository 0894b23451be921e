"""The dialog an action with input opens: note, reason, percent, date, officer, unit.

`ActionFormHost` sits in the screen's tree while a form is open (it renders nothing
itself) and shows the dialog through `use_dialog`; it re-renders on every change of the
form, so an error or the busy state shows at once. Fields write straight into the form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time

import flet as ft

from domain import Action, Need

from ..i18n import Translator
from ..state.detail import ActionForm
from .context import use_session


def date_field(form: ActionForm, t: Callable[..., str], tr: Translator) -> ft.Control:
    """The completion date: the chosen day in words and a calendar to change it (only
    days after the current deadline can be picked), never a typed YYYY-MM-DD."""

    def picked(e: ft.Event[ft.DatePicker]) -> None:
        value = e.control.value
        if value is not None:
            # The picker answers midnight of the day in the device's zone: keep the day.
            form.pick_date(value.date() if isinstance(value, datetime) else value, tr)

    def open_picker() -> None:
        first, last = form.first_day, form.last_day
        if first is None or last is None:
            return
        chosen = form.values.date
        ft.context.page.show_dialog(
            ft.DatePicker(
                value=datetime.fromisoformat(chosen) if chosen else None,
                first_date=datetime.combine(first, time()),
                last_date=datetime.combine(last, time()),
                help_text=t("form.date"),
                on_change=picked,
            )
        )

    return ft.Column(
        spacing=4,
        controls=[
            ft.Text(t("form.date"), size=12, color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Row(
                controls=[
                    ft.Semantics(
                        identifier="form-date",
                        content=ft.Text(form.date_text or "-", size=15, weight=ft.FontWeight.W_600),
                    ),
                    ft.Semantics(
                        identifier="form-date-pick",
                        content=ft.OutlinedButton(
                            t("form.date_pick"),
                            icon=ft.Icons.CALENDAR_MONTH,
                            on_click=open_picker,
                            disabled=form.busy,
                            height=48,
                        ),
                    ),
                ],
                wrap=True,
            ),
        ],
    )


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
            completing = form.action is Action.COMPLETE
            if completing:  # completing asks for a note and is its own confirmation
                fields.append(ft.Text(app.t("form.complete.text"), size=13))
            fields.append(
                text_field(need, "form.complete.note" if completing else "form.note", "note")
            )
        elif need is Need.REASON:
            fields.append(text_field(need, "form.reason", "reason"))
        elif need is Need.PROPOSED_DEADLINE:
            fields.append(date_field(form, app.t, app.tr))
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
            title=ft.Text(
                app.t("form.complete.title")
                if form.action is Action.COMPLETE
                else app.t(f"action.{form.action.value}")
            ),
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
                        app.t(
                            "form.complete.submit"
                            if form.action is Action.COMPLETE
                            else "form.submit"
                        ),
                        on_click=on_submit,
                        disabled=form.busy,
                    ),
                ),
            ],
            on_dismiss=lambda: on_cancel(),
        )
    )
    return ft.Container(width=0, height=0)
