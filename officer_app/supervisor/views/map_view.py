"""Peta (supervisor): the unit's open reports on the offline map, coloured by urgency.

The map (`views.map_canvas`, shared with the officer's Peta) draws the kelurahan
outlines and the markers itself, so it is a map with no tiles at all; tiles are added
when their host answers. A marker opens its report over the map. The list (per
kelurahan, the most urgent points, each row opening its report) is the supervisor's
choice through the toggle, whose label names the view a tap will show.
"""

from __future__ import annotations

import flet as ft

from local_db.figures import KelurahanLoad, MapPoint

from ...format import URGENCY_COLOURS, coords_text
from ...i18n import Translator
from ...views.context import use_session
from ...views.map_canvas import legend, map_canvas
from ...views.style import colour
from ..map_model import MapModel
from ..state import supervisor_state
from ..texts import level_text
from .shell import SUPERVISOR_NAV, role_view

LIST_POINTS = 50


def fallback(
    model: MapModel, points: list[MapPoint], kelurahan: list[KelurahanLoad], tr: Translator
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
            ft.Semantics(
                identifier=f"map-row-{p.tracking_id}",
                button=True,
                content=ft.Container(
                    ink=True,
                    on_click=lambda _e, rid=p.report_id: model.open(rid),
                    content=_point_row(p, tr),
                ),
            )
        )
    return rows


def _point_row(p: MapPoint, tr: Translator) -> ft.Control:
    return ft.Row(
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
                    content=ft.OutlinedButton(tr.t(model.toggle_key), on_click=model.toggle_list),
                ),
            ]
        )
    ]
    if model.loaded_at is not None and not model.points:
        body.append(ft.Text(tr.t("supervisor.map.empty"), color=ft.Colors.ON_SURFACE_VARIANT))
    if model.loaded_at is not None and not model.tiles_shown:
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
    if model.loaded_at is None:
        body.append(ft.ProgressBar())
    elif model.show_list:
        body.append(
            ft.Semantics(
                identifier="map-fallback",
                container=True,
                content=ft.Column(
                    spacing=6, controls=fallback(model, model.points, model.kelurahan, tr)
                ),
            )
        )
    else:
        body.append(
            map_canvas(
                markers=model.markers,
                areas=model.areas,
                here=None,
                frame=model.frame,
                tiles=model.tiles_url if model.tiles_shown else None,
                attribution=model.attribution,
                on_tile_error=model.tile_error,
                on_open=model.open,
                tr=tr,
                height=560,
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
