"""Peta (officer): own open reports on the offline map, numbered in visiting order."""

from __future__ import annotations

import flet as ft

from ..state.field_map import MapListRow
from .context import use_session
from .frame import screen
from .map_canvas import legend, map_canvas
from .style import colour


def _row(row: MapListRow, on_open: object) -> ft.Control:
    return ft.Semantics(
        identifier=f"map-row-{row.tracking_id}",
        button=True,
        content=ft.Container(
            on_click=lambda _e: on_open(row.report_id),  # type: ignore[operator]
            ink=True,
            border_radius=8,
            padding=ft.Padding.symmetric(horizontal=8, vertical=6),
            content=ft.Row(
                controls=[
                    ft.CircleAvatar(
                        radius=14,
                        bgcolor=colour(row.colour),
                        content=ft.Text(row.order, size=12, color=ft.Colors.WHITE),
                    ),
                    ft.Column(
                        spacing=0,
                        expand=True,
                        controls=[
                            ft.Text(row.tracking_id, weight=ft.FontWeight.W_600, size=13),
                            ft.Text(row.title, size=12, max_lines=1),
                        ],
                    ),
                    ft.Text(row.time_left, size=12),
                ]
            ),
        ),
    )


@ft.component
def FieldMapView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    ft.use_state(session.attention)  # the navigation badge
    model, _ = ft.use_state(session.map)
    ft.on_mounted(model.refresh)

    body: list[ft.Control] = [
        ft.Row(
            controls=[
                ft.Container(content=legend(app.tr), expand=True),
                ft.Semantics(
                    identifier="map-toggle",
                    content=ft.OutlinedButton(
                        app.t(model.toggle_key), on_click=model.toggle_list, height=40
                    ),
                ),
            ]
        ),
        ft.Semantics(
            identifier="map-order-hint",
            content=ft.Text(app.t("map.order_hint"), size=12, color=ft.Colors.ON_SURFACE_VARIANT),
        ),
    ]
    if not model.tiles_shown:
        body.append(
            ft.Semantics(
                identifier="map-offline",
                content=ft.Text(app.t("map.offline"), size=12, color=ft.Colors.AMBER_900),
            )
        )
    if not model.markers and model.loaded_at is not None:
        body.append(
            ft.Semantics(
                identifier="map-empty",
                content=ft.Text(app.t("map.empty"), color=ft.Colors.ON_SURFACE_VARIANT),
            )
        )
    if model.loaded_at is None:
        body.append(ft.ProgressBar())
    elif model.show_list:
        body.append(
            ft.Semantics(
                identifier="map-list",
                expand=True,
                content=ft.ListView(
                    expand=True,
                    spacing=4,
                    controls=[_row(r, model.open) for r in model.rows],
                ),
            )
        )
    else:
        body.append(
            map_canvas(
                markers=model.markers,
                areas=model.areas,
                here=model.here,
                frame=model.frame,
                tiles=model.tiles_url if model.tiles_shown else None,
                attribution=model.attribution,
                on_tile_error=model.tile_error,
                on_open=model.open,
                tr=app.tr,
            )
        )
    return screen(
        session,
        route="/peta",
        title=app.t("map.title"),
        body=body,
        nav_index=1,
        scroll=False,
        actions=[
            ft.IconButton(ft.Icons.REFRESH, tooltip=app.t("map.refresh"), on_click=model.refresh)
        ],
    )
