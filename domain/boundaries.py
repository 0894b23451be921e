"""Jakarta's kelurahan outlines for drawing: the shared boundary data as typed shapes.

The same polygons the server routes reports with (`domain/data`, MIT) are the app's
offline base map: with no tiles the map still shows where each kelurahan is. Read once
per process from the package data (read-only) and never changed afterwards.

Only the outer ring of each part is kept (holes do not matter for a base map), in
(latitude, longitude) order as a map control wants it, with a bounding box for the
"which shapes are near these points" question and a label position.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from .data import KELURAHAN_GEOJSON

LatLon = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Box:
    south: float
    west: float
    north: float
    east: float

    def grown(self, margin_deg: float) -> Box:
        m = margin_deg
        return Box(self.south - m, self.west - m, self.north + m, self.east + m)

    def meets(self, other: Box) -> bool:
        return not (
            other.west > self.east
            or other.east < self.west
            or other.south > self.north
            or other.north < self.south
        )


@dataclass(frozen=True, slots=True)
class KelurahanShape:
    code: str  # Kemendagri code, "31.71.06.1001" (the reports' kelurahan_code)
    name: str
    kecamatan: str
    kota: str
    parts: tuple[tuple[LatLon, ...], ...]  # outer rings, (lat, lon)
    box: Box
    label_at: LatLon  # the centre of the largest part's vertices


def box_of(points: Iterable[LatLon]) -> Box | None:
    pts = list(points)
    if not pts:
        return None
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    return Box(min(lats), min(lons), max(lats), max(lons))


def _outer_rings(geometry: dict[str, object]) -> list[tuple[LatLon, ...]]:
    coords = geometry["coordinates"]
    polygons: Sequence[object] = [coords] if geometry["type"] == "Polygon" else coords  # type: ignore[assignment,list-item]
    rings = []
    for polygon in polygons:
        outer = polygon[0]  # type: ignore[index]
        rings.append(tuple((float(lat), float(lon)) for lon, lat in outer))
    return rings


@cache
def kelurahan_shapes() -> tuple[KelurahanShape, ...]:
    """Every kelurahan, in file order."""
    data = json.loads(KELURAHAN_GEOJSON.read_text(encoding="utf-8"))
    shapes = []
    for feature in data["features"]:
        props = feature["properties"]
        parts = tuple(_outer_rings(feature["geometry"]))
        box = box_of(p for part in parts for p in part)
        assert box is not None
        largest = max(parts, key=len)
        label = (
            sum(p[0] for p in largest) / len(largest),
            sum(p[1] for p in largest) / len(largest),
        )
        shapes.append(
            KelurahanShape(
                props["code"],
                props["kelurahan"],
                props["kecamatan"],
                props["kota"],
                parts,
                box,
                label,
            )
        )
    return tuple(shapes)


def shapes_near(points: Iterable[LatLon], margin_deg: float = 0.01) -> list[KelurahanShape]:
    """The kelurahan whose box meets the points' box grown by `margin_deg` (~1.1 km per
    0.01°): what a map centred on those points shows, and no more."""
    box = box_of(points)
    if box is None:
        return []
    area = box.grown(margin_deg)
    return [s for s in kelurahan_shapes() if s.box.meets(area)]
