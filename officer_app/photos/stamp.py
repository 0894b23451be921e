"""The visible stamp: date-time WIB, coordinates, tracking id and kind in one corner.

Field officers know it from timestamp-camera apps: white text on a semi-transparent dark
box, so it reads on a bright sky and on asphalt alike. Sizes follow the photo's short
edge (text ~3 % of it: ~36 px on a 1600x1200 photo, still ~20 px when the photo fills a
phone screen), so the stamp looks the same at every output size.

Invariant: the stamp only ever touches pixels inside its box in the chosen corner.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from domain import JAKARTA, PhotoKind

from .exif import KIND_LABEL_ID
from .model import GeoFix, LocationSource
from .settings import StampCorner

BOX_RGBA = (0, 0, 0, 150)
TEXT_RGBA = (255, 255, 255, 255)
TEXT_SHARE = 0.03  # text height as a share of the short edge
MIN_TEXT_PX = 9


def stamp_lines(
    *,
    captured_at: datetime,
    location: GeoFix | None,
    location_source: LocationSource,
    tracking_id: str,
    kind: PhotoKind,
) -> list[str]:
    """The stamp's text, Indonesian (the photo is seen by Indonesian officials)."""
    when = captured_at.astimezone(JAKARTA).strftime("%d/%m/%Y %H:%M:%S WIB")
    if location is None:
        where = "Tanpa lokasi"
    else:
        where = f"{location.latitude:.6f}, {location.longitude:.6f}"
        if location.accuracy_m is not None:
            where += f" ±{location.accuracy_m:.0f} m"
        if location_source is LocationSource.EXIF:
            where += " (EXIF)"
    return [when, where, f"{tracking_id} · {KIND_LABEL_ID[kind]}"]


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's built-in font (Aileron) at any size: no font file to ship or to miss.
    return ImageFont.load_default(size=size)


def _spacing(size: int) -> tuple[int, int]:
    """(padding inside the box, gap between lines) for a text size."""
    return max(2, round(size * 0.45)), max(1, round(size * 0.25))


def _measure(lines: Sequence[str], size: int) -> tuple[int, int, int]:
    """(box width, box height, line height) of the lines at this text size."""
    font = _font(size)
    widths, heights = [], []
    for line in lines:
        left, _top, right, bottom = font.getbbox(line)
        widths.append(int(right - left))
        heights.append(int(bottom))
    pad, gap = _spacing(size)
    line_h = max(heights) if heights else size
    box_w = max(widths, default=0) + 2 * pad
    box_h = len(lines) * line_h + (len(lines) - 1) * gap + 2 * pad
    return box_w, box_h, line_h


def stamp_box(
    image_size: tuple[int, int], lines: Sequence[str], corner: StampCorner
) -> tuple[int, int, int, int]:
    """Where the stamp goes (left, top, right, bottom) on an image of this size."""
    box, _ = _layout(image_size, lines, corner)
    return box


def _layout(
    image_size: tuple[int, int], lines: Sequence[str], corner: StampCorner
) -> tuple[tuple[int, int, int, int], int]:
    width, height = image_size
    short = min(width, height)
    margin = round(short * 0.02)
    size = max(MIN_TEXT_PX, round(short * TEXT_SHARE))
    box_w, box_h, _ = _measure(lines, size)
    # A small photo (a gallery pick below the long edge) gets smaller text, not a clipped box.
    while size > MIN_TEXT_PX and (box_w > width - 2 * margin or box_h > height - 2 * margin):
        size -= 1
        box_w, box_h, _ = _measure(lines, size)
    box_w, box_h = min(box_w, width), min(box_h, height)
    left = (
        margin
        if corner in (StampCorner.TOP_LEFT, StampCorner.BOTTOM_LEFT)
        else width - margin - box_w
    )
    top = (
        margin
        if corner in (StampCorner.TOP_LEFT, StampCorner.TOP_RIGHT)
        else height - margin - box_h
    )
    left, top = max(0, left), max(0, top)
    return (left, top, left + box_w, top + box_h), size


def draw_stamp(image: Image.Image, lines: Sequence[str], corner: StampCorner) -> Image.Image:
    """Draw the stamp onto an RGB image in place; returns the same image."""
    (left, top, right, bottom), size = _layout(image.size, lines, corner)
    font = _font(size)
    _, _, line_h = _measure(lines, size)
    pad, gap = _spacing(size)
    overlay = Image.new("RGBA", (right - left, bottom - top), BOX_RGBA)
    draw = ImageDraw.Draw(overlay)
    for i, line in enumerate(lines):
        draw.text((pad, pad + i * (line_h + gap)), line, font=font, fill=TEXT_RGBA)
    image.paste(overlay, (left, top), overlay)
    return image
