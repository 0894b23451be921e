"""Helpers of the photo pipeline's tests: defaults, JPEG surgery, marker parsing."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image

from domain import PhotoKind
from officer_app.photos import GeoFix, PhotoSettings, PhotoSource, ProcessedPhoto, process_photo

DEVICE_TIME = datetime(2024, 5, 14, 2, 30, 15, 250_000, tzinfo=UTC)  # 09:30:15 WIB
JAKARTA_FIX = GeoFix(-6.175392, 106.827153, altitude_m=12.5, accuracy_m=8.0)
TRACKING_ID = "CRM-2024-000123"
REPORT_ID = "rpt-000123"


def process(raw: bytes, **overrides: Any) -> ProcessedPhoto:
    """`process_photo` with the tests' defaults (a camera shot in Jakarta, no offset)."""
    args: dict[str, Any] = {
        "kind": PhotoKind.AFTER,
        "report_id": REPORT_ID,
        "tracking_id": TRACKING_ID,
        "source": PhotoSource.CAMERA,
        "fix": JAKARTA_FIX,
        "device_time": DEVICE_TIME,
        "clock_offset": timedelta(0),
        "settings": PhotoSettings(),
    }
    args.update(overrides)
    return process_photo(raw, **args)


def jpeg(image: Image.Image, **params: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", **params)
    return out.getvalue()


def segments(data: bytes) -> list[tuple[int, bytes]]:
    """The JPEG's marker segments before the scan: (marker byte, payload)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    out: list[tuple[int, bytes]] = []
    pos = 2
    while pos < len(data):
        assert data[pos] == 0xFF, f"no marker at {pos}"
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the header is over
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        out.append((marker, data[pos + 4 : pos + 2 + length]))
        pos += 2 + length
    return out


def with_segment(data: bytes, marker: int, payload: bytes) -> bytes:
    """`data` with one more marker segment right after SOI."""
    seg = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + seg + data[2:]


def without_app1(data: bytes) -> bytes:
    """`data` with every APP1 (EXIF / XMP) segment removed."""
    out = bytearray(data[:2])
    pos = 2
    while pos < len(data):
        marker = data[pos + 1]
        if marker == 0xDA:
            out += data[pos:]
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker != 0xE1:
            out += data[pos : pos + 2 + length]
        pos += 2 + length
    return bytes(out)


def rgb_at(data: bytes, xy: tuple[int, int]) -> tuple[int, int, int]:
    with Image.open(io.BytesIO(data)) as image:
        pixel = image.convert("RGB").getpixel(xy)
    assert isinstance(pixel, tuple)
    return (int(pixel[0]), int(pixel[1]), int(pixel[2]))


def close(a: tuple[int, ...], b: tuple[int, ...], tol: int = 40) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))
