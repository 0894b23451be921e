"""Gallery files as phones and hostile inputs make them, generated here (no binaries).

Broken JPEGs that still end with an end marker, the decode budget of each format,
memory-light conversion, GPS in degrees only, colour profiles, empty EXIF blocks.
"""

from __future__ import annotations

import io
import random
import struct

import pytest
from PIL import Image, ImageChops, ImageCms, TiffImagePlugin

from domain.photo_files import (
    MAX_DECODE_BYTES,
    BrokenImage,
    check_jpeg_structure,
    decode_cost,
    max_full_decode_pixels,
)
from officer_app.photos import (
    CorruptImage,
    ImageTooLarge,
    LocationSource,
    PhotoSettings,
    PhotoSource,
    WarningCode,
    make_preview,
)
from officer_app.photos.pixels import rgb_at_size, to_rgb
from officer_app.photos.testimages import encoded, scene
from tests.photos.photokit import jpeg, process


@pytest.fixture(scope="module")
def photo_jpeg() -> bytes:
    return jpeg(scene(640, 480), quality=90)


def scan_start(data: bytes) -> int:
    sos = data.index(b"\xff\xda")
    (length,) = struct.unpack(">H", data[sos + 2 : sos + 4])
    return sos + 2 + length


def half_with_eoi(data: bytes) -> bytes:
    return data[: len(data) // 2] + b"\xff\xd9"


def claiming(data: bytes, width: int, height: int) -> bytes:
    """The same data under a frame header that claims `width` x `height`."""
    sof = data.index(b"\xff\xc0")
    return data[: sof + 5] + struct.pack(">HH", height, width) + data[sof + 9 :]


def with_garbage(data: bytes, seed: int) -> bytes:
    rng = random.Random(seed)
    start = scan_start(data)
    at = start + rng.randrange((len(data) - start) // 2)
    return data[:at] + rng.randbytes(4096) + data[at:]


def assert_refused_on_both_paths(raw: bytes) -> None:
    with pytest.raises(CorruptImage):
        make_preview(raw)
    with pytest.raises(CorruptImage):
        process(raw, source=PhotoSource.GALLERY)


# --- broken JPEGs that end with FFD9 --------------------------------------------------


def test_half_a_file_plus_end_marker_is_refused(photo_jpeg: bytes) -> None:
    assert_refused_on_both_paths(half_with_eoi(photo_jpeg))


def test_half_a_large_file_is_refused_at_a_reduced_decode() -> None:
    """4000x3000 decodes at 1/2 or 1/4 scale: the missing blocks are still seen."""
    raw = jpeg(scene(4000, 3000), quality=85)
    assert_refused_on_both_paths(half_with_eoi(raw))


def test_header_claiming_more_pixels_than_the_data_is_refused(photo_jpeg: bytes) -> None:
    assert_refused_on_both_paths(claiming(photo_jpeg, 1280, 960))


@pytest.mark.parametrize("seed", range(5))
def test_garbage_in_the_scan_is_refused(photo_jpeg: bytes, seed: int) -> None:
    assert_refused_on_both_paths(with_garbage(photo_jpeg, seed))


def test_missing_restart_marker_is_refused() -> None:
    raw = jpeg(scene(320, 240), quality=80, restart_marker_blocks=4)
    assert check_jpeg_structure(raw).scans == 1
    rst = raw.index(b"\xff\xd3", scan_start(raw))
    broken = raw[:rst] + raw[rst + 2 :]
    with pytest.raises(BrokenImage, match="restart"):
        check_jpeg_structure(broken)
    assert_refused_on_both_paths(broken)


@pytest.mark.parametrize(
    "params",
    [
        {"quality": 92},
        {"quality": 60, "optimize": True},
        {"progressive": True},
        {"quality": 95, "subsampling": 0},
        {"quality": 75, "restart_marker_rows": 1},
    ],
    ids=["baseline", "optimised", "progressive", "444", "restarts"],
)
def test_whole_jpegs_of_every_kind_are_accepted(params: dict[str, object]) -> None:
    for image in (scene(640, 480), scene(640, 480).convert("L"), scene(33, 17)):
        raw = jpeg(image, **params)
        structure = check_jpeg_structure(raw)
        assert (structure.width, structure.height) == image.size
        assert process(raw).width == image.width


def test_a_picture_that_is_all_mid_grey_is_not_mistaken_for_a_cut_one() -> None:
    raw = jpeg(Image.new("RGB", (640, 480), (128, 128, 128)))
    assert process(raw).width == 640


def test_structure_walk_refuses_what_is_not_a_whole_jpeg(photo_jpeg: bytes) -> None:
    for broken in (b"", b"\xff\xd8", photo_jpeg[:-2], photo_jpeg[: scan_start(photo_jpeg)]):
        with pytest.raises(BrokenImage):
            check_jpeg_structure(broken)


def test_a_half_progressive_file_is_a_complete_picture_and_kept() -> None:
    """Documented: all of its first scans are there, the picture is whole but coarser."""
    raw = jpeg(scene(640, 480), quality=90, progressive=True)
    image = Image.open(io.BytesIO(make_preview(half_with_eoi(raw))))
    assert image.size == (640, 480)


# --- decode budgets -------------------------------------------------------------------


def test_each_format_has_its_full_decode_budget() -> None:
    assert decode_cost("JPEG", "RGB", check_jpeg_structure(jpeg(scene(64, 48)))) == 0
    progressive = check_jpeg_structure(jpeg(scene(64, 48), progressive=True))
    assert decode_cost("JPEG", "RGB", progressive) == 3  # 4:2:0: 2 bytes x 1.5 blocks
    assert decode_cost("PNG", "RGBA") == 4
    assert decode_cost("PNG", "I;16") == 3
    assert decode_cost("GIF", "P") == 2
    assert decode_cost("WEBP", "RGB") > decode_cost("PNG", "RGB")
    assert max_full_decode_pixels("PNG", "RGBA") == MAX_DECODE_BYTES // 4
    assert max_full_decode_pixels("PNG", "L") <= 64_000_000


@pytest.mark.parametrize(
    ("fmt", "mode", "cost"),
    [("PNG", "RGBA", 4), ("PNG", "L", 2), ("WEBP", "RGB", 12), ("GIF", "P", 2)],
)
def test_full_decode_beyond_the_budget_is_refused_before_decoding(
    fmt: str, mode: str, cost: int
) -> None:
    image = scene(100, 80).convert("RGBA" if mode == "RGBA" else "RGB")
    if mode in ("L", "P"):
        image = image.convert(mode)
    raw = encoded(image, fmt)
    just_enough = PhotoSettings(max_decode_bytes=100 * 80 * cost)
    assert process(raw, settings=just_enough).width == 100
    with pytest.raises(ImageTooLarge, match="full size"):
        process(raw, settings=PhotoSettings(max_decode_bytes=100 * 80 * cost - 1))


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "PA", "I;16", "L", "CMYK", "RGB"])
def test_banded_conversion_matches_the_whole_picture_conversion(mode: str) -> None:
    base = scene(900, 700)
    if mode in ("RGBA", "LA", "PA"):
        base.putalpha(Image.linear_gradient("L").resize(base.size))
    image = base.convert(mode) if mode != "I;16" else base.convert("L").convert("I;16")
    size = (300, 233)
    banded = rgb_at_size(image, size, reduced=False)
    whole = to_rgb(image).resize(size, Image.Resampling.BICUBIC)
    assert banded.mode == "RGB" and banded.size == size
    diff = ImageChops.difference(banded, whole).getextrema()
    assert max(high for _, high in diff) <= 2  # only the float box's rounding


# --- metadata -------------------------------------------------------------------------


def test_gps_in_degrees_only_is_used() -> None:
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update(
        {
            1: "S",
            2: TiffImagePlugin.IFDRational(6175392, 1_000_000),
            3: "E",
            4: TiffImagePlugin.IFDRational(106827153, 1_000_000),
        }
    )
    raw = jpeg(scene(400, 300), exif=exif.tobytes())
    photo = process(raw, source=PhotoSource.GALLERY, fix=None)
    assert photo.location_source is LocationSource.EXIF
    assert photo.location is not None
    assert photo.location.latitude == pytest.approx(-6.175392, abs=1e-6)
    assert photo.location.longitude == pytest.approx(106.827153, abs=1e-6)


def test_empty_but_valid_exif_gives_no_warning() -> None:
    raw = jpeg(scene(400, 300), exif=Image.Exif().tobytes())
    photo = process(raw)
    assert WarningCode.EXIF_UNREADABLE not in {w.code for w in photo.warnings}


def _profile_named(name: str) -> bytes:
    """The built-in sRGB profile renamed: a device profile carrying an owner's string."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    data = profile.tobytes()
    old = "sRGB built-in".encode("utf-16-be")  # an ICC v4 'mluc' text
    assert old in data
    return data.replace(old, name.ljust(13)[:13].encode("utf-16-be"))


@pytest.mark.parametrize("name", ["sRGB built-in", "Budi-P3 Owner"])
def test_colour_profile_is_never_copied(name: str) -> None:
    icc = _profile_named(name)
    raw = jpeg(scene(400, 300), icc_profile=icc)
    photo = process(raw)
    with Image.open(io.BytesIO(photo.data)) as out:
        assert "icc_profile" not in out.info
    assert "Budi".encode("utf-16-be") not in photo.data
    assert b"lcms" not in photo.data


def test_broken_colour_profile_is_dropped() -> None:
    raw = jpeg(scene(400, 300), icc_profile=b"not a profile at all" * 4)
    photo = process(raw)
    with Image.open(io.BytesIO(photo.data)) as out:
        assert "icc_profile" not in out.info


def test_a_multi_picture_jpeg_is_walked_to_its_first_end_marker() -> None:
    """MPO (two pictures one after the other, as some phones write): the first counts."""
    out = io.BytesIO()
    first, second = scene(640, 480), scene(320, 240)
    first.save(out, "MPO", save_all=True, append_images=[second], quality=90)
    raw = out.getvalue()
    assert check_jpeg_structure(raw).width == 640
    photo = process(raw)
    assert (photo.width, photo.height, photo.original_format) == (640, 480, "MPO")
