"""Geographic routing: which kelurahan a report's location belongs to, and the unit tree.

A new report goes to the kelurahan nearest its location (DOMAIN.md). The 267 kelurahan
polygons (domain/data, MIT; shared with the app) are loaded once per process and never change afterwards.

`route(lat, lon)`:
1. the kelurahan whose polygon contains the point (bounding-box prefilter, then
   `domain.geo.in_polygon` on each part of a MultiPolygon). Neighbouring polygons were
   simplified independently and overlap slightly: when two contain the point, the one
   the point lies deepest inside wins, so the answer never depends on file order;
2. otherwise (a gap between polygons, a harbour basin, the sea around an island) the
   nearest polygon, with `inside=False` and the distance to it;
3. a point farther than `max_distance_m` from every kelurahan is not Jakarta's:
   `OutsideJakarta`. Coordinates that are not numbers on the globe: `InvalidCoordinates`.

`route_address(text)`: for a report without coordinates, the kelurahan its address names
explicitly ("Kel. Menteng"), else None.

The unit tree derived from the same data: 5 kota administrasi + Kabupaten Kepulauan
Seribu (`kota-31.71`), 44 kecamatan (`kec-31.71.01`), 267 kelurahan (`kel-31.71.01.1001`).
Unit ids carry the Kemendagri code as is (dots kept), so they are never mistaken for the
differently numbered BPS codes.

Errors:

    RoutingError
     ├── InvalidCoordinates   not a finite latitude/longitude
     └── OutsideJakarta       farther than max_distance_m from every kelurahan
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from domain.geo import EARTH_RADIUS_M, distance_to_ring_m, in_polygon
from domain.units import Unit, UnitKind

from .data import KELURAHAN_GEOJSON, WILAYAH_CSV
from .errors import ServerError

# GPS error, a report from just across the border, a boat near an island: still routed.
MAX_DISTANCE_M = 3_000.0

Ring = tuple[tuple[float, float], ...]  # (lon, lat) vertices, GeoJSON order
Polygon = tuple[Ring, ...]  # shell then holes


class RoutingError(ServerError):
    """Root of the routing errors; carries an Indonesian and an English message."""

    status = 422
    code = "invalid_request"

    def __init__(self, message_id: str, message_en: str) -> None:
        super().__init__(message_en, message_id)


class InvalidCoordinates(RoutingError):
    """Latitude/longitude that are not finite numbers in range."""


class OutsideJakarta(RoutingError):
    """A point farther than the allowed distance from every kelurahan."""

    def __init__(self, lat: float, lon: float, distance: float) -> None:
        km = f"{distance / 1000:.1f}"
        super().__init__(
            f"Lokasi ({lat:.5f}, {lon:.5f}) berada di luar DKI Jakarta ({km} km dari "
            "kelurahan terdekat).",
            f"Location ({lat:.5f}, {lon:.5f}) is outside DKI Jakarta ({km} km from the "
            "nearest kelurahan).",
        )
        self.distance_m = distance


@dataclass(frozen=True, slots=True)
class Kelurahan:
    code: str  # Kemendagri code, e.g. "31.71.01.1001"
    name: str
    kecamatan: str
    kota: str
    polygons: tuple[Polygon, ...]  # a Polygon is one part; islands make several
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    label_lat: float  # an interior point (from the wilayah CSV)
    label_lon: float

    @property
    def unit_id(self) -> str:
        return kelurahan_unit_id(self.code)

    def contains(self, lat: float, lon: float) -> bool:
        min_lon, min_lat, max_lon, max_lat = self.bbox
        if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
            return False
        return any(in_polygon(lon, lat, rings) for rings in self.polygons)

    def distance_to_edge_m(self, lat: float, lon: float) -> float:
        """Distance from the point to the nearest edge of any ring (inside or out)."""
        return min(distance_to_ring_m(lon, lat, ring) for rings in self.polygons for ring in rings)


@dataclass(frozen=True, slots=True)
class KelurahanMatch:
    code: str
    kelurahan: str
    kecamatan: str
    kota: str
    inside: bool  # the point lies inside the polygon (else: the nearest one)
    distance_m: float  # 0 when inside

    @property
    def unit_id(self) -> str:
        return kelurahan_unit_id(self.code)


def kelurahan_unit_id(code: str) -> str:
    return f"kel-{code}"


def kecamatan_unit_id(code: str) -> str:
    return f"kec-{code[:8]}"


def kota_unit_id(code: str) -> str:
    return f"kota-{code[:5]}"


def _ring(coords: Sequence[Sequence[float]]) -> Ring:
    return tuple((float(p[0]), float(p[1])) for p in coords)


def _polygons(geometry: dict[str, Any]) -> tuple[Polygon, ...]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        return (tuple(_ring(r) for r in coords),)
    if kind == "MultiPolygon":
        return tuple(tuple(_ring(r) for r in part) for part in coords)
    raise ValueError(f"unsupported geometry {kind!r}")


def _bbox(polygons: tuple[Polygon, ...]) -> tuple[float, float, float, float]:
    lons = [p[0] for poly in polygons for p in poly[0]]
    lats = [p[1] for poly in polygons for p in poly[0]]
    return min(lons), min(lats), max(lons), max(lats)


@cache
def kelurahan_list() -> tuple[Kelurahan, ...]:
    """All 267 kelurahan, in code order. Loaded once per process."""
    labels: dict[str, tuple[float, float]] = {}
    with WILAYAH_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            labels[row["code"]] = (float(row["lat"]), float(row["lon"]))
    with KELURAHAN_GEOJSON.open(encoding="utf-8") as f:
        features = json.load(f)["features"]
    out = []
    for feature in features:
        props = feature["properties"]
        polygons = _polygons(feature["geometry"])
        lat, lon = labels[props["code"]]
        out.append(
            Kelurahan(
                code=props["code"],
                name=props["kelurahan"],
                kecamatan=props["kecamatan"],
                kota=props["kota"],
                polygons=polygons,
                bbox=_bbox(polygons),
                label_lat=lat,
                label_lon=lon,
            )
        )
    return tuple(sorted(out, key=lambda k: k.code))


@cache
def _by_code() -> dict[str, Kelurahan]:
    return {k.code: k for k in kelurahan_list()}


def kelurahan(code: str) -> Kelurahan:
    """The kelurahan with this Kemendagri code (KeyError if none)."""
    return _by_code()[code]


def _bbox_distance_m(lat: float, lon: float, bbox: tuple[float, float, float, float]) -> float:
    """A lower bound of the distance to anything inside the box (same metric as geo)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    k = math.cos(math.radians(lat))
    dx = max(min_lon - lon, 0.0, lon - max_lon) * k
    dy = max(min_lat - lat, 0.0, lat - max_lat)
    return math.radians(math.hypot(dx, dy)) * EARTH_RADIUS_M


def _check(lat: float, lon: float) -> None:
    ok = (
        isinstance(lat, int | float)
        and isinstance(lon, int | float)
        and not isinstance(lat, bool)
        and not isinstance(lon, bool)
        and math.isfinite(lat)
        and math.isfinite(lon)
        and -90.0 <= lat <= 90.0
        and -180.0 <= lon <= 180.0
    )
    if not ok:
        raise InvalidCoordinates(
            f"Koordinat tidak sah: lat={lat!r}, long={lon!r}.",
            f"Invalid coordinates: lat={lat!r}, long={lon!r}.",
        )


def _match(k: Kelurahan, inside: bool, distance: float) -> KelurahanMatch:
    return KelurahanMatch(k.code, k.name, k.kecamatan, k.kota, inside, distance)


def route(lat: float, lon: float, *, max_distance_m: float = MAX_DISTANCE_M) -> KelurahanMatch:
    """The kelurahan a report at (lat, lon) is routed to. See the module docstring."""
    _check(lat, lon)
    containing = [k for k in kelurahan_list() if k.contains(lat, lon)]
    if len(containing) == 1:
        return _match(containing[0], True, 0.0)
    if containing:  # overlapping neighbours: the one the point is deepest inside
        best = max(containing, key=lambda k: (k.distance_to_edge_m(lat, lon), k.code))
        return _match(best, True, 0.0)
    by_box = sorted(
        ((_bbox_distance_m(lat, lon, k.bbox), k.code, k) for k in kelurahan_list()),
        key=lambda t: (t[0], t[1]),
    )
    nearest, best_d = by_box[0][2], math.inf
    for i, (bound, _, k) in enumerate(by_box):
        # Past the allowed distance only the first few are measured, to say how far.
        if bound > best_d or (bound > max_distance_m and i >= 3):
            break
        d = k.distance_to_edge_m(lat, lon)
        if d < best_d:
            nearest, best_d = k, d
    if best_d > max_distance_m:
        raise OutsideJakarta(lat, lon, best_d)
    return _match(nearest, False, best_d)


_KELURAHAN_WORD = re.compile(r"\b(?:kelurahan|kel\.?)\s+", re.IGNORECASE)


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


@cache
def _names_longest_first() -> tuple[tuple[str, Kelurahan], ...]:
    pairs = [(_normalise(k.name), k) for k in kelurahan_list()]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def route_address(address: str) -> KelurahanMatch | None:
    """The kelurahan an address names explicitly ("Kel. Menteng", "Kelurahan Pulo
    Gadung"), for reports that come without coordinates (walk-in, e-mail). A bare place
    name is not enough: many streets and markets carry a kelurahan's name elsewhere."""
    for m in _KELURAHAN_WORD.finditer(address):
        rest = _normalise(address[m.end() :])
        for name, k in _names_longest_first():
            if rest == name or rest.startswith(name + " "):
                return KelurahanMatch(k.code, k.name, k.kecamatan, k.kota, False, math.inf)
    return None


# --- the unit tree ---------------------------------------------------------------------


def kota_unit_name(kota: str) -> str:
    prefix = "Kabupaten Administrasi" if kota == "Kepulauan Seribu" else "Kota Administrasi"
    return f"{prefix} {kota}"


def wilayah_units() -> tuple[Unit, ...]:
    """Kota, kecamatan and kelurahan units, parents before children."""
    kota: dict[str, Unit] = {}
    kecamatan: dict[str, Unit] = {}
    kelurahan_units: list[Unit] = []
    for k in kelurahan_list():
        kota_id, kec_id = kota_unit_id(k.code), kecamatan_unit_id(k.code)
        kota.setdefault(kota_id, Unit(kota_id, UnitKind.KOTA, kota_unit_name(k.kota), None, k.kota))
        kecamatan.setdefault(
            kec_id, Unit(kec_id, UnitKind.KECAMATAN, f"Kecamatan {k.kecamatan}", kota_id, k.kota)
        )
        kelurahan_units.append(
            Unit(k.unit_id, UnitKind.KELURAHAN, f"Kelurahan {k.name}", kec_id, k.kota)
        )
    return (*kota.values(), *kecamatan.values(), *kelurahan_units)
