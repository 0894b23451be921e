"""A confirmation dialog (discard, sign out): rendered while its owner asks for it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from .context import use_session


@ft.component
def ConfirmHost(
    *,
    title: str,
    message: str,
    confirm: str,
    on_confirm: Callable[[], Awaitable[None]],
    on_cancel: Callable[[], None],
    ident: str,
) -> ft.Control:
    app = use_session().app
    ft.use_dialog(
        ft.AlertDialog(
            modal=True,
            title=ft.Text(title),
            content=ft.Semantics(identifier=f"confirm-{ident}-message", content=ft.Text(message)),
            actions=[
                ft.Semantics(
                    identifier=f"confirm-{ident}-cancel",
                    content=ft.TextButton(app.t("common.cancel"), on_click=on_cancel),
                ),
                ft.Semantics(
                    identifier=f"confirm-{ident}-ok",
                    content=ft.FilledButton(
                        confirm,
                        on_click=on_confirm,
                        style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR, color=ft.Colors.ON_ERROR),
                    ),
                ),
            ],
            on_dismiss=lambda: on_cancel(),
        )
    )
    return ft.Container(width=0, height=0)
