"""Peta (officer): markers by urgency, visiting order, kelurahan outlines, the toggle,
opening a report from the map, tiles only when their host answers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from domain import Status, UrgencyLevel
from domain.visit_order import Stop, visit_order
from officer_app.profile import MapProfile

from .kit import Phone, now, report

MakePhone = Callable[..., Phone]


def _day(make_phone: MakePhone) -> Phone:
    t = now()
    return make_phone(
        # Overdue but far (Kelapa Gading), due soon and near, on track and nearest.
        report("late-far", received_at=t - timedelta(days=9), latitude=-6.1600, longitude=106.9050),
        report(
            "soon",
            received_at=t - timedelta(days=6, hours=12),
            latitude=-6.1960,
            longitude=106.8310,
        ),
        report("ok-near", received_at=t, latitude=-6.1951, longitude=106.8301),
        report(
            "late-near", received_at=t - timedelta(days=8), latitude=-6.1990, longitude=106.8350
        ),
        report("waiting", status=Status.MENUNGGU_VALIDASI, latitude=-6.19, longitude=106.83),
        report("nowhere", latitude=None, longitude=None),
    )


def test_markers_are_the_open_work_with_a_location_in_visiting_order(
    make_phone: MakePhone,
) -> None:
    p = _day(make_phone)
    p.session.location.update(-6.1950, 106.8300, 5)  # standing at ok-near
    model = p.session.map
    asyncio.run(model.refresh())
    order = [(m.report_id, m.order) for m in model.markers]
    # Overdue first (nearest of them first), then due soon, then on track; nothing
    # waiting for validation and nothing without coordinates.
    assert order == [("late-near", 1), ("late-far", 2), ("soon", 3), ("ok-near", 4)]
    levels = {m.report_id: m.level for m in model.markers}
    assert levels["late-far"] is UrgencyLevel.OVERDUE and levels["ok-near"] is UrgencyLevel.ON_TRACK
    assert model.markers[0].colour == "red_700" and model.markers[0].label == "1"
    assert [r.order for r in model.rows] == ["1", "2", "3", "4"]
    assert model.here == (-6.1950, 106.8300)


def test_the_offline_map_draws_the_kelurahan_around_the_markers(make_phone: MakePhone) -> None:
    p = _day(make_phone)
    model = p.session.map
    asyncio.run(model.refresh())
    names = {a.name for a in model.areas}
    assert {"Menteng", "Kelapa Gading Timur"} <= names
    assert "Pulau Panggang" not in names  # far away: not sent to the map
    assert all(len(part) >= 3 for a in model.areas for part in a.parts)
    (south, west), (north, east) = model.frame  # type: ignore[misc]
    assert south <= -6.1990 and north >= -6.1600 and west <= 106.8301 and east >= 106.9050


def test_the_toggle_names_the_other_view_and_rows_open_reports(make_phone: MakePhone) -> None:
    p = _day(make_phone)
    model = p.session.map
    asyncio.run(model.refresh())
    assert not model.show_list and model.toggle_key == "map.show_list"
    assert p.session.app.t(model.toggle_key) == "Tampilkan daftar"
    model.toggle_list()
    assert model.show_list and p.session.app.t(model.toggle_key) == "Tampilkan peta"
    model.open(model.rows[0].report_id)
    assert p.session.navigated[-1] == f"/peta/laporan/{model.rows[0].report_id}"


@pytest.fixture
def tile_server() -> Iterator[int]:
    """A real listening socket on loopback standing for a reachable tile host."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def test_tiles_are_added_only_when_their_host_answers(
    make_phone: MakePhone, tile_server: int
) -> None:
    p = _day(make_phone)
    model = p.session.map
    device = p.device
    device.profile = replace(
        device.profile, map=MapProfile(tiles="http://127.0.0.1:1/{z}/{x}/{y}.png")
    )
    asyncio.run(model.refresh())
    assert not model.tiles_shown  # nothing listens on port 1: the outlines only
    device.profile = replace(
        device.profile,
        map=MapProfile(tiles=f"http://127.0.0.1:{tile_server}/{{z}}/{{x}}/{{y}}.png"),
    )
    asyncio.run(model.refresh())
    assert model.tiles_shown
    model.tile_error()  # a tile failed to load after all
    assert not model.tiles_shown
    device.profile = replace(device.profile, map=MapProfile(tiles=""))
    asyncio.run(model.refresh())
    assert not model.tiles_shown  # the deployment chose no tiles


def test_visit_order_puts_urgency_before_distance() -> None:
    stops = [
        Stop("near-ok", -6.2000, 106.8000, UrgencyLevel.ON_TRACK),
        Stop("far-late", -6.1000, 106.9000, UrgencyLevel.OVERDUE),
        Stop("near-late", -6.2010, 106.8010, UrgencyLevel.OVERDUE),
    ]
    assert visit_order(stops, (-6.2, 106.8)) == ["near-late", "far-late", "near-ok"]
    assert visit_order(stops, None)[0] == "far-late"  # no position: the most urgent first
    assert visit_order(stops, (-6.2, 106.8), max_stops=2) == ["near-late", "far-late"]
