"""What an evidence image file may be: pixel limits, decode budgets, JPEG integrity.

The device refuses a pick and the server refuses an upload by the same rules, so a
photo the officer was allowed to save is never refused by the server, and nothing the
device refuses can be planted on the server. Pure Python (bytes in, facts out): the
device and the server each decode with Pillow on their side.

Invariants:
- `MAX_PIXELS` bounds what a header may claim; a JPEG that libjpeg can decode at a
  reduced scale (baseline, DCT scaling) is accepted up to it;
- everything decoded at full size is bounded by its decoded working set:
  `pixels * decode_cost(format, mode) <= MAX_DECODE_BYTES`, where the cost is what
  the decoder holds per pixel at its peak (measured, see docs/photos.md);
- `check_jpeg_structure` refuses a JPEG whose marker structure cannot be whole: no
  scan, a marker that is not one inside a scan, restart markers that do not add up, no
  end marker; `flat_tail` recognises the uniform blocks libjpeg emits for the MCUs
  it never received (a truncated scan, or a header claiming more than the data holds).
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .errors import InvalidValue

# A 50 MP phone photo (8160 x 6120) is accepted; 108/200 MP "high resolution" modes not.
MAX_PIXELS = 64_000_000
# The decoded working set of anything that cannot be reduced while decoding.
MAX_DECODE_BYTES = 64 * 1024 * 1024

# Bytes per pixel the gallery path holds at its peak after a full decode, by mode: the
# image in Pillow's storage (RGB takes 4 bytes a pixel, grey and palette 1, 16-bit grey
# 2) plus what the decoders and the file's own bytes add, as `bench/bench_photos.py`
# measured it at each limit (greyscale and palette 2, 16-bit grey 3, colour 4).
_MODE_BYTES = {"1": 2, "L": 2, "P": 2, "I;16": 3, "I;16L": 3, "I;16B": 3, "I;16N": 3}
# libwebp's canvas, the frame it hands over and the image: three RGBA copies.
_WEBP_COST = 12
# libavif's decoded frame is copied into the image: two copies.
_AVIF_COST = 8
# Progressive JPEG: libjpeg keeps every DCT coefficient, 2 bytes each: 3 bytes a pixel
# with 4:2:0 chroma, 6 with 4:4:4 (the worst case, when the structure is not known).
_PROGRESSIVE_JPEG_COST = 6


class BrokenImage(InvalidValue):
    """An image file whose structure or decoded picture shows it is not whole."""


def decode_cost(fmt: str, mode: str, jpeg: JpegStructure | None = None) -> int:
    """Bytes per pixel the full decode of `fmt` in Pillow `mode` holds at its peak.

    0 for a baseline JPEG: it is decoded at a reduced scale (only `MAX_PIXELS` applies).
    """
    if fmt in ("JPEG", "MPO"):
        if jpeg is None:
            return _PROGRESSIVE_JPEG_COST
        return jpeg.coefficient_bytes if jpeg.progressive else 0
    if fmt == "WEBP":
        return _WEBP_COST
    if fmt == "AVIF":
        return _AVIF_COST
    return _MODE_BYTES.get(mode, 4)


def max_full_decode_pixels(fmt: str, mode: str, jpeg: JpegStructure | None = None) -> int:
    """The largest pixel count of `fmt`/`mode` accepted (at most `MAX_PIXELS`)."""
    cost = decode_cost(fmt, mode, jpeg)
    return MAX_PIXELS if cost == 0 else min(MAX_PIXELS, MAX_DECODE_BYTES // cost)


# --- JPEG structure ------------------------------------------------------------------

_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_PROGRESSIVE_SOF = frozenset({0xC2, 0xC6, 0xCA, 0xCE})
# What may follow a scan's entropy-coded data: tables, another scan, DNL, APPn, COM, EOI.
_AFTER_SCAN = frozenset({0xC4, 0xCC, 0xDA, 0xDB, 0xDC, 0xDD, 0xFE, 0xD9}) | frozenset(
    range(0xE0, 0xF0)
)
_MARKER_IN_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7]")
_RESTART = re.compile(rb"\xff[\xd0-\xd7]")


# width, height, progressive, hmax, vmax, components, blocks per MCU
_Frame = tuple[int, int, bool, int, int, int, int]


@dataclass(frozen=True, slots=True)
class JpegStructure:
    width: int
    height: int
    progressive: bool
    mcu_width: int  # pixels of one MCU at full scale (8 x the largest sampling factor)
    mcu_height: int
    scans: int
    coefficient_bytes: int  # per pixel, all components: what a progressive decode buffers


def check_jpeg_structure(data: bytes) -> JpegStructure:
    """Walk a JPEG's markers up to its end marker; raises `BrokenImage` if not whole."""
    if not data.startswith(b"\xff\xd8"):
        raise BrokenImage("no JPEG start marker")
    frame: _Frame | None = None
    restart_interval = 0
    scans = 0
    i = 2
    n = len(data)
    while True:
        if i + 2 > n:
            raise BrokenImage("no end marker (truncated)")
        if data[i] != 0xFF:
            raise BrokenImage(f"garbage between markers at byte {i}")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:
            break
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        if i + 4 > n:
            raise BrokenImage("truncated marker segment")
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if length < 2 or i + 2 + length > n:
            raise BrokenImage(f"marker 0x{marker:02X} overruns the file")
        segment = data[i + 4 : i + 2 + length]
        if marker in _SOF:
            frame = _frame(marker, segment)
        elif marker == 0xDD and len(segment) >= 2:
            (restart_interval,) = struct.unpack(">H", segment[:2])
        i += 2 + length
        if marker != 0xDA:
            continue
        if frame is None:
            raise BrokenImage("scan before the frame header")
        scans += 1
        found = _MARKER_IN_SCAN.search(data, i)
        if found is None:
            raise BrokenImage("no end marker after the scan (truncated)")
        end = found.start()
        if end == i:
            raise BrokenImage("empty scan")
        follower = data[end + 1]
        if follower != 0xFF and follower not in _AFTER_SCAN:
            raise BrokenImage(f"marker 0x{follower:02X} inside the scan data (corrupt)")
        components = segment[0] if segment else 0
        if restart_interval and not frame[2] and components == frame[5]:
            expected = _restarts(frame, restart_interval)
            counted = len(_RESTART.findall(data, i, end))
            if counted != expected:
                raise BrokenImage(f"{counted} restart markers where the frame needs {expected}")
        i = end
    if frame is None or scans == 0:
        raise BrokenImage("no frame or no scan")
    width, height, progressive, hmax, vmax, _, blocks = frame
    coefficient_bytes = math.ceil(2 * blocks / (hmax * vmax))
    return JpegStructure(width, height, progressive, 8 * hmax, 8 * vmax, scans, coefficient_bytes)


def _frame(marker: int, segment: bytes) -> _Frame:
    if len(segment) < 6:
        raise BrokenImage("short frame header")
    height, width = struct.unpack(">HH", segment[1:5])
    count = segment[5]
    if count == 0 or len(segment) < 6 + 3 * count:
        raise BrokenImage("frame header lists no components")
    factors = [segment[7 + 3 * k] for k in range(count)]
    hmax = max(max(f >> 4 for f in factors), 1)
    vmax = max(max(f & 0x0F for f in factors), 1)
    if width == 0 or height == 0:
        raise BrokenImage(f"frame header claims {width}x{height}")
    blocks = sum((f >> 4) * (f & 0x0F) for f in factors)
    return width, height, marker in _PROGRESSIVE_SOF, hmax, vmax, count, blocks


def _restarts(frame: _Frame, interval: int) -> int:
    width, height, _, hmax, vmax, count, _ = frame
    if count == 1:  # a single component is not interleaved: one block per MCU
        hmax = vmax = 1
    mcus = math.ceil(width / (8 * hmax)) * math.ceil(height / (8 * vmax))
    return max(0, math.ceil(mcus / interval) - 1)


# --- the decoded picture -------------------------------------------------------------


class PixelRegion(Protocol):
    """What `flat_tail` needs of a decoded image (a Pillow `Image` is one)."""

    @property
    def size(self) -> tuple[int, int]: ...
    def crop(self, box: tuple[int, int, int, int]) -> PixelRegion: ...
    def getextrema(self) -> object: ...


TAIL_MCUS = 4
# The value every pixel of a block with no coefficient decodes to (Y = Cb = Cr = 128).
_EMPTY_BLOCK = 128


def flat_tail(image: PixelRegion, structure: JpegStructure) -> bool:
    """True when the last MCUs of a decoded JPEG are the blocks libjpeg never received.

    When a scan ends early (a cut file ending in FFD9, a header claiming more pixels
    than the data holds) libjpeg only warns and leaves every missing block without a
    single coefficient: mid grey, exactly 128 in every channel, at every DCT scale. The
    last `TAIL_MCUS` MCUs of the bottom row being exactly that does not happen in a
    photograph; a picture that is entirely that grey is left alone.
    """
    width, height = image.size
    scale_x = width / structure.width
    scale_y = height / structure.height
    mcus_in_row = math.ceil(structure.width / structure.mcu_width)
    last_row_top = (math.ceil(structure.height / structure.mcu_height) - 1) * structure.mcu_height
    tail_left = max(0, (mcus_in_row - TAIL_MCUS) * structure.mcu_width)
    box = (
        min(width - 1, math.floor(tail_left * scale_x)),
        min(height - 1, math.floor(last_row_top * scale_y)),
        width,
        height,
    )
    return _all_empty(image.crop(box).getextrema()) and not _all_empty(image.getextrema())


def _all_empty(extrema: object) -> bool:
    bands: Sequence[object] = (
        extrema  # type: ignore[assignment]
        if isinstance(extrema, tuple) and extrema and isinstance(extrema[0], tuple)
        else (extrema,)
    )
    return all(band == (_EMPTY_BLOCK, _EMPTY_BLOCK) for band in bands)
