"""Repositories round-trip: what the server sent is what the screens read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import local_db
from domain import Extension, ExtensionState, PhotoKind, Report, Status
from domain.protocol import PhotoRef, ReportSnapshot, TimelineEntry
from local_db import LocalDb
from tests.local_db.factory import NOW, page, upsert

aware = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.astimezone(timezone(timedelta(hours=7))))  # any offset on the wire
text = st.text(max_size=300)


@st.composite
def snapshots(draw: st.DrawFn) -> ReportSnapshot:
    received = draw(aware)
    ext_state = draw(st.sampled_from(list(ExtensionState)))
    proposed = draw(st.none() | aware)
    report = Report(
        id=draw(st.uuids()).hex,
        tracking_id=f"CRM-{draw(st.integers(2000, 2099))}-{draw(st.integers(0, 999999)):06d}",
        status=draw(st.sampled_from(list(Status))),
        category=draw(st.sampled_from(["jalan", "pohon", "sampah"])),
        channel="jaki",
        unit_id="kel-1",
        received_at=received,
        sla_days=draw(st.integers(1, 365)),
        assignee_id=draw(st.none() | st.just("u-officer")),
        progress_pct=draw(st.integers(0, 100)),
        extension=Extension(ext_state, proposed, draw(text), draw(text)),
        extended_deadline=draw(st.none() | aware),
        rework_count=draw(st.integers(0, 50)),
        sent_back_at=draw(st.none() | aware),
        awaiting_new_after_photo=draw(st.booleans()),
        version=draw(st.integers(0, 2**62)),
        title=draw(text),
        description=draw(st.text(max_size=4000)),
        address=draw(text),
        latitude=draw(st.none() | st.floats(-90, 90)),
        longitude=draw(st.none() | st.floats(-180, 180)),
        kelurahan_code=draw(st.none() | st.text(max_size=20)),
        is_public=draw(st.booleans()),
    )
    photos = tuple(
        PhotoRef(
            f"{i:064x}",
            draw(st.sampled_from(list(PhotoKind))),
            100 + i,
            10,
            10,
            captured_at=draw(st.none() | aware),
            taken_by=draw(text),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    report = report.evolve(
        photo_kinds=frozenset(p.kind for p in photos),
        photo_shas=frozenset(p.sha256 for p in photos),
    )
    timeline = tuple(
        TimelineEntry(
            draw(aware),
            "progress",
            draw(text),
            "officer",
            None,
            None,
            draw(text),
            draw(st.none() | st.integers(0, 100)),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    return ReportSnapshot(
        report,
        draw(text),
        draw(text),
        draw(text),
        draw(text),
        draw(text),
        timeline,
        photos,
        draw(st.none() | st.integers(1, 5)),
        draw(st.none() | aware),
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(snap=snapshots())
def test_a_snapshot_reads_back_unchanged(db: LocalDb, snap: ReportSnapshot) -> None:
    local_db.start_pull(db)
    local_db.apply_page(db, page(upsert(snap.report, **_extras(snap))), NOW)
    detail = local_db.get_report(db, snap.report.id, now=NOW)
    assert detail is not None
    assert detail.report == snap.report
    v = detail.view
    assert (v.unit_name, v.assignee_name, v.kelurahan, v.kecamatan, v.kota) == (
        snap.unit_name,
        snap.assignee_name,
        snap.kelurahan,
        snap.kecamatan,
        snap.kota,
    )
    assert (v.rating, v.updated_at) == (snap.rating, snap.updated_at)
    assert [t.entry for t in detail.timeline] == sorted(snap.timeline, key=lambda t: t.at)
    assert {(p.sha256, p.kind, p.size_bytes, p.captured_at, p.taken_by) for p in detail.photos} == {
        (p.sha256, p.kind, p.size_bytes, p.captured_at, p.taken_by) for p in snap.photos
    }


def _extras(snap: ReportSnapshot) -> dict[str, object]:
    return {
        "unit_name": snap.unit_name,
        "assignee_name": snap.assignee_name,
        "kelurahan": snap.kelurahan,
        "kecamatan": snap.kecamatan,
        "kota": snap.kota,
        "timeline": snap.timeline,
        "photos": snap.photos,
        "rating": snap.rating,
        "updated_at": snap.updated_at,
    }
