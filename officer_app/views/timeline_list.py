"""The report's history, newest first; local steps not yet sent are marked."""

from __future__ import annotations

import flet as ft

from ..state.detail import DetailModel
from .context import use_session


@ft.component
def TimelineList(model: DetailModel) -> ft.Control:
    session = use_session()
    app = session.app
    items: list[ft.Control] = []
    for i, row in enumerate(model.timeline):
        who = f" · {row.actor}" if row.actor else ""
        lines: list[ft.Control] = [
            ft.Row(
                spacing=6,
                wrap=True,
                controls=[
                    ft.Text(row.label, weight=ft.FontWeight.W_600, size=13),
                    ft.Text(f"{row.at}{who}", size=12, color=ft.Colors.ON_SURFACE_VARIANT),
                ],
            )
        ]
        if row.note:
            lines.append(ft.Text(row.note, size=13))
        if not row.sent:
            lines.append(ft.Text(app.t("queue.not_sent"), size=11, color=ft.Colors.ORANGE_900))
        items.append(
            ft.Semantics(
                identifier=f"timeline-{i}",
                content=ft.Row(
                    vertical_alignment=ft.CrossAxisAlignment.START,
                    controls=[
                        ft.Icon(
                            ft.Icons.RADIO_BUTTON_CHECKED if row.sent else ft.Icons.CLOUD_UPLOAD,
                            size=16,
                            color=ft.Colors.PRIMARY if row.sent else ft.Colors.ORANGE_800,
                        ),
                        ft.Column(spacing=2, expand=True, controls=lines),
                    ],
                ),
            )
        )
    return ft.Card(
        content=ft.Container(
            padding=12,
            content=ft.Column(
                spacing=10,
                controls=[ft.Text(app.t("detail.timeline"), weight=ft.FontWeight.W_600), *items],
            ),
        )
    )
