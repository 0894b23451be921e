"""The map itself (flet-map), shared by the officer's and the supervisor's Peta.

Layers, bottom to top: the tiles (only when `tiles` is given: online and not failed),
the kelurahan outlines with their names (always: the offline base map), the officer's
position, and the report markers (urgency colour, visiting number), each a button that
opens its report. With no tiles the background is plain and the outlines carry the
geography, so the map is never blank and never a list in disguise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import flet as ft
import flet_map as fm

from domain import UrgencyLevel
from domain.boundaries import LatLon

from ..format import URGENCY_COLOURS
from ..i18n import Translator
from ..state.map_data import MapArea, MapMarker, view_of
from .style import colour

LEVELS = (UrgencyLevel.OVERDUE, UrgencyLevel.DUE_SOON, UrgencyLevel.AT_RISK, UrgencyLevel.ON_TRACK)
MARKER_PX = 30


def legend(tr: Translator) -> ft.Control:
    return ft.Row(
        wrap=True,
        spacing=10,
        controls=[
            ft.Row(
                tight=True,
                spacing=4,
                controls=[
                    ft.Container(
                        width=12, height=12, border_radius=6, bgcolor=colour(URGENCY_COLOURS[lv])
                    ),
                    ft.Text(tr.t(f"supervisor.level.{lv.value}"), size=12),
                ],
            )
            for lv in LEVELS
        ],
    )


def _ll(p: LatLon) -> fm.MapLatitudeLongitude:
    return fm.MapLatitudeLongitude(p[0], p[1])


def _marker(m: MapMarker, on_open: Callable[[str], None], tr: Translator) -> fm.Marker:
    return fm.Marker(
        coordinates=fm.MapLatitudeLongitude(m.latitude, m.longitude),
        width=MARKER_PX,
        height=MARKER_PX,
        content=ft.Semantics(
            identifier=f"map-marker-{m.tracking_id}",
            button=True,
            label=tr.t("map.marker", id=m.tracking_id, title=m.title),
            content=ft.Container(
                width=MARKER_PX,
                height=MARKER_PX,
                border_radius=MARKER_PX / 2,
                bgcolor=colour(m.colour),
                border=ft.Border.all(2, ft.Colors.WHITE),
                alignment=ft.Alignment.CENTER,
                tooltip=f"{m.tracking_id} · {m.title}",
                on_click=lambda _e, rid=m.report_id: on_open(rid),
                content=ft.Text(m.label, size=12, weight=ft.FontWeight.BOLD, color=ft.Colors.WHITE),
            ),
        ),
    )


def map_canvas(
    *,
    markers: Sequence[MapMarker],
    areas: Sequence[MapArea],
    here: LatLon | None,
    frame: tuple[LatLon, LatLon] | None,
    tiles: str | None,
    attribution: str,
    on_tile_error: Callable[[], None],
    on_open: Callable[[str], None],
    tr: Translator,
    height: float | None = None,
) -> ft.Control:
    layers: list[fm.MapLayer] = []
    if tiles:
        layers.append(
            fm.TileLayer(
                url_template=tiles,
                user_agent_package_name="id.go.jakarta.tindak",
                on_image_error=lambda _e: on_tile_error(),
            )
        )
    layers.append(
        fm.PolygonLayer(
            polygon_labels=True,
            polygons=[
                fm.PolygonMarker(
                    coordinates=[_ll(p) for p in part],
                    label=area.name,
                    label_text_style=ft.TextStyle(size=11, color=ft.Colors.BLUE_GREY_700),
                    color=ft.Colors.with_opacity(0.06, ft.Colors.BLUE_GREY_700),
                    border_color=ft.Colors.BLUE_GREY_400,
                    border_stroke_width=1.2,
                )
                for area in areas
                for part in area.parts
            ],
        )
    )
    if here is not None:
        layers.append(
            fm.MarkerLayer(
                markers=[
                    fm.Marker(
                        coordinates=_ll(here),
                        width=22,
                        height=22,
                        content=ft.Semantics(
                            identifier="map-here",
                            label=tr.t("map.here"),
                            content=ft.Container(
                                border_radius=11,
                                bgcolor=ft.Colors.BLUE_600,
                                border=ft.Border.all(3, ft.Colors.WHITE),
                            ),
                        ),
                    )
                ]
            )
        )
    # Drawn last is on top: the numbered stops over the rest (stop 1 topmost), and
    # among the unnumbered the most urgent (given first) on top.
    drawn = sorted(reversed(markers), key=lambda m: (m.order is not None, -(m.order or 0)))
    layers.append(fm.MarkerLayer(markers=[_marker(m, on_open, tr) for m in drawn]))
    if tiles and attribution:
        layers.append(fm.SimpleAttribution(text=f"© {attribution}"))
    centre, zoom = view_of(frame)
    return ft.Semantics(
        identifier="map-canvas",
        container=True,
        expand=height is None,
        content=ft.Container(
            height=height,
            expand=height is None,
            border_radius=8,
            clip_behavior=ft.ClipBehavior.HARD_EDGE,
            content=fm.Map(
                # A new frame (new data, a position fix) is a new map: the initial
                # camera is only applied when the map is first built.
                key=f"map-{frame}",
                expand=True,
                initial_center=_ll(centre),
                initial_zoom=zoom,
                bgcolor=ft.Colors.BLUE_GREY_50,
                layers=layers,
            ),
        ),
    )
