"""Categories, channels and the wire round trip of the protocol types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import CATEGORIES, CHANNELS, Action, PhotoKind, Report, Status, UnknownCode, category
from domain.geo import distance_m, in_polygon
from domain.protocol import (
    Change,
    ChangeOp,
    Entity,
    Mutation,
    PhotoRef,
    PullPage,
    ReportSnapshot,
    TimelineEntry,
)

TOP_2024 = [
    "jalan",
    "pohon",
    "parkir_liar",
    "sampah",
    "fasilitas_gedung",
    "kebisingan",
    "jaringan_listrik",
    "pkl_liar",
    "kawasan_dilarang_merokok",
    "lalu_lintas",
]


def test_top_ten_categories_of_2024_in_order_with_seven_day_sla() -> None:
    ranked = sorted(CATEGORIES.values(), key=lambda c: -c.reports_2024)[:10]
    assert [c.code for c in ranked] == TOP_2024
    assert all(c.sla_days == 7 for c in CATEGORIES.values())
    assert len(CATEGORIES) >= 16
    assert category("jalan").name("en") == "Roads"
    with pytest.raises(UnknownCode):
        category("nope")


def test_every_channel_of_the_domain_is_known() -> None:
    assert len(CHANNELS) == 15
    assert CHANNELS["jaki"].reports_2024 == 174_147
    assert sum(c.reports_2024 for c in CHANNELS.values()) == 185_852


def test_geo_distance_and_polygon() -> None:
    # Monas to Bundaran HI is about 2.2 km.
    d = distance_m(-6.1754, 106.8272, -6.1950, 106.8230)
    assert 2_100 < d < 2_300
    square = [[(106.0, -7.0), (107.0, -7.0), (107.0, -6.0), (106.0, -6.0)]]
    assert in_polygon(106.5, -6.5, square)
    assert not in_polygon(107.5, -6.5, square)


def test_snapshot_round_trips_through_the_wire() -> None:
    t0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    r = Report(
        id="r1",
        tracking_id="CRM-2026-000001",
        status=Status.DALAM_PROSES,
        category="pohon",
        channel="qlue",
        unit_id="kel-1",
        received_at=t0,
        assignee_id="u",
        progress_pct=50,
        photo_kinds=frozenset({PhotoKind.BEFORE}),
        photo_shas=frozenset({"ab" * 32}),
        rework_count=1,
        sent_back_at=t0 + timedelta(days=1),
        awaiting_new_after_photo=True,
        latitude=-6.2,
        longitude=106.8,
        extended_deadline=t0 + timedelta(days=20),
    )
    snap = ReportSnapshot(
        report=r,
        unit_name="Kelurahan Gambir",
        timeline=(TimelineEntry(t0, "received", status_to="baru"),),
        photos=(PhotoRef("ab" * 32, PhotoKind.BEFORE, captured_at=t0, latitude=-6.2),),
        updated_at=t0,
    )
    again = ReportSnapshot.from_wire(snap.to_wire())
    assert again == snap
    page = PullPage(
        (Change(ChangeOp.UPSERT, Entity.REPORT, "r1", snap.to_wire()),), "f:9", False, t0
    )
    assert PullPage.from_wire(page.to_wire()) == page
    m = Mutation("id-1", 3, Action.PROGRESS, "r1", {"percent": 50}, t0)
    assert Mutation.from_wire(m.to_wire()) == m
