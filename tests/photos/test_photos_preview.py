"""The pick-time preview: upright, small, metadata-free, and just as guarded."""

from __future__ import annotations

import io
import struct

import piexif
import pytest
from PIL import Image

from officer_app.photos import (
    PREVIEW_EDGE,
    ImageTooLarge,
    PhotoSettings,
    UnreadableImage,
    UnsupportedFormat,
    make_preview,
)
from officer_app.photos.testimages import PERSONAL_MARKERS
from tests.photos.photokit import close, jpeg, rgb_at


def test_preview_of_a_12mp_photo(camera_12mp: bytes) -> None:
    preview = make_preview(camera_12mp)
    with Image.open(io.BytesIO(preview)) as image:
        assert image.size == (PREVIEW_EDGE, 540)
        assert image.getexif() == {}
    assert all(marker not in preview for marker in PERSONAL_MARKERS)


def test_preview_is_upright() -> None:
    stored = Image.new("RGB", (400, 300), (120, 120, 120))
    stored.paste((230, 30, 30), (0, 0, 80, 60))  # stored top-left corner
    raw = jpeg(stored, quality=90, exif=piexif.dump({"0th": {piexif.ImageIFD.Orientation: 6}}))
    preview = make_preview(raw, edge=200)
    with Image.open(io.BytesIO(preview)) as image:
        assert image.size == (150, 200)  # portrait, as the officer held the phone
    assert close(rgb_at(preview, (150 - 10, 10)), (230, 30, 30))  # now top right


def test_preview_refuses_what_the_pipeline_refuses() -> None:
    heic = struct.pack(">I", 24) + b"ftypheic\x00\x00\x00\x00mif1heic" + bytes(500)
    with pytest.raises(UnsupportedFormat):
        make_preview(heic)
    with pytest.raises(UnreadableImage):
        make_preview(b"%PDF-1.5")
    with pytest.raises(ImageTooLarge):
        make_preview(jpeg(Image.new("RGB", (400, 300))), settings=PhotoSettings(max_pixels=1000))
