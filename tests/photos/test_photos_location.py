"""Where a photo's location and time come from, and what the officer is told."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from officer_app.photos import (
    GeoFix,
    InvalidPhotoRequest,
    LocationSource,
    PhotoSource,
    TimeSource,
    WarningCode,
    read_embedded_tags,
)
from officer_app.photos.testimages import CameraExif, camera_jpeg
from tests.photos.photokit import DEVICE_TIME, JAKARTA_FIX, process

GALLERY = PhotoSource.GALLERY


def codes(photo: object) -> set[WarningCode]:
    return {w.code for w in photo.warnings}  # type: ignore[attr-defined]


def test_camera_with_a_fix() -> None:
    photo = process(camera_jpeg(400, 300), fix=JAKARTA_FIX)
    assert photo.location == JAKARTA_FIX
    assert photo.location_source is LocationSource.GPS
    assert photo.time_source is TimeSource.CAPTURE
    assert photo.warnings == ()


def test_camera_without_a_fix_keeps_the_photo_tanpa_lokasi() -> None:
    photo = process(camera_jpeg(400, 300), fix=None)
    assert photo.location is None and photo.location_source is LocationSource.NONE
    assert not photo.has_location and photo.latitude is None
    assert codes(photo) == {WarningCode.NO_LOCATION}
    warning = photo.warnings[0]
    assert "tanpa lokasi" in warning.message("id").lower()
    assert "without location" in warning.message("en").lower()
    tags = read_embedded_tags(photo.data)
    assert tags.fix is None  # the original's GPS (-6.2, 106.8) is not carried over either
    assert tags.comment["location_source"] == "none"


def test_gallery_photo_keeps_its_own_exif_location_and_time() -> None:
    raw = camera_jpeg(400, 300, meta=CameraExif(latitude=-6.3001, longitude=106.9002))
    photo = process(raw, source=GALLERY, fix=JAKARTA_FIX)
    assert photo.location_source is LocationSource.EXIF
    assert photo.location is not None
    assert photo.location.latitude == pytest.approx(-6.3001, abs=1e-7)
    assert photo.location.longitude == pytest.approx(106.9002, abs=1e-7)
    assert photo.location.altitude_m == 12.0
    # "2024:05:14 09:30:00" +07:00 in the original's EXIF
    assert photo.time_source is TimeSource.EXIF
    assert photo.device_time == datetime(2024, 5, 14, 2, 30, tzinfo=UTC)
    assert photo.warnings == ()
    assert read_embedded_tags(photo.data).comment["location_source"] == "exif"


def test_gallery_time_without_offset_is_read_as_wib() -> None:
    raw = camera_jpeg(400, 300, meta=CameraExif(offset=None, taken="2024:05:14 23:10:05"))
    photo = process(raw, source=GALLERY, clock_offset=timedelta(seconds=90))
    assert photo.device_time == datetime(2024, 5, 14, 16, 10, 5, tzinfo=UTC)
    assert photo.captured_at == photo.device_time + timedelta(seconds=90)


def test_gallery_photo_stripped_of_gps_uses_the_current_fix(camera_small_no_gps: bytes) -> None:
    photo = process(camera_small_no_gps, source=GALLERY, fix=JAKARTA_FIX)
    assert photo.location == JAKARTA_FIX
    assert photo.location_source is LocationSource.GPS
    assert codes(photo) == {WarningCode.LOCATION_FROM_CURRENT_FIX}


def test_gallery_photo_with_no_location_at_all(camera_small_no_gps: bytes) -> None:
    photo = process(camera_small_no_gps, source=GALLERY, fix=None)
    assert photo.location is None and photo.location_source is LocationSource.NONE
    assert codes(photo) == {WarningCode.NO_LOCATION}


def test_gallery_photo_without_any_time_uses_the_pick_time() -> None:
    raw = camera_jpeg(400, 300, meta=CameraExif(taken="0000:00:00 00:00:00"))
    photo = process(raw, source=GALLERY, device_time=DEVICE_TIME)
    assert photo.time_source is TimeSource.IMPORT
    assert photo.device_time == DEVICE_TIME
    assert WarningCode.TIME_FROM_IMPORT in codes(photo)


def test_camera_ignores_the_originals_time_and_gps(camera_small: bytes) -> None:
    photo = process(camera_small, device_time=DEVICE_TIME, fix=None)
    assert photo.time_source is TimeSource.CAPTURE and photo.device_time == DEVICE_TIME
    assert photo.location is None


def test_poor_accuracy_is_pointed_out() -> None:
    coarse = GeoFix(-6.2, 106.8, accuracy_m=350.0)  # a cell-tower fix
    photo = process(camera_jpeg(400, 300), fix=coarse)
    assert codes(photo) == {WarningCode.POOR_ACCURACY}
    assert "±350 m" in photo.warnings[0].message("id")
    assert "±350 m" in photo.warnings[0].message("en")


def test_stale_fix_is_pointed_out() -> None:
    old = GeoFix(-6.2, 106.8, accuracy_m=5.0, timestamp=DEVICE_TIME - timedelta(minutes=12))
    photo = process(camera_jpeg(400, 300), fix=old)
    assert codes(photo) == {WarningCode.STALE_FIX}
    assert "12 menit" in photo.warnings[0].message("id")
    fresh = GeoFix(-6.2, 106.8, accuracy_m=5.0, timestamp=DEVICE_TIME - timedelta(seconds=20))
    assert process(camera_jpeg(400, 300), fix=fresh).warnings == ()


def test_fix_time_is_written_as_the_gps_time_stamp() -> None:
    fix_time = DEVICE_TIME - timedelta(seconds=20)
    fix = GeoFix(-6.2, 106.8, accuracy_m=5.0, timestamp=fix_time)
    photo = process(camera_jpeg(400, 300), fix=fix)
    back = read_embedded_tags(photo.data).fix
    assert back is not None and back.timestamp == fix_time


def test_every_warning_speaks_both_languages() -> None:
    no_gps = camera_jpeg(200, 150, meta=CameraExif(latitude=None, taken=""))
    coarse = GeoFix(-6.2, 106.8, accuracy_m=500.0)
    photo = process(no_gps, source=GALLERY, fix=coarse)
    assert codes(photo) == {
        WarningCode.LOCATION_FROM_CURRENT_FIX,
        WarningCode.POOR_ACCURACY,
        WarningCode.TIME_FROM_IMPORT,
    }
    for warning in photo.warnings:
        assert warning.message("id") != warning.message("en")
        assert warning.message_id and warning.message_en


@pytest.mark.parametrize(
    "values",
    [
        (None, 106.8),
        (-6.2, None),
        (float("nan"), 106.8),
        (-6.2, float("inf")),
        (91.0, 106.8),
        (-6.2, 181.0),
        (0.0, 0.0),
    ],
)
def test_unusable_geolocator_values_mean_no_fix(values: tuple[float | None, float | None]) -> None:
    assert GeoFix.maybe(*values) is None


def test_maybe_keeps_what_is_usable() -> None:
    fix = GeoFix.maybe(-6.2, 106.8, float("nan"), 12.0, datetime(2024, 5, 14))  # naive time
    assert fix == GeoFix(-6.2, 106.8, None, 12.0, None)
    assert GeoFix.maybe(-6.2, 106.8, accuracy_m=-1.0) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"latitude": -91.0, "longitude": 0.5},
        {"latitude": 0.5, "longitude": 180.5},
        {"latitude": math.nan, "longitude": 0.5},
        {"latitude": 0.5, "longitude": 0.5, "accuracy_m": -3.0},
        {"latitude": 0.5, "longitude": 0.5, "timestamp": datetime(2024, 5, 14)},
        {"latitude": True, "longitude": 0.5},
    ],
)
def test_geofix_refuses_impossible_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidPhotoRequest):
        GeoFix(**kwargs)  # type: ignore[arg-type]


def test_naive_device_time_is_a_programming_error() -> None:
    with pytest.raises(InvalidPhotoRequest):
        process(camera_jpeg(100, 80), device_time=datetime(2024, 5, 14, 9, 30))


def test_empty_report_identity_is_a_programming_error() -> None:
    raw = camera_jpeg(100, 80, image=Image.new("RGB", (100, 80)))
    with pytest.raises(InvalidPhotoRequest):
        process(raw, tracking_id="")
