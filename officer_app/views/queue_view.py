"""Antrian: stage chips with counts, search, filters, and the rows in SLA order."""

from __future__ import annotations

import flet as ft

from domain import CATEGORIES
from local_db import Stage

from ..state.queue import STAGES
from .context import memo, use_session
from .frame import screen
from .queue_row import QueueRowTile

# A row re-renders only when its (frozen) row value changes.
_ROW = memo(QueueRowTile)


@ft.component
def QueueView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    ft.use_state(session.attention)  # the navigation badge
    queue, _ = ft.use_state(session.queue)

    async def first_load() -> None:
        await queue.refresh()

    ft.on_mounted(first_load)

    def stage_chip(stage: Stage) -> ft.Control:
        count = queue.counts.get(stage.value, 0)
        label = app.t(f"stage.{stage.value}")

        async def pick() -> None:
            await queue.select_stage(stage)

        return ft.Semantics(
            identifier=f"stage-{stage.value}",
            content=ft.Chip(
                label=ft.Text(f"{label} ({count})"),
                selected=queue.stage is stage and not queue.search,
                on_select=pick,
                show_checkmark=False,
            ),
        )

    def on_search(e: ft.Event[ft.TextField]) -> None:
        queue.type_search(e.control.value or "")

    async def on_search_submit(e: ft.Event[ft.TextField]) -> None:
        await queue.set_search(e.control.value or "")

    async def on_category(e: ft.Event[ft.Dropdown]) -> None:
        await queue.set_category(e.control.value or None)

    async def on_kelurahan(e: ft.Event[ft.Dropdown]) -> None:
        await queue.set_kelurahan(e.control.value or None)

    all_key = ""
    filters = ft.Row(
        spacing=8,
        controls=[
            ft.Semantics(
                identifier="filter-category",
                expand=True,
                content=ft.Dropdown(
                    label=app.t("queue.filter.category"),
                    value=queue.category or all_key,
                    dense=True,
                    expand=True,
                    options=[ft.DropdownOption(key=all_key, text=app.t("queue.filter.all"))]
                    + [
                        ft.DropdownOption(key=c.code, text=c.name(app.lang))
                        for c in CATEGORIES.values()
                    ],
                    on_select=on_category,
                ),
            ),
            ft.Semantics(
                identifier="filter-kelurahan",
                expand=True,
                content=ft.Dropdown(
                    label=app.t("queue.filter.kelurahan"),
                    value=queue.kelurahan or all_key,
                    dense=True,
                    expand=True,
                    options=[ft.DropdownOption(key=all_key, text=app.t("queue.filter.all"))]
                    + [
                        ft.DropdownOption(key=code, text=name)
                        for code, name in queue.kelurahan_choices
                    ],
                    on_select=on_kelurahan,
                ),
            ),
        ],
    )

    rows: list[ft.Control] = [_ROW(r, key=r.report_id) for r in queue.rows]
    if not queue.rows and not queue.loading:
        rows.append(
            ft.Semantics(
                identifier="queue-empty",
                content=ft.Container(
                    padding=24,
                    alignment=ft.Alignment.CENTER,
                    content=ft.Text(
                        app.t("queue.empty_search" if queue.search else "queue.empty"),
                        color=ft.Colors.ON_SURFACE_VARIANT,
                    ),
                ),
            )
        )
    if queue.has_more:
        rows.append(
            ft.Semantics(
                identifier="queue-more",
                content=ft.TextButton(app.t("queue.more"), on_click=queue.load_more, height=48),
            )
        )

    heading = (
        app.t("queue.search_results", text=queue.search)
        if queue.search
        else app.t(f"stage.{queue.stage.value}")
    )
    body: list[ft.Control] = [
        # The chips wrap onto a second line on a narrow phone (412 px cut the last two
        # with no sign there was more): every stage and its count stays in sight.
        ft.Semantics(
            identifier="stage-chips",
            container=True,
            content=ft.Row(
                wrap=True,
                spacing=6,
                run_spacing=2,
                controls=[stage_chip(s) for s in STAGES],
            ),
        ),
        ft.Row(
            controls=[
                ft.Semantics(
                    identifier="queue-search",
                    expand=True,
                    content=ft.TextField(
                        hint_text=app.t("queue.search_hint"),
                        prefix_icon=ft.Icons.SEARCH,
                        value=queue.typed,
                        dense=True,
                        on_change=on_search,
                        on_submit=on_search_submit,
                    ),
                )
            ]
        ),
        filters,
        ft.Row(
            controls=[
                ft.Text(heading, weight=ft.FontWeight.W_600, expand=True),
                ft.Text(
                    app.t("queue.overdue_count", n=queue.overdue) if queue.overdue else "",
                    color=ft.Colors.RED_700,
                    size=12,
                ),
            ]
        ),
        ft.ProgressBar(height=2) if queue.loading else ft.Container(height=2),
        ft.Semantics(
            identifier="queue-list",
            expand=True,
            content=ft.ListView(controls=rows, spacing=6, expand=True),
        ),
    ]
    return screen(
        session,
        route="/",
        title=app.t("queue.title"),
        body=body,
        nav_index=0,
        scroll=False,
    )
