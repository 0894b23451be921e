"""One report in the queue: tracking id, category icon, place, time left, distance."""

from __future__ import annotations

import flet as ft

from ..state.queue import QueueRow
from .context import use_session
from .style import colour, icon


def _pill(text: str, bg: ft.Colors, fg: ft.Colors) -> ft.Control:
    return ft.Container(
        padding=ft.Padding.symmetric(horizontal=8, vertical=2),
        border_radius=10,
        bgcolor=bg,
        content=ft.Text(text, size=11, color=fg, no_wrap=True),
    )


@ft.component
def QueueRowTile(row: QueueRow, key: str | None = None) -> ft.Control:
    # `key` is taken by Flet's component wrapper (row identity in the list).
    session = use_session()
    app = session.app
    chip_colour = colour(row.colour)
    badges: list[ft.Control] = [_pill(row.time_left, chip_colour, ft.Colors.WHITE)]
    if row.pending:
        badges.append(
            ft.Semantics(
                identifier=f"pending-{row.tracking_id}",
                content=_pill(app.t("queue.not_sent"), ft.Colors.ORANGE_100, ft.Colors.ORANGE_900),
            )
        )
    if row.distance:
        badges.append(
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
                vertical_alignment=ft.CrossAxisAlignment.START,
                controls=[
                    ft.CircleAvatar(
                        content=ft.Icon(icon(row.icon), size=20, color=ft.Colors.WHITE),
                        bgcolor=chip_colour,
                        radius=20,
                        tooltip=row.category_name,
                    ),
                    ft.Column(
                        spacing=3,
                        expand=True,
                        controls=[
                            ft.Row(
                                controls=[
                                    ft.Text(
                                        row.tracking_id,
                                        weight=ft.FontWeight.BOLD,
                                        size=13,
                                        expand=True,
                                    ),
                                    ft.Text(
                                        f"{row.progress_pct}%" if row.progress_pct else "",
                                        size=11,
                                        color=ft.Colors.ON_SURFACE_VARIANT,
                                    ),
                                ]
                            ),
                            ft.Text(
                                row.title, size=14, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS
                            ),
                            ft.Text(
                                row.place,
                                size=12,
                                color=ft.Colors.ON_SURFACE_VARIANT,
                                max_lines=1,
                                overflow=ft.TextOverflow.ELLIPSIS,
                            ),
                            ft.Row(spacing=6, run_spacing=4, wrap=True, controls=badges),
                        ],
                    ),
                ],
            ),
        ),
    )
