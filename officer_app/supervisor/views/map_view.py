"""Peta: the unit's open reports on a map (flet-map), coloured by urgency.

The markers are drawn by the app; only the base tiles need the network. When a tile
fails to load (offline, or blocked) the map's `on_image_error` switches the screen to
the fallback: a clear notice, the open reports per kelurahan, and the most urgent
points with their coordinates. The supervisor can also choose the list at any time.
The screen is never blank: the markers sit on a plain background even before any
tile arrives.
"""

from __future__ import annotations

import flet as ft
import flet_map as fm

from domain import UrgencyLevel
from local_db.figures import KelurahanLoad, MapPoint

from ...format import URGENCY_COLOURS, coords_text
from ...i18n import Translator
from ...views.context import use_session
from ...views.style import colour
from ..map_model import MapModel
from ..state import supervisor_state
from ..texts import level_text
from .shell import SUPERVISOR_NAV, role_view

TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
LIST_POINTS = 50


def legend(tr: Translator) -> ft.Control:
    levels = (
        UrgencyLevel.OVERDUE,
        UrgencyLevel.DUE_SOON,
        UrgencyLevel.AT_RISK,
        UrgencyLevel.ON_TRACK,
    )
    return ft.Row(
        wrap=True,
        controls=[
            ft.Row(
                tight=True,
                spacing=4,
                controls=[
                    ft.Container(
                        width=12, height=12, border_radius=6, bgcolor=colour(URGENCY_COLOURS[lv])
                    ),
                    ft.Text(level_text(lv, tr), size=12),
                ],
            )
            for lv in levels
        ],
    )


def the_map(model: MapModel) -> ft.Control:
    lat, lon = model.centre
    return ft.Semantics(
        identifier="map-canvas",
        container=True,
        content=ft.Container(
            height=480,
            border_radius=8,
            clip_behavior=ft.ClipBehavior.HARD_EDGE,
            content=fm.Map(
                expand=True,
                initial_center=fm.MapLatitudeLongitude(lat, lon),
                initial_zoom=14,
                bgcolor=ft.Colors.BLUE_GREY_50,
                layers=[
                    fm.TileLayer(
                        url_template=TILES,
                        user_agent_package_name="id.go.jakarta.tindak",
                        on_image_error=lambda _e: model.tile_error(),
                    ),
                    fm.CircleLayer(
                        circles=[
                            fm.CircleMarker(
                                radius=7,
                                coordinates=fm.MapLatitudeLongitude(p.latitude, p.longitude),
                                color=colour(URGENCY_COLOURS[p.level]),
                                border_color=ft.Colors.WHITE,
                                border_stroke_width=1.5,
                            )
                            for p in model.points
                        ]
                    ),
                ],
            ),
        ),
    )


def fallback(
    points: list[MapPoint], kelurahan: list[KelurahanLoad], tr: Translator
) -> list[ft.Control]:
    rows: list[ft.Control] = [
        ft.Text(tr.t("supervisor.map.by_kelurahan"), weight=ft.FontWeight.W_600)
    ]
    for k in kelurahan:
        rows.append(
            ft.Semantics(
                identifier=f"map-kel-{k.code or 'none'}",
                container=True,
                content=ft.Row(
                    controls=[
                        ft.Text(
                            k.name or tr.t("supervisor.dashboard.no_kelurahan"),
                            width=220,
                            weight=ft.FontWeight.W_500,
                        ),
                        ft.Text(
                            tr.t(
                                "supervisor.map.kelurahan_row",
                                open=k.open,
                                overdue=k.overdue,
                                soon=k.due_soon,
                            ),
                            color=ft.Colors.RED_700 if k.overdue else None,
                        ),
                        ft.Text(
                            coords_text(k.latitude, k.longitude),
                            size=11,
                            color=ft.Colors.ON_SURFACE_VARIANT,
                        ),
                    ],
                    wrap=True,
                ),
            )
        )
    shown = points[:LIST_POINTS]
    rows.append(ft.Text(tr.t("supervisor.map.points", n=len(shown)), weight=ft.FontWeight.W_600))
    for p in shown:
        rows.append(
            ft.Row(
                controls=[
                    ft.Container(
                        width=10,
                        height=10,
                        border_radius=5,
                        bgcolor=colour(URGENCY_COLOURS[p.level]),
                    ),
                    ft.Text(p.tracking_id, weight=ft.FontWeight.W_500, width=150),
                    ft.Text(coords_text(p.latitude, p.longitude), width=170, selectable=True),
                    ft.Text(f"{p.kelurahan} · {level_text(p.level, tr)}", size=12),
                ],
                wrap=True,
            )
        )
    return rows


@ft.component
def MapView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    model, _ = ft.use_state(supervisor_state(session).map)
    tr = app.tr
    ft.on_mounted(model.refresh)

    body: list[ft.Control] = [
        ft.Row(
            controls=[
                legend(tr),
                ft.Container(expand=True),
                ft.Semantics(
                    identifier="map-toggle",
                    content=ft.OutlinedButton(
                        tr.t(
                            "supervisor.map.show_map"
                            if model.show_list
                            else "supervisor.map.show_list"
                        ),
                        on_click=model.toggle_list,
                    ),
                ),
            ]
        )
    ]
    if not model.points:
        body.append(ft.Text(tr.t("supervisor.map.empty"), color=ft.Colors.ON_SURFACE_VARIANT))
    if model.tiles_failed:
        body.append(
            ft.Semantics(
                identifier="map-offline",
                content=ft.Container(
                    padding=10,
                    border_radius=8,
                    bgcolor=ft.Colors.AMBER_100,
                    content=ft.Row(
                        controls=[
                            ft.Icon(ft.Icons.CLOUD_OFF, color=ft.Colors.AMBER_900),
                            ft.Text(
                                tr.t("supervisor.map.offline"),
                                color=ft.Colors.AMBER_900,
                                expand=True,
                            ),
                        ]
                    ),
                ),
            )
        )
    if not model.fallback:
        body.append(the_map(model))
    else:
        body.append(
            ft.Semantics(
                identifier="map-fallback",
                container=True,
                content=ft.Column(spacing=6, controls=fallback(model.points, model.kelurahan, tr)),
            )
        )
    return role_view(
        session,
        route="/peta",
        title=tr.t("supervisor.map.title"),
        body=body,
        nav=SUPERVISOR_NAV,
        selected=5,
        actions=[
            ft.IconButton(
                ft.Icons.REFRESH, tooltip=tr.t("supervisor.refresh"), on_click=model.refresh
            )
        ],
    )
