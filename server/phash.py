"""Perceptual hashes of evidence photos: is this (nearly) the same picture as that one?

A small documented dHash on Pillow (no numpy): the picture in grey, reduced to 9x8
cells by area averaging; each bit says whether a cell is brighter than its right-hand
neighbour (64 bits). It survives re-encoding and brightness changes (a gradient's sign
does not change when every cell brightens alike). A crop shifts the grid, so each
photo also gets the hashes of five 90 % windows (the centre and the four corners) and
of four 90 % strips (a tenth off one side): a picture cropped by
10 % is close to one of its original's windows, and the original is close to one of
the crop's windows the other way round.

`distance(a, b)` is the smallest Hamming distance between one photo's whole-picture
hash and any hash of the other (both ways); `NEAR_DISTANCE` is the threshold, chosen on
generated street scenes (`tests/server/test_phash.py`, rates in docs/photos.md).

Pure: bytes or a Pillow image in, integers out; decoding is bounded by the caller
(the photo store accepts only checked JPEG/PNG within its pixel limit).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from .errors import ServerError

BITS = 64
NEAR_DISTANCE = 8
# (left, top, width, height) as fractions of the picture.
WINDOWS: tuple[tuple[float, float, float, float], ...] = (
    (0.05, 0.05, 0.9, 0.9),
    (0.0, 0.0, 0.9, 0.9),
    (0.1, 0.0, 0.9, 0.9),
    (0.0, 0.1, 0.9, 0.9),
    (0.1, 0.1, 0.9, 0.9),
    (0.0, 0.0, 0.9, 1.0),
    (0.1, 0.0, 0.9, 1.0),
    (0.0, 0.0, 1.0, 0.9),
    (0.0, 0.1, 1.0, 0.9),
)
_WORK_EDGE = 144  # the grey working copy's long edge: 16 pixels per cell and more


class HashError(ServerError):
    """The bytes are not a picture Pillow can read."""


@dataclass(frozen=True, slots=True)
class PerceptualHash:
    whole: int
    windows: tuple[int, ...]

    @property
    def all(self) -> tuple[int, ...]:
        return (self.whole, *self.windows)

    def to_text(self) -> str:
        return ",".join(f"{h:016x}" for h in self.all)

    @classmethod
    def from_text(cls, text: str) -> PerceptualHash:
        values = tuple(int(part, 16) for part in text.split(","))
        if not values or any(not 0 <= v < 1 << BITS for v in values):
            raise ValueError(f"not a perceptual hash: {text!r}")
        return cls(values[0], values[1:])


def _dhash(grey: Image.Image) -> int:
    cells = grey.resize((9, 8), Image.Resampling.BOX).tobytes()
    bits = 0
    for row in range(8):
        line = cells[row * 9 : row * 9 + 9]
        for col in range(8):
            bits = (bits << 1) | (line[col] > line[col + 1])
    return bits


def image_hash(image: Image.Image) -> PerceptualHash:
    """The hashes of a decoded picture (any mode, any size)."""
    grey = image.convert("L")
    long_edge = max(grey.size)
    if long_edge > _WORK_EDGE * 2:
        grey = grey.reduce(long_edge // _WORK_EDGE)
    w, h = grey.size
    windows = []
    for left, top, width, height in WINDOWS:
        x0, y0 = round(w * left), round(h * top)
        box = (x0, y0, x0 + max(1, round(w * width)), y0 + max(1, round(h * height)))
        windows.append(_dhash(grey.crop(box)))
    return PerceptualHash(_dhash(grey), tuple(windows))


def photo_hash(data: bytes) -> PerceptualHash:
    """The hashes of a stored photo's bytes; a JPEG is decoded at a reduced scale."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format == "JPEG":
                w, h = image.size
                scale = max(1, min(w, h) // _WORK_EDGE)
                image.draft("L", (max(1, w // scale), max(1, h // scale)))
            image.load()
            return image_hash(image)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise HashError(f"cannot hash the picture: {exc}") from exc


def distance(a: PerceptualHash, b: PerceptualHash) -> int:
    """How far apart two photos look: 0 for the same picture, ~32 for unrelated ones."""
    best = min((a.whole ^ h).bit_count() for h in b.all)
    return min(best, *((b.whole ^ h).bit_count() for h in a.windows))


def near(a: PerceptualHash, b: PerceptualHash) -> bool:
    return distance(a, b) <= NEAR_DISTANCE
