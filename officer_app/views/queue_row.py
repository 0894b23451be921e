"""One report in the queue: tracking id, category icon, place, time left, distance."""

from __future__ import annotations

import flet as ft

from ..state.queue import QueueRow
from .context import use_session
from .style import colour, icon


@ft.component
def QueueRowTile(row: QueueRow) -> ft.Control:
    session = use_session()
    app = session.app
    chip_colour = colour(row.colour)
    top: list[ft.Control] = [
        ft.Text(row.tracking_id, weight=ft.FontWeight.BOLD, size=13),
    ]
    if row.pending:
        top.append(
            ft.Semantics(
                identifier=f"pending-{row.tracking_id}",
                content=ft.Container(
                    padding=ft.Padding.symmetric(horizontal=6, vertical=1),
                    border_radius=8,
                    bgcolor=ft.Colors.ORANGE_100,
                    content=ft.Text(
                        app.t("queue.not_sent"), size=11, color=ft.Colors.ORANGE_900
                    ),
                ),
            )
        )
    right: list[ft.Control] = [
        ft.Container(
            padding=ft.Padding.symmetric(horizontal=8, vertical=3),
            border_radius=10,
            bgcolor=chip_colour,
            content=ft.Text(row.time_left, size=11, color=ft.Colors.WHITE, no_wrap=True),
        )
    ]
    if row.distance:
        right.append(
            ft.Row(
                spacing=2,
                tight=True,
                controls=[
                    ft.Icon(ft.Icons.NEAR_ME, size=14, color=ft.Colors.ON_SURFACE_VARIANT),
                    ft.Text(row.distance, size=11, color=ft.Colors.ON_SURFACE_VARIANT),
                ],
            )
        )
    return ft.Semantics(
        identifier=f"queue-row-{row.tracking_id}",
        button=True,
        content=ft.Container(
            on_click=lambda: session.navigate(f"/laporan/{row.report_id}"),
            ink=True,
            border_radius=10,
            padding=ft.Padding.symmetric(horizontal=10, vertical=8),
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
            content=ft.Row(
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
                controls=[
                    ft.CircleAvatar(
                        content=ft.Icon(icon(row.icon), size=20, color=ft.Colors.WHITE),
                        bgcolor=chip_colour,
                        radius=20,
                        tooltip=row.category_name,
                    ),
                    ft.Column(
                        spacing=2,
                        expand=True,
                        controls=[
                            ft.Row(spacing=6, wrap=True, controls=top),
                            ft.Text(row.title, size=14, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS),
                            ft.Text(
                                row.place,
                                size=12,
                                color=ft.Colors.ON_SURFACE_VARIANT,
                                max_lines=1,
                                overflow=ft.TextOverflow.ELLIPSIS,
                            ),
                        ],
                    ),
                    ft.Column(
                        spacing=4,
                        horizontal_alignment=ft.CrossAxisAlignment.END,
                        controls=right,
                    ),
                ],
            ),
        ),
    )
