"""Bicubic resize split into bands of output rows, one per core, same pixels as Pillow's.

Pillow's resample is separable: a horizontal pass into an 8-bit intermediate, then a
vertical pass (for a whole image, horizontal first), and it releases the GIL, so bands
of output rows computed on worker threads run in parallel. The resize is about 40 % of
`process_photo` on a 12 MP photo after DCT scaling; the decode before it cannot be split.

Invariants:
- `resize_bicubic(image, size)` is Pillow's two-pass bicubic, horizontal pass first,
  with the same pixels whatever the number of bands (tested), and the same pixels as
  `image.resize(size, BICUBIC)` wherever Pillow itself takes the horizontal pass first
  (it picks the order by cost: for every camera size tested, it does). Each band crops
  the source rows its filter reaches, runs the horizontal pass on them alone, then the
  vertical pass with a `box` in that crop. Band edges are only placed where the source
  position is a whole row (`y * src_h / dst_h` an integer), because Pillow takes the box
  as 32-bit floats: anywhere else the filter weights could round differently;
- where no such edge exists, the image is small, or there is one core, it is the same
  two passes on the whole image in the calling thread: never a different result;
- a reduction of 3x or more (no DCT scaling before it) keeps Pillow's own
  `resize(..., reducing_gap=3.0)`: a box reduction first, then bicubic, in one thread;
- the calling thread computes one band itself, so a busy pool only costs speed.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import Future, ThreadPoolExecutor

from PIL import Image

BICUBIC_SUPPORT = 2.0  # Pillow's bicubic filter reaches 2 source pixels at scale 1
MAX_BANDS = 4
REDUCING_GAP = 3.0  # Pillow's "indistinguishable from a direct resize" gap
MIN_BAND_ROWS = 128  # below this a band's thread hand-off costs more than it saves

_BANDS = max(1, min(MAX_BANDS, os.cpu_count() or 1))
_POOL = ThreadPoolExecutor(max_workers=max(1, _BANDS - 1), thread_name_prefix="photo-resize")


def band_edges(src_h: int, dst_h: int, bands: int) -> list[int]:
    """Output rows where bands start/end, at whole source rows only; [0, dst_h] if none."""
    step = dst_h // math.gcd(src_h, dst_h)  # y * src_h / dst_h is whole for y % step == 0
    edges = [0]
    for i in range(1, bands):
        edge = round(dst_h * i / bands / step) * step
        if edges[-1] + MIN_BAND_ROWS <= edge <= dst_h - MIN_BAND_ROWS:
            edges.append(edge)
    edges.append(dst_h)
    return edges


def resize_bicubic(
    image: Image.Image, size: tuple[int, int], *, bands: int = _BANDS
) -> Image.Image:
    """`image.resize(size, BICUBIC)`, its output rows computed in parallel bands."""
    src_w, src_h = image.size
    dst_w, dst_h = size
    if src_w >= REDUCING_GAP * dst_w or src_h >= REDUCING_GAP * dst_h:
        # Not a DCT-scaled JPEG (a big PNG, a panorama): box-reduce first, then bicubic.
        return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=REDUCING_GAP)
    edges = band_edges(src_h, dst_h, bands) if image.mode == "RGB" else [0, dst_h]
    if len(edges) <= 2 or dst_w == src_w or dst_h == src_h:
        return _two_pass(image, size)
    image.load()
    futures: list[Future[Image.Image]] = [
        _POOL.submit(_band, image, size, edges[i], edges[i + 1]) for i in range(1, len(edges) - 1)
    ]
    parts = [_band(image, size, edges[0], edges[1])]
    parts += [future.result() for future in futures]
    out = Image.new(image.mode, size)
    for top, part in zip(edges, parts, strict=False):
        out.paste(part, (0, top))
    return out


def _two_pass(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The whole image, horizontal pass first (what every band does)."""
    if size[0] == image.width or size[1] == image.height:
        return image.resize(size, Image.Resampling.BICUBIC)  # a single pass: no order
    wide = image.resize((size[0], image.height), Image.Resampling.BICUBIC)
    return wide.resize(size, Image.Resampling.BICUBIC)


def _band(image: Image.Image, size: tuple[int, int], y0: int, y1: int) -> Image.Image:
    """Output rows y0..y1 (exclusive), from the source rows the filter reaches."""
    src_w, src_h = image.size
    dst_w, dst_h = size
    reach = BICUBIC_SUPPORT * max(src_h / dst_h, 1.0) + 1
    src0 = y0 * src_h // dst_h  # whole rows: see band_edges
    src1 = y1 * src_h // dst_h
    top = max(0, math.floor(src0 - reach))
    bottom = min(src_h, math.ceil(src1 + reach))
    rows = image.crop((0, top, src_w, bottom))
    wide = rows.resize((dst_w, bottom - top), Image.Resampling.BICUBIC)  # horizontal only
    rows.close()
    return wide.resize(
        (dst_w, y1 - y0), Image.Resampling.BICUBIC, box=(0, src0 - top, dst_w, src1 - top)
    )
