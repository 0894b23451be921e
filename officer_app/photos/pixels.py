"""Decoded pixels to the output size in RGB, never holding a second full-size copy.

A JPEG arrives already reduced by DCT scaling: it is converted whole and goes to the
banded bicubic resize. Everything else (PNG, WebP, GIF, TIFF, BMP, AVIF, which Pillow
cannot decode at a reduced scale) arrives at full size, and there the copies were the
memory: an RGBA picture converted to RGBA again, flattened into a new RGB picture, the
alpha band taken apart, 16-bit grey widened to 32 bits, then the resize's full-height
intermediate. Here the output is computed in bands of rows instead: each band crops the
source rows its filter reaches, converts only them to RGB and resizes them with a
`box`, so the one full-size buffer is the decoded image itself.

Invariant: `rgb_at_size(image, size)` has the pixels of `to_rgb(image)` resized with
Pillow's bicubic filter (the conversion is per pixel, and every band sees all the
source rows its filter reaches), up to the rounding of the box's float coordinates.
"""

from __future__ import annotations

import math

from PIL import Image

from .resize import BICUBIC_SUPPORT, resize_bicubic

BAND_ROWS = 64  # output rows a band: ~250 source rows of a 24 MP picture, ~6 MB


def to_rgb(image: Image.Image) -> Image.Image:
    """RGB pixels: transparency flattened onto white, 16-bit grey scaled, CMYK converted."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        grey = image.convert("I").point(lambda v: v * (1 / 256))
        return grey.convert("L").convert("RGB")
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        rgba = image if mode == "RGBA" else image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba)  # an RGBA mask is its alpha band: no copy of it
        return flat
    return image.convert("RGB")


def rgb_at_size(image: Image.Image, size: tuple[int, int], *, reduced: bool) -> Image.Image:
    """`image` in RGB at `size` (bicubic); `reduced`: already scaled down while decoding."""
    if reduced or image.size == size:
        rgb = to_rgb(image)
        return rgb if rgb.size == size else resize_bicubic(rgb, size)
    src_w, src_h = image.size
    dst_w, dst_h = size
    ratio = src_h / dst_h
    reach = BICUBIC_SUPPORT * max(ratio, 1.0) + 1
    out = Image.new("RGB", size)
    for y0 in range(0, dst_h, BAND_ROWS):
        y1 = min(dst_h, y0 + BAND_ROWS)
        s0, s1 = y0 * ratio, y1 * ratio
        top = max(0, math.floor(s0 - reach))
        bottom = min(src_h, math.ceil(s1 + reach))
        rows = to_rgb(image.crop((0, top, src_w, bottom)))
        part = rows.resize(
            (dst_w, y1 - y0), Image.Resampling.BICUBIC, box=(0, s0 - top, src_w, s1 - top)
        )
        out.paste(part, (0, y0))
    return out
