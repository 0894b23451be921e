"""Perlu perhatian: each refused action with the reason and what can be done."""

from __future__ import annotations

import flet as ft

from ..state.attention import AttentionRow
from .action_form import ActionFormHost
from .confirm_host import ConfirmHost
from .context import use_session
from .frame import screen


@ft.component
def AttentionView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    model, _ = ft.use_state(session.attention)

    async def first_load() -> None:
        await model.refresh()

    ft.on_mounted(first_load)

    def card(row: AttentionRow) -> ft.Control:
        async def retry() -> None:
            await model.retry(row.id)

        buttons: list[ft.Control] = []
        if row.can_edit:
            buttons.append(
                ft.Semantics(
                    identifier=f"attention-edit-{row.id}",
                    content=ft.OutlinedButton(
                        app.t("attention.edit"),
                        icon=ft.Icons.EDIT,
                        on_click=lambda: model.edit(row.id),
                        height=48,
                    ),
                )
            )
        if row.can_resend:
            buttons.append(
                ft.Semantics(
                    identifier=f"attention-retry-{row.id}",
                    content=ft.OutlinedButton(
                        app.t("attention.retry"), icon=ft.Icons.SEND, on_click=retry, height=48
                    ),
                )
            )
        buttons += [
            ft.Semantics(
                identifier=f"attention-open-{row.id}",
                content=ft.TextButton(
                    app.t("attention.open"),
                    on_click=lambda: session.navigate(f"/laporan/{row.report_id}"),
                    height=48,
                ),
            ),
            ft.Semantics(
                identifier=f"attention-discard-{row.id}",
                content=ft.TextButton(
                    app.t("attention.discard"),
                    icon=ft.Icons.DELETE_OUTLINE,
                    on_click=lambda: model.ask_discard(row.id),
                    height=48,
                    style=ft.ButtonStyle(color=ft.Colors.ERROR),
                ),
            ),
        ]
        photos = app.t("attention.photos_kept", n=row.photos) if row.photos else ""
        return ft.Semantics(
            identifier=f"attention-{row.tracking_id}",
            content=ft.Card(
                content=ft.Container(
                    padding=12,
                    content=ft.Column(
                        spacing=6,
                        controls=[
                            ft.Row(
                                controls=[
                                    ft.Icon(ft.Icons.REPORT_PROBLEM, color=ft.Colors.ERROR),
                                    ft.Text(
                                        f"{row.tracking_id} · {row.action}",
                                        weight=ft.FontWeight.W_600,
                                        expand=True,
                                    ),
                                ]
                            ),
                            ft.Text(row.title, size=13),
                            ft.Semantics(
                                identifier=f"attention-reason-{row.id}",
                                content=ft.Text(row.reason, color=ft.Colors.ERROR, size=13),
                            ),
                            ft.Text(row.hint, size=12, color=ft.Colors.ON_SURFACE_VARIANT),
                            ft.Text(f"{row.at} {photos}".strip(), size=11),
                            ft.Row(wrap=True, spacing=6, controls=buttons),
                        ],
                    ),
                )
            ),
        )

    body: list[ft.Control] = [
        ft.Text(app.t("attention.intro"), size=13, color=ft.Colors.ON_SURFACE_VARIANT)
    ]
    if model.rows:
        body += [card(r) for r in model.rows]
    else:
        body.append(
            ft.Semantics(
                identifier="attention-empty",
                content=ft.Container(
                    padding=24,
                    alignment=ft.Alignment.CENTER,
                    content=ft.Text(app.t("attention.empty")),
                ),
            )
        )
    if model.form is not None:
        body.append(
            ActionFormHost(
                model.form, model.submit_edit, model.cancel_edit, key=str(id(model.form))
            )
        )
    if model.confirm_discard_id is not None:
        body.append(
            ConfirmHost(
                title=app.t("attention.discard_title"),
                message=app.t("attention.discard_message"),
                confirm=app.t("attention.discard"),
                on_confirm=model.confirm_discard,
                on_cancel=model.cancel_discard,
                ident="discard",
            )
        )
    return screen(
        session,
        route="/perhatian",
        title=app.t("attention.title"),
        body=body,
        nav_index=2,
    )
