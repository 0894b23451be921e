"""An address the app does not know (an old link): say so and offer the way home."""

from __future__ import annotations

import flet as ft

from .context import use_session


@ft.component
def NotFound() -> ft.Control:
    session = use_session()
    app = session.app
    return ft.Semantics(
        identifier="not-found",
        content=ft.Column(
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            controls=[
                ft.Text(app.t("common.not_found")),
                ft.FilledButton(
                    app.t("common.home"), icon=ft.Icons.HOME, on_click=lambda: session.navigate("/")
                ),
            ],
        ),
    )
