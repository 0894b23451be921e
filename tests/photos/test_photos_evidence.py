"""The validator's evidence check: distance from the report, and taken before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import PhotoKind
from domain.capture_time import TimeFlag
from domain.geo import distance_m
from officer_app.photos import DEFAULT_RADIUS_M, InvalidPhotoRequest, evidence_check

MONAS = (-6.175392, 106.827153)
RECEIVED = datetime(2024, 5, 14, 1, 0, tzinfo=UTC)
LATER = RECEIVED + timedelta(hours=20)


def offset_north(lat: float, lon: float, metres: float) -> tuple[float, float]:
    return lat + metres / 111_195.0, lon


def test_photo_at_the_scene_is_fine() -> None:
    lat, lon = offset_north(*MONAS, 35)
    check = evidence_check(lat, lon, LATER, *MONAS, RECEIVED)
    assert check.distance_m == pytest.approx(35, abs=0.5)
    assert not check.too_far and not check.taken_before_report and not check.no_location
    assert check.ok and check.notes() == ()
    assert check.radius_m == DEFAULT_RADIUS_M == 200


def test_photo_far_from_the_report_is_flagged() -> None:
    lat, lon = offset_north(*MONAS, 1500)
    check = evidence_check(lat, lon, LATER, *MONAS, RECEIVED)
    assert check.too_far and not check.ok
    assert check.distance_m == pytest.approx(distance_m(lat, lon, *MONAS))
    (note,) = check.notes()
    assert note.code == "too_far"
    assert note.message("id") == "Foto diambil 1.5 km dari lokasi laporan (batas 200 m)."
    assert note.message("en") == "Photo taken 1.5 km from the report's location (limit 200 m)."


def test_radius_is_a_parameter() -> None:
    lat, lon = offset_north(*MONAS, 150)
    assert not evidence_check(lat, lon, LATER, *MONAS, RECEIVED).too_far
    assert evidence_check(lat, lon, LATER, *MONAS, RECEIVED, radius_m=100).too_far
    # The boundary itself is not "too far".
    edge = evidence_check(*MONAS, LATER, *offset_north(*MONAS, 0.0), RECEIVED, radius_m=0.001)
    assert edge.distance_m == 0 and not edge.too_far


def test_photo_taken_before_the_report_is_flagged() -> None:
    early = RECEIVED - timedelta(days=3)
    check = evidence_check(*MONAS, early, *MONAS, RECEIVED)
    assert check.taken_before_report and not check.too_far
    assert [n.code for n in check.notes()] == ["taken_before_report"]
    assert not evidence_check(*MONAS, RECEIVED, *MONAS, RECEIVED).taken_before_report


def test_missing_location_is_said_not_guessed() -> None:
    for args in [(None, None, *MONAS), (*MONAS, None, None), (MONAS[0], None, *MONAS)]:
        check = evidence_check(args[0], args[1], LATER, args[2], args[3], RECEIVED)
        assert check.no_location and check.distance_m is None and not check.too_far
        assert [n.code for n in check.notes()] == ["no_location"]


def test_missing_photo_time_is_not_taken_before() -> None:
    check = evidence_check(*MONAS, None, *MONAS, RECEIVED)
    assert not check.taken_before_report


def test_coarse_photo_location_is_called_imprecise() -> None:
    lat, lon = offset_north(*MONAS, 50)
    check = evidence_check(lat, lon, LATER, *MONAS, RECEIVED, photo_accuracy_m=900)
    assert check.imprecise and not check.too_far and not check.ok
    assert [n.code for n in check.notes()] == ["imprecise"]
    fine = evidence_check(lat, lon, LATER, *MONAS, RECEIVED, photo_accuracy_m=12)
    assert not fine.imprecise


def test_across_the_antimeridian() -> None:
    check = evidence_check(0.5, 179.9995, LATER, 0.5, -179.9995, RECEIVED)
    assert check.distance_m == pytest.approx(111.2, abs=1)
    assert not check.too_far


def test_every_flag_at_once_in_both_languages() -> None:
    lat, lon = offset_north(*MONAS, 5000)
    check = evidence_check(
        lat, lon, RECEIVED - timedelta(hours=1), *MONAS, RECEIVED, photo_accuracy_m=400
    )
    notes = check.notes()
    assert [n.code for n in notes] == ["too_far", "imprecise", "taken_before_report"]
    for n in notes:
        assert n.message_id and n.message_en and n.message_id != n.message_en


def test_naive_times_and_bad_radius_are_refused() -> None:
    with pytest.raises(InvalidPhotoRequest):
        evidence_check(*MONAS, datetime(2024, 5, 14), *MONAS, RECEIVED)
    with pytest.raises(InvalidPhotoRequest):
        evidence_check(*MONAS, LATER, *MONAS, datetime(2024, 5, 14))
    with pytest.raises(InvalidPhotoRequest):
        evidence_check(*MONAS, LATER, *MONAS, RECEIVED, radius_m=0)


def test_an_implausible_time_sits_with_the_other_flags() -> None:
    """The validator sees the capture-time rule (`domain.capture_time`) as one more note."""
    now = LATER + timedelta(hours=1)
    future = evidence_check(
        *MONAS,
        datetime(2099, 1, 1, tzinfo=UTC),
        *MONAS,
        RECEIVED,
        photo_kind=PhotoKind.AFTER,
        now=now,
    )
    assert future.implausible_time is TimeFlag.FUTURE and not future.ok
    assert [n.code for n in future.notes()] == ["time_future"]
    old = evidence_check(
        *MONAS,
        datetime(1970, 1, 1, tzinfo=UTC),
        *MONAS,
        RECEIVED,
        photo_kind=PhotoKind.AFTER,
        now=now,
    )
    assert old.implausible_time is None and old.taken_before_report  # said once
    assert [n.code for n in old.notes()] == ["taken_before_report"]
    older = evidence_check(
        *MONAS,
        datetime(1970, 1, 1, tzinfo=UTC),
        *MONAS,
        RECEIVED,
        photo_kind=PhotoKind.BEFORE,
        now=now,
    )
    assert older.implausible_time is TimeFlag.TOO_OLD
    fine = evidence_check(*MONAS, LATER, *MONAS, RECEIVED, photo_kind=PhotoKind.AFTER, now=now)
    assert fine.ok and fine.implausible_time is None
    # A time refused when the photo was attached comes as the server's flag.
    sent = evidence_check(*MONAS, LATER, *MONAS, RECEIVED, flags=("same_as_before", "time_too_old"))
    assert sent.implausible_time is TimeFlag.TOO_OLD
    assert "time_too_old" in [n.code for n in sent.notes()]
