"""What comes out: size, format, metadata kept and dropped, the visible stamp."""

from __future__ import annotations

import hashlib
import io

import piexif
import pytest
from PIL import Image, ImageChops

from domain import PhotoKind
from officer_app.photos import (
    InvalidPhotoRequest,
    LocationSource,
    PhotoSettings,
    StampCorner,
    read_embedded_tags,
)
from officer_app.photos.decode import decode_image, target_size
from officer_app.photos.stamp import stamp_box, stamp_lines
from officer_app.photos.testimages import PERSONAL_MARKERS
from tests.photos.photokit import (
    DEVICE_TIME,
    JAKARTA_FIX,
    REPORT_ID,
    TRACKING_ID,
    jpeg,
    process,
    rgb_at,
    segments,
)

APP1, COM = 0xE1, 0xFE


def test_12mp_camera_photo_to_default_output(camera_12mp: bytes) -> None:
    assert len(camera_12mp) > 3_500_000  # a realistic camera file, not a flat colour
    photo = process(camera_12mp)
    assert (photo.width, photo.height) == (1600, 1200)
    assert photo.size_bytes < 500_000
    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()
    with Image.open(io.BytesIO(photo.data)) as out:
        assert out.format == "JPEG" and out.mode == "RGB" and out.size == (1600, 1200)
        out.load()


def test_draft_decodes_at_the_aspect_correct_reduced_scale(camera_12mp: bytes) -> None:
    """4000x3000 for 1600 px: libjpeg decodes at 1/2 (2000x1500), not at full size.

    (A square draft box (1600, 1600) would give scale 1 here: min(4000//1600, 3000//1600).)
    """
    decoded = decode_image(camera_12mp, PhotoSettings())
    assert decoded.original_size == (4000, 3000)
    assert decoded.image.size == (2000, 1500)


@pytest.mark.parametrize(
    ("size", "long_edge", "expected"),
    [
        ((4000, 3000), 1600, (1600, 1200)),
        ((3000, 4000), 1600, (1200, 1600)),
        ((4032, 2268), 1280, (1280, 720)),
        ((1000, 700), 1600, (1000, 700)),  # never enlarged
        ((1601, 1), 1600, (1600, 1)),
        ((8160, 6120), 2048, (2048, 1536)),
    ],
)
def test_target_size(size: tuple[int, int], long_edge: int, expected: tuple[int, int]) -> None:
    assert target_size(*size, long_edge) == expected


def test_long_edge_and_quality_follow_the_settings(camera_small: bytes) -> None:
    small = process(camera_small, settings=PhotoSettings(long_edge=640, stamp=False))
    assert (small.width, small.height) == (640, 480)
    low = process(camera_small, settings=PhotoSettings(long_edge=640, quality=40, stamp=False))
    assert low.size_bytes < small.size_bytes
    kept = process(camera_small, settings=PhotoSettings(stamp=False))
    assert (kept.width, kept.height) == (800, 600)  # smaller than the long edge: as is


def test_personal_metadata_is_dropped(camera_12mp: bytes) -> None:
    source_markers = [m for m, _ in segments(camera_12mp)]
    assert COM in source_markers and source_markers.count(APP1) == 2  # EXIF + XMP
    for marker in PERSONAL_MARKERS:
        assert marker in camera_12mp, marker
    photo = process(camera_12mp)
    for marker in PERSONAL_MARKERS:
        assert marker not in photo.data, marker
    assert photo.data.count(b"\xff\xd8") == 1  # no embedded thumbnail JPEG
    markers = [m for m, _ in segments(photo.data)]
    app1 = [p for m, p in segments(photo.data) if m == APP1]
    assert len(app1) == 1 and app1[0].startswith(b"Exif\x00\x00")  # ours; no XMP packet
    assert COM not in markers
    exif = piexif.load(photo.data)
    assert exif["thumbnail"] is None and exif["1st"] == {}
    zeroth, sub = exif["0th"], exif["Exif"]
    for tag in (piexif.ImageIFD.Make, piexif.ImageIFD.Model, piexif.ImageIFD.Artist):
        assert tag not in zeroth
    for tag in (
        piexif.ExifIFD.BodySerialNumber,
        piexif.ExifIFD.CameraOwnerName,
        piexif.ExifIFD.LensSerialNumber,
        piexif.ExifIFD.ImageUniqueID,
        piexif.ExifIFD.MakerNote,
    ):
        assert tag not in sub
    assert set(zeroth) <= {
        piexif.ImageIFD.ImageDescription,
        piexif.ImageIFD.Software,
        piexif.ImageIFD.Orientation,
        piexif.ImageIFD.DateTime,
        piexif.ImageIFD.ExifTag,
        piexif.ImageIFD.GPSTag,
    }


def test_camera_photo_gets_the_fresh_fix_not_the_originals_gps(camera_small: bytes) -> None:
    original = read_embedded_tags(camera_small).fix
    assert original is not None and original.latitude == pytest.approx(-6.2)
    photo = process(camera_small, fix=JAKARTA_FIX)
    back = read_embedded_tags(photo.data).fix
    assert back is not None
    assert back.latitude == pytest.approx(JAKARTA_FIX.latitude, abs=1e-7)
    assert back.longitude == pytest.approx(JAKARTA_FIX.longitude, abs=1e-7)
    assert back.accuracy_m == JAKARTA_FIX.accuracy_m
    assert back.altitude_m == JAKARTA_FIX.altitude_m


def test_what_the_exif_says_about_the_report(camera_small: bytes) -> None:
    photo = process(camera_small, kind=PhotoKind.BEFORE)
    tags = read_embedded_tags(photo.data)
    assert tags.software == "Tindak"
    assert tags.description == f"{TRACKING_ID} - SEBELUM (before)"
    assert tags.comment == {
        "app": "Tindak",
        "v": 1,
        "report_id": REPORT_ID,
        "tracking_id": TRACKING_ID,
        "kind": "before",
        "device_time": DEVICE_TIME.isoformat(),
        "location_source": "gps",
        "time_source": "capture",
    }
    sub = piexif.load(photo.data)["Exif"]
    assert (sub[piexif.ExifIFD.PixelXDimension], sub[piexif.ExifIFD.PixelYDimension]) == (800, 600)


def test_reporter_kind_is_refused(camera_small: bytes) -> None:
    with pytest.raises(InvalidPhotoRequest):
        process(camera_small, kind=PhotoKind.REPORTER)


def test_photo_ref_and_payload(camera_small: bytes) -> None:
    photo = process(camera_small, kind=PhotoKind.DURING)
    assert photo.payload_ref() == {"sha256": photo.sha256, "kind": "during"}
    ref = photo.to_photo_ref(taken_by="Petugas Andi")
    assert (ref.sha256, ref.kind, ref.size_bytes) == (
        photo.sha256,
        PhotoKind.DURING,
        len(photo.data),
    )
    assert (ref.latitude, ref.longitude, ref.accuracy_m) == (
        JAKARTA_FIX.latitude,
        JAKARTA_FIX.longitude,
        JAKARTA_FIX.accuracy_m,
    )
    assert ref.captured_at == photo.captured_at
    assert "data" not in repr(photo)  # 400 KB of bytes never end up in a log line


# --- the visible stamp ---------------------------------------------------------------

GREY = Image.new("RGB", (1600, 1200), (128, 128, 128))


def changed_box(a: bytes, b: bytes) -> tuple[int, int, int, int] | None:
    """The bounding box of the pixels that differ noticeably between two JPEGs."""
    with Image.open(io.BytesIO(a)) as ia, Image.open(io.BytesIO(b)) as ib:
        diff = ImageChops.difference(ia.convert("L"), ib.convert("L"))
    return diff.point(lambda v: 255 if v > 24 else 0).getbbox()


@pytest.mark.parametrize("corner", list(StampCorner))
def test_stamp_is_drawn_in_the_chosen_corner_only(corner: StampCorner) -> None:
    raw = jpeg(GREY, quality=95)
    plain = process(raw, settings=PhotoSettings(stamp=False))
    stamped = process(raw, settings=PhotoSettings(stamp=True, corner=corner))
    assert stamped.stamped and not plain.stamped
    box = changed_box(plain.data, stamped.data)
    assert box is not None, "the stamp changed no pixel"
    left, top, right, bottom = box
    in_left = corner in (StampCorner.TOP_LEFT, StampCorner.BOTTOM_LEFT)
    in_top = corner in (StampCorner.TOP_LEFT, StampCorner.TOP_RIGHT)
    assert (right <= 800) if in_left else (left >= 800)
    assert (bottom <= 600) if in_top else (top >= 600)
    # Semi-transparent box: darker than the grey, but not black.
    lines = stamp_lines(
        captured_at=stamped.captured_at,
        location=stamped.location,
        location_source=stamped.location_source,
        tracking_id=TRACKING_ID,
        kind=PhotoKind.AFTER,
    )
    bl, bt, _, _ = stamp_box((1600, 1200), lines, corner)
    r, g, b = rgb_at(stamped.data, (bl + 3, bt + 3))
    assert 30 < r < 100 and 30 < g < 100 and 30 < b < 100


def test_stamp_off_leaves_the_pixels_alone() -> None:
    raw = jpeg(GREY, quality=95)
    a = process(raw, settings=PhotoSettings(stamp=False))
    b = process(raw, settings=PhotoSettings(stamp=False, corner=StampCorner.TOP_LEFT))
    assert changed_box(a.data, b.data) is None


def test_stamp_text_is_legible_at_phone_size() -> None:
    lines = ["14/05/2024 09:30:15 WIB", "-6.175392, 106.827153 ±8 m", f"{TRACKING_ID} · SESUDAH"]
    left, top, right, bottom = stamp_box((1600, 1200), lines, StampCorner.BOTTOM_LEFT)
    line_px = (bottom - top) / len(lines)
    # Shown full width on a 1080 px phone screen the photo is scaled by 0.675: each line
    # stays above ~25 physical px.
    assert line_px * 1080 / 1600 >= 25
    assert right - left < 1600 * 0.6  # and it leaves most of the picture visible


def test_stamp_text_content() -> None:
    lines = stamp_lines(
        captured_at=DEVICE_TIME,
        location=JAKARTA_FIX,
        location_source=LocationSource.GPS,
        tracking_id=TRACKING_ID,
        kind=PhotoKind.BEFORE,
    )
    assert lines == [
        "14/05/2024 09:30:15 WIB",
        "-6.175392, 106.827153 ±8 m",
        f"{TRACKING_ID} · SEBELUM",
    ]


def test_stamp_fits_a_tiny_photo() -> None:
    raw = jpeg(Image.new("RGB", (160, 120), (128, 128, 128)), quality=95)
    photo = process(raw, settings=PhotoSettings(stamp=True))
    assert (photo.width, photo.height) == (160, 120)
    with Image.open(io.BytesIO(photo.data)) as out:
        assert out.size == (160, 120)
