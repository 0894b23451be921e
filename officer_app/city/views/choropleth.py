"""The choropleth of the 267 kelurahan by late share, drawn offline.

The outlines are the boundary data the app ships (`domain.boundaries`), drawn as
flet-map polygons on a plain background: no tile server is needed, so the map works
where the data team's network blocks tiles. A tap on the map opens the kelurahan under
the finger (point in polygon), as a row of the area list does. The legend gives the
classes; a kelurahan without reports whose SLA played out is grey.
"""

from __future__ import annotations

import flet as ft
import flet_map as fm

from domain.boundaries import KelurahanShape, kelurahan_shapes
from domain.city import AreaRow, CityFigures
from domain.geo import in_polygon

from ...i18n import Translator
from ..model import CityModel

# (upper bound of the late share, colour, legend key); the last class is open-ended.
CLASSES: tuple[tuple[float, str, str], ...] = (
    (0.05, "#2e7d32", "city.legend.lt5"),
    (0.10, "#9ccc65", "city.legend.lt10"),
    (0.20, "#ffb300", "city.legend.lt20"),
    (1.01, "#d32f2f", "city.legend.ge20"),
)
NO_DATA = "#cfd8dc"
ISLANDS = "Kepulauan Seribu"


def colour_of(row: AreaRow | None) -> str:
    share = row.late_share if row is not None else None
    if share is None:
        return NO_DATA
    for bound, colour, _ in CLASSES:
        if share < bound:
            return colour
    return CLASSES[-1][1]


def shapes_in(area: str | None) -> list[KelurahanShape]:
    shapes = list(kelurahan_shapes())
    if area:
        shapes = [s for s in shapes if s.code == area or s.code.startswith(area + ".")]
    return shapes


def kelurahan_at(lat: float, lon: float, area: str | None) -> str | None:
    """The code of the kelurahan (within `area`) whose outline holds the point."""
    for s in shapes_in(area):
        if not (s.box.south <= lat <= s.box.north and s.box.west <= lon <= s.box.east):
            continue
        for part in s.parts:
            ring = tuple((p[1], p[0]) for p in part)  # (lon, lat) as domain.geo wants
            if in_polygon(lon, lat, (ring,)):
                return str(s.code)
    return None


def legend(tr: Translator) -> ft.Control:
    items = [(colour, tr.t(key)) for _, colour, key in CLASSES] + [
        (NO_DATA, tr.t("city.legend.none"))
    ]
    return ft.Row(
        wrap=True,
        controls=[
            ft.Row(
                tight=True,
                spacing=4,
                controls=[
                    ft.Container(width=14, height=14, border_radius=3, bgcolor=colour),
                    ft.Text(text, size=12),
                ],
            )
            for colour, text in items
        ],
    )


def choropleth(f: CityFigures, model: CityModel, tr: Translator) -> ft.Control:
    rows = {r.code: r for r in f.kelurahan}
    shapes = shapes_in(model.area)
    if not shapes:
        return ft.Text(tr.t("city.map_none"))
    # The whole city is framed on the mainland: the Thousand Islands lie some 50 km
    # north and would shrink the five kota to a corner (they are drawn all the same).
    framed = [s for s in shapes if s.kota != ISLANDS] or shapes
    south = min(s.box.south for s in framed)
    north = max(s.box.north for s in framed)
    west = min(s.box.west for s in framed)
    east = max(s.box.east for s in framed)
    polygons = [
        fm.PolygonMarker(
            coordinates=[fm.MapLatitudeLongitude(lat, lon) for lat, lon in part],
            color=ft.Colors.with_opacity(0.75, colour_of(rows.get(s.code))),
            border_color=ft.Colors.with_opacity(0.6, ft.Colors.BLUE_GREY_700),
            border_stroke_width=0.6,
            label=s.name if model.area and model.area.count(".") >= 2 else None,
        )
        for s in shapes
        for part in s.parts
    ]

    async def tapped(e: fm.MapTapEvent) -> None:
        where = e.coordinates
        if where is None:
            return
        code = kelurahan_at(where.latitude, where.longitude, model.area)
        if code is not None and code != model.area:
            await model.drill(code)

    return ft.Column(
        spacing=6,
        controls=[
            ft.Semantics(
                identifier="city-choropleth",
                container=True,
                content=ft.Container(
                    height=420,
                    border_radius=8,
                    clip_behavior=ft.ClipBehavior.HARD_EDGE,
                    content=fm.Map(
                        expand=True,
                        bgcolor=ft.Colors.BLUE_GREY_50,
                        initial_camera_fit=fm.CameraFit(
                            bounds=fm.MapLatitudeLongitudeBounds(
                                fm.MapLatitudeLongitude(north, west),
                                fm.MapLatitudeLongitude(south, east),
                            ),
                            padding=ft.Padding.all(12),
                        ),
                        on_tap=tapped,
                        layers=[fm.PolygonLayer(polygons=polygons, polygon_labels=True)],
                    ),
                ),
            ),
            legend(tr),
        ],
    )
