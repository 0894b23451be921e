"""Bad and unusual input: each refused with its own clear message, or converted.

Decision recorded here and in docs/photos.md: a 50 MP phone photo is accepted and
reduced through JPEG DCT scaling (decoded at 1/4: ~3 MP in memory); anything whose
header claims more than `PhotoSettings.max_pixels` (64 MP by default) is refused before
a pixel is decoded.
"""

from __future__ import annotations

import io
import random
import struct
import zlib

import piexif
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from officer_app.photos import (
    CorruptImage,
    ImageTooLarge,
    PhotoError,
    PhotoSettings,
    PhotoSource,
    TimeSource,
    UnreadableImage,
    UnsupportedFormat,
    WarningCode,
)
from officer_app.photos.decode import decode_image
from officer_app.photos.testimages import encoded
from tests.photos.photokit import close, jpeg, process, rgb_at, with_segment, without_app1

RND = random.Random(20240514)
NOISE = Image.effect_noise((640, 480), 40).convert("RGB")


def codes(photo_warnings: tuple[object, ...]) -> set[WarningCode]:
    return {w.code for w in photo_warnings}  # type: ignore[attr-defined]


def refused(
    raw: bytes, error: type[PhotoError], settings: PhotoSettings | None = None
) -> PhotoError:
    with pytest.raises(error) as caught:
        process(raw, settings=settings or PhotoSettings())
    exc = caught.value
    assert type(exc) is error, f"{type(exc).__name__} instead of {error.__name__}"
    assert exc.message("id") == exc.message_id and exc.message("en") == exc.message_en
    assert exc.message_id and exc.message_en and exc.message_id != exc.message_en
    return exc


def png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose IHDR was edited to claim width x height (CRC fixed up)."""
    data = bytearray(encoded(Image.new("RGB", (1, 1)), "PNG"))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


# --- refused -------------------------------------------------------------------------


def test_corrupt_file() -> None:
    exc = refused(b"\xff\xd8\xff\xe0" + RND.randbytes(4000), CorruptImage)
    assert exc.message_id == "Foto rusak atau tidak lengkap. Ambil ulang foto."


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_jpeg(keep: float) -> None:
    raw = jpeg(NOISE, quality=90)
    exc = refused(raw[: int(len(raw) * keep)], CorruptImage)
    assert exc.__cause__ is not None  # Pillow's own error is kept for the log


def test_png_with_a_broken_checksum_fails_verification() -> None:
    data = bytearray(encoded(NOISE, "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 100] ^= 0xFF
    exc = refused(bytes(data), CorruptImage)
    assert "verification" in exc.detail or "decoded" in exc.detail


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        (b"Laporan: jalan berlubang di Jl. Sudirman\n" * 20, "text"),
        (b"x" * 511 + "é".encode() * 10, "text"),  # a character cut by the 512-byte sample
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "a PDF document"),
        (b"PK\x03\x04" + bytes(200), "a ZIP / office document"),
        (b"\x00\x01\x02\x03" * 100, "unknown binary data"),
        # EPS is an image format Pillow knows, but its plugin runs Ghostscript: not accepted.
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n", "text"),
    ],
)
def test_not_an_image(raw: bytes, what: str) -> None:
    exc = refused(raw, UnreadableImage)
    assert what in exc.detail
    assert "JPEG" in exc.message_id  # tells the officer what to choose instead


def test_empty_input() -> None:
    refused(b"", UnreadableImage)


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + RND.randbytes(3000)


@pytest.mark.parametrize(
    "raw",
    [
        ftyp(b"heic", b"mif1", b"heic"),  # an iPhone photo
        ftyp(b"mif1", b"mif1", b"heic"),  # HEIF with HEVC, generic major brand
        ftyp(b"heix", b"mif1", b"heix"),  # 10-bit (some Android phones)
        ftyp(b"hevc", b"msf1", b"hevc"),  # a HEIF sequence (burst / live photo)
    ],
)
def test_heic_is_refused_by_name(raw: bytes) -> None:
    exc = refused(raw, UnsupportedFormat)
    assert "HEIC" in exc.message_id and "HEIC" in exc.message_en
    assert isinstance(exc, UnreadableImage)  # one catch covers both


def test_decompression_bomb_refused_by_pillows_own_limit() -> None:
    """20000 x 20000 = 400 MP: over twice Pillow's limit, refused while reading the header."""
    exc = refused(png_claiming(20_000, 20_000), ImageTooLarge)
    assert "decompression bomb" in exc.detail


def test_claimed_size_over_our_limit_is_refused_before_decoding() -> None:
    """9000 x 9000 = 81 MP: under Pillow's warning threshold, over our 64 MP limit."""
    exc = refused(png_claiming(9000, 9000), ImageTooLarge)
    assert "9000x9000" in exc.detail


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_bomb_between_pillows_thresholds_is_refused_when_warnings_are_not_errors() -> None:
    """10000 x 10000: Pillow only warns (printed in production); our limit refuses it."""
    exc = refused(png_claiming(10_000, 10_000), ImageTooLarge)
    assert "10000x10000" in exc.detail


def test_full_size_decodes_have_a_lower_limit() -> None:
    """A 25 MP PNG would need ~100 MiB and more in copies on a phone: refused."""
    exc = refused(png_claiming(5000, 5000), ImageTooLarge)
    assert "full size" in exc.detail
    progressive = jpeg(Image.new("RGB", (5000, 5000), (90, 90, 90)), progressive=True)
    exc = refused(progressive, ImageTooLarge)
    assert "JPEG 5000x5000" in exc.detail
    baseline = jpeg(Image.new("RGB", (5000, 5000), (90, 90, 90)))  # DCT-scaled: fine
    assert process(baseline, settings=PhotoSettings(stamp=False)).width == 1600


def test_pixel_limit_follows_the_settings(camera_12mp: bytes) -> None:
    refused(camera_12mp, ImageTooLarge, PhotoSettings(max_pixels=10_000_000))


def test_byte_limit_is_checked_first(camera_small: bytes) -> None:
    exc = refused(camera_small, ImageTooLarge, PhotoSettings(max_input_bytes=10_000))
    assert "bytes" in exc.detail


# --- accepted, converted -------------------------------------------------------------


def test_50mp_photo_is_accepted_and_reduced_through_draft() -> None:
    big = Image.new("RGB", (8160, 6120), (70, 90, 110))
    big.paste((230, 30, 30), (0, 0, 816, 612))
    raw = jpeg(big, quality=85)
    del big
    decoded = decode_image(raw, PhotoSettings())
    assert decoded.image.size == (2040, 1530)  # decoded at 1/4: ~3 MP in memory, not 50
    decoded.image.close()
    photo = process(raw)
    assert (photo.width, photo.height) == (1600, 1200)
    assert close(rgb_at(photo.data, (150, 60)), (230, 30, 30))


def test_png_is_converted_with_transparency_flattened_onto_white() -> None:
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))  # fully transparent...
    image.paste((200, 20, 20, 255), (0, 0, 150, 200))  # ...except an opaque red half
    photo = process(encoded(image, "PNG"))
    assert photo.original_format == "PNG"
    assert close(rgb_at(photo.data, (75, 40)), (200, 20, 20))
    assert close(rgb_at(photo.data, (225, 40)), (255, 255, 255), tol=8)
    with Image.open(io.BytesIO(photo.data)) as out:
        assert out.format == "JPEG" and out.mode == "RGB"


@pytest.mark.parametrize("lossless", [False, True])
def test_webp_is_converted(lossless: bool) -> None:
    image = Image.new("RGBA", (320, 240), (20, 160, 60, 255))
    image.paste((0, 0, 0, 0), (160, 0, 320, 240))
    photo = process(encoded(image, "WEBP", lossless=lossless, quality=90))
    assert photo.original_format == "WEBP"
    assert close(rgb_at(photo.data, (60, 60)), (20, 160, 60))
    assert close(rgb_at(photo.data, (260, 60)), (255, 255, 255), tol=8)


def test_avif_is_converted() -> None:
    image = Image.new("RGB", (320, 240), (200, 120, 40))
    photo = process(encoded(image, "AVIF", quality=90))
    assert photo.original_format == "AVIF"
    assert close(rgb_at(photo.data, (160, 120)), (200, 120, 40))


def test_gif_with_a_transparent_palette_entry_is_flattened() -> None:
    image = Image.new("P", (100, 100), 0)
    image.putpalette([0, 0, 0, 10, 40, 200] + [0] * (254 * 3))
    image.paste(1, (0, 0, 50, 100))
    photo = process(encoded(image, "GIF", transparency=0))
    assert close(rgb_at(photo.data, (25, 50)), (10, 40, 200))
    assert close(rgb_at(photo.data, (75, 50)), (255, 255, 255), tol=8)


def test_cmyk_jpeg_is_converted_to_rgb() -> None:
    cmyk = Image.new("RGB", (200, 150), (30, 120, 220)).convert("CMYK")
    photo = process(jpeg(cmyk, quality=95))
    with Image.open(io.BytesIO(photo.data)) as out:
        assert out.mode == "RGB"
    assert close(rgb_at(photo.data, (100, 75)), (30, 120, 220))


def test_16_bit_grey_png_keeps_its_tones() -> None:
    grey16 = Image.new("I;16", (200, 100), 65535)  # white...
    grey16.paste(Image.new("I;16", (100, 100), 32768), (0, 0))  # ...and a mid-grey half
    photo = process(encoded(grey16, "PNG"), settings=PhotoSettings(stamp=False))
    assert close(rgb_at(photo.data, (50, 50)), (128, 128, 128), tol=6)
    assert close(rgb_at(photo.data, (150, 50)), (255, 255, 255), tol=6)


# --- EXIF present but broken, or absent -----------------------------------------------


def test_garbage_exif_segment_is_ignored_with_a_warning(camera_small: bytes) -> None:
    raw = with_segment(without_app1(camera_small), 0xE1, b"Exif\x00\x00" + RND.randbytes(300))
    photo = process(raw, source=PhotoSource.GALLERY)
    assert WarningCode.EXIF_UNREADABLE in codes(photo.warnings)
    assert (photo.width, photo.height) == (800, 600)
    assert photo.time_source is TimeSource.IMPORT  # the broken EXIF gave no time


# One IFD entry claiming 2^31 SHORT values: a reader that trusts counts allocates GBs.
HUGE_COUNT_TIFF = b"II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\xff\xff\xff\x7f\x00\x00\x00\x00"


@pytest.mark.filterwarnings("default::UserWarning")
def test_exif_with_impossible_counts_is_ignored(camera_small: bytes) -> None:
    """As in production: Pillow warns ("Tag data larger than file"), the photo is kept."""
    raw = with_segment(without_app1(camera_small), 0xE1, b"Exif\x00\x00" + HUGE_COUNT_TIFF)
    with pytest.warns(UserWarning):
        photo = process(raw)
    assert WarningCode.EXIF_UNREADABLE in codes(photo.warnings)
    assert (photo.width, photo.height) == (800, 600)


def test_exif_with_impossible_counts_under_warnings_as_errors(camera_small: bytes) -> None:
    """Where warnings are errors (this test suite), Pillow's complaint aborts the header
    read: the photo is refused as damaged, still a `PhotoError`, never a raw warning."""
    raw = with_segment(without_app1(camera_small), 0xE1, b"Exif\x00\x00" + HUGE_COUNT_TIFF)
    refused(raw, CorruptImage)


def test_non_exif_app1_is_not_mistaken_for_exif(camera_small: bytes) -> None:
    raw = with_segment(without_app1(camera_small), 0xE1, RND.randbytes(300))
    photo = process(raw)
    assert WarningCode.EXIF_UNREADABLE not in codes(photo.warnings)


def test_photo_without_exif(camera_small: bytes) -> None:
    raw = without_app1(camera_small)
    assert piexif.load(raw)["0th"] == {}
    camera = process(raw)
    assert camera.warnings == ()
    gallery = process(raw, source=PhotoSource.GALLERY)
    assert codes(gallery.warnings) == {
        WarningCode.TIME_FROM_IMPORT,
        WarningCode.LOCATION_FROM_CURRENT_FIX,
    }


# --- never anything but a photo or a PhotoError -----------------------------------------

SMALL_JPEG = jpeg(Image.effect_noise((96, 72), 30).convert("RGB"), quality=85)
SMALL_PNG = encoded(Image.effect_noise((64, 48), 30).convert("RGBA"), "PNG")
SMALL_WEBP = encoded(Image.effect_noise((64, 48), 30).convert("RGB"), "WEBP")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([SMALL_JPEG, SMALL_PNG, SMALL_WEBP]),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
    st.one_of(st.none(), st.integers(min_value=1)),
)
def test_mangled_input_gives_a_photo_or_a_photo_error(
    original: bytes, flips: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(original)
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    try:
        photo = process(bytes(data), settings=PhotoSettings(stamp=False))
    except PhotoError as exc:
        assert exc.message_id and exc.message_en
    else:
        with Image.open(io.BytesIO(photo.data)) as out:
            assert out.format == "JPEG"
            out.load()
