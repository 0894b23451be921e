"""One report as the supervisor's lists show it: tracking id, title, place, time left,
who holds it, "belum terkirim" while the supervisor's own action is unsent. With
`on_open`, a tap on the line opens the report (the controls inside keep their own taps)."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from local_db import QueueItem

from ...format import URGENCY_COLOURS, category_name, time_left_text
from ...i18n import Translator
from ...views.style import colour


def pill(text: str, bg: ft.Colors | str, fg: ft.Colors | str) -> ft.Control:
    return ft.Container(
        padding=ft.Padding.symmetric(horizontal=8, vertical=2),
        border_radius=10,
        bgcolor=bg,
        content=ft.Text(text, size=11, color=fg, no_wrap=True),
    )


def report_line(
    item: QueueItem,
    tr: Translator,
    *,
    identifier: str,
    leading: ft.Control | None = None,
    extra: str = "",
    trailing: list[ft.Control] | None = None,
    below: ft.Control | None = None,
    on_open: Callable[[], None] | None = None,
) -> ft.Control:
    r, v = item.report, item.view
    level_colour = colour(URGENCY_COLOURS[item.urgency.level])
    badges: list[ft.Control] = [
        pill(
            time_left_text(item.urgency.level, item.urgency.time_left, tr),
            level_colour,
            ft.Colors.WHITE,
        )
    ]
    if item.pending:
        badges.append(pill(tr.t("queue.not_sent"), ft.Colors.ORANGE_100, ft.Colors.ORANGE_900))
    place = " · ".join(p for p in (v.kelurahan, category_name(r.category, tr.lang), extra) if p)
    main = ft.Column(
        spacing=2,
        expand=True,
        controls=[
            ft.Row(
                wrap=True,
                spacing=6,
                controls=[ft.Text(r.tracking_id, weight=ft.FontWeight.BOLD, size=13), *badges],
            ),
            ft.Text(r.title, size=13, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS),
            ft.Text(place, size=11, color=ft.Colors.ON_SURFACE_VARIANT),
        ],
    )
    row = ft.Row(
        vertical_alignment=ft.CrossAxisAlignment.CENTER,
        controls=[c for c in (leading, main) if c is not None] + (trailing or []),
    )
    return ft.Semantics(
        identifier=identifier,
        container=True,
        content=ft.Container(
            border_radius=8,
            padding=ft.Padding.symmetric(horizontal=10, vertical=6),
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
            on_click=(lambda _e: on_open()) if on_open is not None else None,
            ink=on_open is not None,
            content=ft.Column(spacing=6, controls=[row] + ([below] if below else [])),
        ),
    )
