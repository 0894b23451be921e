"""Geographic routing and the unit tree derived from the kelurahan data (pure)."""

from __future__ import annotations

import csv
import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import UnitKind
from server import routing
from server.data import LICENSE_NOTICE, WILAYAH_CSV


def wilayah_rows() -> list[dict[str, str]]:
    with WILAYAH_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_interior_point_routes_to_its_own_kelurahan() -> None:
    rows = wilayah_rows()
    assert len(rows) == 267
    wrong = []
    for row in rows:
        match = routing.route(float(row["lat"]), float(row["lon"]))
        if (match.code, match.inside) != (row["code"], True):
            wrong.append((row["code"], row["kelurahan"], match))
        assert match.kelurahan == row["kelurahan"]
        assert match.kecamatan == row["kecamatan"]
        assert match.kota == row["kota"]
    assert wrong == []


@pytest.mark.parametrize(
    ("lat", "lon", "kelurahan"),
    [
        (-6.1754, 106.8272, "Gambir"),  # Monas
        (-6.1950, 106.8230, "Menteng"),  # Bundaran HI
        (-6.2443, 106.7990, "Melawai"),  # Blok M
        (-6.3125, 106.8200, "Ragunan"),  # the zoo
        (-5.7456, 106.6140, "Pulau Panggang"),  # Pulau Pramuka, Kepulauan Seribu
    ],
)
def test_landmarks(lat: float, lon: float, kelurahan: str) -> None:
    match = routing.route(lat, lon)
    assert match.kelurahan == kelurahan
    assert match.inside and match.distance_m == 0


@pytest.mark.parametrize(
    ("lat", "lon", "kelurahan", "max_m"),
    [
        (-6.104, 106.883, "Tanjung Priok", 200),  # the port basin, between polygons
        (-5.7975, 106.5060, "Pulau Tidung", 600),  # in the sea next to the island
    ],
)
def test_a_point_outside_every_polygon_goes_to_the_nearest(
    lat: float, lon: float, kelurahan: str, max_m: float
) -> None:
    assert not any(k.contains(lat, lon) for k in routing.kelurahan_list())
    match = routing.route(lat, lon)
    assert match.kelurahan == kelurahan
    assert not match.inside
    assert 0 < match.distance_m < max_m
    nearest = min(routing.kelurahan_list(), key=lambda k: k.distance_to_edge_m(lat, lon))
    assert nearest.code == match.code


def test_a_gap_between_neighbours_goes_to_the_nearer_one() -> None:
    # Walk east from Gambir's label point until the first point inside no polygon.
    start = routing.kelurahan("31.71.01.1001")
    found = None
    for step in range(1, 20_000):
        lon = start.label_lon + step * 0.00002
        if not any(k.contains(start.label_lat, lon) for k in routing.kelurahan_list()):
            found = lon
            break
    if found is None:
        pytest.skip("no gap on this line")  # pragma: no cover - the data has gaps here
    match = routing.route(start.label_lat, found)
    assert not match.inside
    best = min(routing.kelurahan_list(), key=lambda k: k.distance_to_edge_m(start.label_lat, found))
    assert match.code == best.code and match.distance_m < 200


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (-6.9175, 107.6191),  # Bandung
        (-6.4025, 106.7942),  # Depok centre
        (-6.1783, 106.6319),  # Tangerang
        (0.0, 0.0),
        (51.5, -0.12),  # London
    ],
)
def test_far_outside_jakarta_is_refused(lat: float, lon: float) -> None:
    with pytest.raises(routing.OutsideJakarta) as exc:
        routing.route(lat, lon)
    assert "di luar DKI Jakarta" in exc.value.message_id
    assert "outside DKI Jakarta" in exc.value.message_en
    assert exc.value.distance_m > routing.MAX_DISTANCE_M


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(math.nan, 106.8), (-6.2, math.inf), (91.0, 106.8), (-6.2, 181.0), (True, 106.8)],
)
def test_invalid_coordinates_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(routing.InvalidCoordinates):
        routing.route(lat, lon)


def test_the_allowed_distance_is_a_parameter() -> None:
    lat, lon = -6.104, 106.883  # 70 m from Tanjung Priok
    assert routing.route(lat, lon, max_distance_m=100).kelurahan == "Tanjung Priok"
    with pytest.raises(routing.OutsideJakarta):
        routing.route(lat, lon, max_distance_m=10)


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(min_value=-6.38, max_value=-6.07),
    lon=st.floats(min_value=106.68, max_value=106.98),
)
def test_a_point_inside_some_polygon_is_routed_to_a_polygon_containing_it(
    lat: float, lon: float
) -> None:
    containing = {k.code for k in routing.kelurahan_list() if k.contains(lat, lon)}
    try:
        match = routing.route(lat, lon)
    except routing.OutsideJakarta:
        assert not containing
        return
    assert match.inside == bool(containing)
    if containing:
        assert match.code in containing


def test_overlaps_are_decided_by_depth_not_file_order() -> None:
    # Find a point two polygons share, and check the deeper one wins.
    kel = routing.kelurahan_list()
    for a in kel:
        for ring in (poly[0] for poly in a.polygons):
            for lon, lat in ring[::3]:
                lat2, lon2 = lat + 0.00001, lon + 0.00001
                inside = [k for k in kel if k.contains(lat2, lon2)]
                if len(inside) > 1:
                    deepest = max(inside, key=lambda k: (k.distance_to_edge_m(lat2, lon2), k.code))
                    assert routing.route(lat2, lon2).code == deepest.code
                    return
    pytest.fail("no overlapping point found")  # pragma: no cover


def test_route_address_needs_an_explicit_kelurahan() -> None:
    found = routing.route_address("Jl. Melati No. 5, RT 003/RW 002, Kel. Menteng, Kec. Menteng")
    assert found is not None and found.code == "31.71.06.1001"
    found = routing.route_address("kelurahan cempaka putih timur")
    assert found is not None and found.kelurahan == "Cempaka Putih Timur"
    assert routing.route_address("Pasar Menteng dekat halte") is None
    assert routing.route_address("Kel. Atlantis") is None


def test_unit_tree_counts_and_links() -> None:
    tree = routing.wilayah_units()
    kinds = Counter(u.kind for u in tree)
    assert kinds == {UnitKind.KOTA: 6, UnitKind.KECAMATAN: 44, UnitKind.KELURAHAN: 267}
    by_id = {u.id: u for u in tree}
    assert len(by_id) == len(tree)
    kota_names = sorted(u.kota or "" for u in tree if u.kind is UnitKind.KOTA)
    assert kota_names == [
        "Jakarta Barat",
        "Jakarta Pusat",
        "Jakarta Selatan",
        "Jakarta Timur",
        "Jakarta Utara",
        "Kepulauan Seribu",
    ]
    seen: set[str] = set()
    for unit in tree:  # parents come first, and every kelurahan reaches a kota
        assert unit.parent_id is None or unit.parent_id in seen
        seen.add(unit.id)
    for unit in tree:
        if unit.kind is UnitKind.KELURAHAN:
            kec = by_id[unit.parent_id or ""]
            assert kec.kind is UnitKind.KECAMATAN
            assert by_id[kec.parent_id or ""].kind is UnitKind.KOTA
    assert by_id["kel-31.71.06.1001"].name == "Kelurahan Menteng"
    assert by_id["kota-31.01"].name == "Kabupaten Administrasi Kepulauan Seribu"


def test_the_licence_notice_ships_with_the_data() -> None:
    assert "MIT License" in LICENSE_NOTICE.read_text(encoding="utf-8")
    assert (WILAYAH_CSV.parent / "SOURCE.md").exists()
