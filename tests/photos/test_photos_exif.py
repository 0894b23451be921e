"""EXIF written by the pipeline and read back: GPS over the whole globe, times in WIB.

Tolerance: positions are written as DMS with seconds in 1e-4 arc-second units, so a
read-back position is within half a unit: 0.5e-4 / 3600 degrees (1.39e-8 deg, ~1.5 mm).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import piexif
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from domain import PhotoKind
from officer_app.photos import GeoFix, LocationSource, TimeSource, read_embedded_tags
from officer_app.photos.exif import (
    SECOND_UNITS,
    build_exif,
    from_dms,
    gps_fix,
    parse_exif_time,
    to_dms,
)
from tests.photos.photokit import DEVICE_TIME, jpeg, process

TOLERANCE_DEG = 0.5 / SECOND_UNITS / 3600 + 1e-12

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
altitudes = st.none() | st.floats(min_value=-430, max_value=8850, allow_nan=False)
accuracies = st.none() | st.floats(min_value=0, max_value=5000, allow_nan=False)
TINY = Image.new("RGB", (8, 8), (90, 120, 150))


def exif_of(fix: GeoFix | None, captured_at: datetime = DEVICE_TIME) -> bytes:
    return build_exif(
        kind=PhotoKind.BEFORE,
        report_id="r1",
        tracking_id="CRM-1",
        width=8,
        height=8,
        captured_at=captured_at,
        device_time=captured_at - timedelta(seconds=30),
        location=fix,
        location_source=LocationSource.GPS if fix else LocationSource.NONE,
        time_source=TimeSource.CAPTURE,
    )


@settings(max_examples=300, deadline=None)
@given(latitudes, longitudes, altitudes, accuracies)
@example(90.0, 180.0, None, None)  # the north pole on the antimeridian
@example(-90.0, -180.0, None, None)
@example(89.99999999, -179.99999999, 0.0, 0.0)  # carries into 90 / 180 degrees
@example(-89.99999999, 179.99999999, -0.004, 0.004)
@example(-6.175392, 106.827153, 12.5, 8.0)  # Monas, Jakarta: south and east
@example(0.0, 1e-6, None, None)  # on the equator
@example(-1e-6, -0.0, None, None)  # on the prime meridian
@example(40.7128, -74.006, 10.0, 3.0)  # north and west
@example(-33.8688, 151.2093, 58.0, 4.0)  # south and east
@example(0.0000001, -0.0000001, None, None)
def test_gps_round_trips_through_piexif_and_pillow(
    lat: float, lon: float, alt: float | None, acc: float | None
) -> None:
    # Within 1.5 mm of (0, 0) a position is written as the "no fix" placeholder.
    assume(abs(lat) > TOLERANCE_DEG or abs(lon) > TOLERANCE_DEG)
    data = jpeg(TINY, exif=exif_of(GeoFix(lat, lon, alt, acc)))

    back = read_embedded_tags(data).fix  # Pillow's reader
    assert back is not None
    assert abs(back.latitude - lat) <= TOLERANCE_DEG
    assert abs(back.longitude - lon) <= TOLERANCE_DEG
    if alt is None:
        assert back.altitude_m is None
    else:
        assert back.altitude_m is not None and abs(back.altitude_m - alt) <= 0.005 + 1e-9
    if acc is None:
        assert back.accuracy_m is None
    else:
        assert back.accuracy_m is not None and abs(back.accuracy_m - acc) <= 0.005 + 1e-9

    gps = piexif.load(data)["GPS"]  # an independent reader agrees, refs included
    assert gps[piexif.GPSIFD.GPSLatitudeRef] == (b"S" if lat < 0 else b"N")
    assert gps[piexif.GPSIFD.GPSLongitudeRef] == (b"W" if lon < 0 else b"E")
    assert abs(from_dms(gps[piexif.GPSIFD.GPSLatitude]) - abs(lat)) <= TOLERANCE_DEG
    assert abs(from_dms(gps[piexif.GPSIFD.GPSLongitude]) - abs(lon)) <= TOLERANCE_DEG
    assert gps[piexif.GPSIFD.GPSMapDatum] == b"WGS-84"


@settings(max_examples=40, deadline=None)
@given(latitudes, longitudes, accuracies)
@example(-6.2, 106.8, 5.0)
@example(-90.0, 180.0, None)
def test_gps_round_trips_through_the_whole_pipeline(
    camera_small: bytes, lat: float, lon: float, acc: float | None
) -> None:
    assume(abs(lat) > TOLERANCE_DEG or abs(lon) > TOLERANCE_DEG)
    fix = GeoFix(lat, lon, accuracy_m=acc)
    photo = process(camera_small, fix=fix)
    back = read_embedded_tags(photo.data).fix
    assert back is not None
    assert abs(back.latitude - lat) <= TOLERANCE_DEG
    assert abs(back.longitude - lon) <= TOLERANCE_DEG
    assert photo.location == fix and photo.location_source is LocationSource.GPS


def test_dms_rounding_carries_instead_of_writing_60_seconds() -> None:
    dms = to_dms(6.9999999999)
    assert dms == ((7, 1), (0, 1), (0, SECOND_UNITS))
    for value in (0.0, 59.999999999, 106.827153, 180.0):
        (_, _), (minutes, _), (seconds, _) = to_dms(value)
        assert 0 <= minutes < 60 and 0 <= seconds < 60 * SECOND_UNITS


def test_zero_zero_is_no_fix_on_the_way_in_and_out() -> None:
    with pytest.raises(ValueError):
        GeoFix(0.0, 0.0)
    assert GeoFix.maybe(0.0, 0.0) is None
    zeros = {
        piexif.GPSIFD.GPSLatitudeRef: "N",
        piexif.GPSIFD.GPSLatitude: ((0, 1), (0, 1), (0, 1)),
        piexif.GPSIFD.GPSLongitudeRef: "E",
        piexif.GPSIFD.GPSLongitude: ((0, 1), (0, 1), (0, 1)),
    }
    assert gps_fix(zeros) is None  # what a camera without a fix writes


def test_no_location_writes_no_gps_ifd() -> None:
    data = jpeg(TINY, exif=exif_of(None))
    assert piexif.load(data)["GPS"] == {}
    assert read_embedded_tags(data).fix is None


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        (datetime(2024, 5, 14, 17, 30, 0, tzinfo=UTC), "2024:05:15 00:30:00"),  # next day in WIB
        (datetime(2024, 12, 31, 16, 59, 59, tzinfo=UTC), "2024:12:31 23:59:59"),
        (datetime(2024, 12, 31, 17, 0, 0, tzinfo=UTC), "2025:01:01 00:00:00"),
        (
            datetime(2024, 5, 14, 9, 0, 0, tzinfo=timezone(timedelta(hours=8))),
            "2024:05:14 08:00:00",
        ),
    ],
)
def test_date_time_original_is_jakarta_local_with_its_offset(utc: datetime, local: str) -> None:
    data = jpeg(TINY, exif=exif_of(None, captured_at=utc))
    exif = piexif.load(data)["Exif"]
    assert exif[piexif.ExifIFD.DateTimeOriginal].decode() == local
    assert exif[piexif.ExifIFD.OffsetTimeOriginal] == b"+07:00"
    assert exif[piexif.ExifIFD.DateTimeDigitized].decode() == local
    assert read_embedded_tags(data).captured_at == utc.astimezone(UTC)


@settings(max_examples=100, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
    )
)
def test_capture_time_round_trips_to_the_second(when: datetime) -> None:
    data = jpeg(TINY, exif=exif_of(None, captured_at=when))
    tags = read_embedded_tags(data)
    assert tags.captured_at == when.replace(microsecond=0)
    exif = piexif.load(data)["Exif"]
    assert exif[piexif.ExifIFD.SubSecTimeOriginal].decode() == f"{when.microsecond // 1000:03d}"


def test_pipeline_writes_server_corrected_time_and_keeps_device_time(camera_small: bytes) -> None:
    offset = timedelta(minutes=-7, seconds=-3)  # the phone runs 7 min 3 s fast
    photo = process(camera_small, clock_offset=offset)
    assert photo.device_time == DEVICE_TIME
    assert photo.captured_at == DEVICE_TIME + offset
    tags = read_embedded_tags(photo.data)
    assert tags.captured_at == (DEVICE_TIME + offset).replace(microsecond=0)
    assert tags.offset == "+07:00"
    assert tags.comment["device_time"] == DEVICE_TIME.isoformat()
    assert tags.comment["time_source"] == "capture"


@pytest.mark.parametrize(
    ("value", "offset", "expected"),
    [
        ("2024:05:14 09:30:00", "+07:00", datetime(2024, 5, 14, 2, 30, tzinfo=UTC)),
        ("2024:05:14 09:30:00", None, datetime(2024, 5, 14, 2, 30, tzinfo=UTC)),  # WIB assumed
        ("2024:05:14 09:30:00", "+08:00", datetime(2024, 5, 14, 1, 30, tzinfo=UTC)),  # WITA
        ("2024:05:14 09:30:00", "-03:00", datetime(2024, 5, 14, 12, 30, tzinfo=UTC)),
        (b"2024:05:14 09:30:00\x00", b"+07:00\x00", datetime(2024, 5, 14, 2, 30, tzinfo=UTC)),
        ("2024:05:14 09:30:00", "garbage", datetime(2024, 5, 14, 2, 30, tzinfo=UTC)),
        ("0000:00:00 00:00:00", "+07:00", None),
        ("    :  :     :  :  ", None, None),
        ("", None, None),
        (None, None, None),
        (12345, None, None),
    ],
)
def test_parse_exif_time(value: object, offset: object, expected: datetime | None) -> None:
    assert parse_exif_time(value, offset) == expected


def test_gps_without_hemisphere_reference_is_unusable() -> None:
    gps = {
        piexif.GPSIFD.GPSLatitude: ((6, 1), (10, 1), (0, 1)),
        piexif.GPSIFD.GPSLongitude: ((106, 1), (49, 1), (0, 1)),
        piexif.GPSIFD.GPSLongitudeRef: "E",
    }
    assert gps_fix(gps) is None
    assert gps_fix({**gps, piexif.GPSIFD.GPSLatitudeRef: "S"}) is not None


@pytest.mark.parametrize(
    "latitude",
    [
        ((6, 0), (10, 1), (0, 1)),  # zero denominator
        ((91, 1), (0, 1), (0, 1)),  # beyond the pole
        (),  # empty
        ((6, 1), (10, 1), (0, 1), (0, 1)),  # too long
        "not a tuple",
    ],
)
def test_gps_with_broken_values_is_unusable(latitude: object) -> None:
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: "S",
        piexif.GPSIFD.GPSLatitude: latitude,
        piexif.GPSIFD.GPSLongitudeRef: "E",
        piexif.GPSIFD.GPSLongitude: ((106, 1), (49, 1), (0, 1)),
    }
    assert gps_fix(gps) is None


def test_gps_in_decimal_degrees_only_is_accepted() -> None:
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: "S",
        piexif.GPSIFD.GPSLatitude: ((6175392, 1_000_000),),
        piexif.GPSIFD.GPSLongitudeRef: "E",
        piexif.GPSIFD.GPSLongitude: ((106827153, 1_000_000),),
    }
    fix = gps_fix(gps)
    assert fix is not None
    assert (fix.latitude, fix.longitude) == (-6.175392, 106.827153)
