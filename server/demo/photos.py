"""Synthetic before/after photos for the demo (real JPEGs, drawn, deterministic).

The demo's officers attach *before* and *after* evidence, and a completion needs an after
photo, so the demo holds a small pool of real images that the photo endpoint can serve
and the validator's screen can show. They are drawn (a street, a pothole or a patch, a
caption "FOTO CONTOH - DATA DEMO"), never real photographs of anyone. Photos are
content-addressed, so the pool is stored once however many reports use it.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from domain import PhotoKind

WIDTH, HEIGHT = 800, 600


@dataclass(frozen=True, slots=True)
class DemoPhoto:
    sha256: str
    kind: PhotoKind
    data: bytes
    width: int
    height: int
    mime: str = "image/jpeg"


def _draw(rng: random.Random, kind: PhotoKind, index: int) -> bytes:
    sky = (120 + rng.randrange(60), 160 + rng.randrange(60), 200 + rng.randrange(55))
    img = Image.new("RGB", (WIDTH, HEIGHT), sky)
    d = ImageDraw.Draw(img)
    horizon = 220 + rng.randrange(60)
    # Buildings along the street.
    x = 0
    while x < WIDTH:
        w, h = rng.randrange(60, 160), rng.randrange(60, 200)
        shade = rng.randrange(90, 200)
        d.rectangle((x, horizon - h, x + w, horizon), fill=(shade, shade - 20, shade - 40))
        x += w + rng.randrange(0, 20)
    # The road in perspective.
    d.polygon(
        [(0, HEIGHT), (WIDTH, HEIGHT), (WIDTH // 2 + 60, horizon), (WIDTH // 2 - 60, horizon)],
        fill=(70, 70, 75),
    )
    d.rectangle((0, horizon, WIDTH, horizon + 4), fill=(150, 150, 150))
    cx, cy = WIDTH // 2 + rng.randrange(-120, 120), HEIGHT - 140 + rng.randrange(-30, 30)
    if kind is PhotoKind.BEFORE:  # the problem: a dark hole with debris
        d.ellipse((cx - 90, cy - 35, cx + 90, cy + 35), fill=(25, 22, 20))
        for _ in range(12):
            px, py = cx + rng.randrange(-120, 120), cy + rng.randrange(-50, 50)
            d.ellipse((px - 6, py - 4, px + 6, py + 4), fill=(110, 100, 90))
        label = "SEBELUM / BEFORE"
    else:  # fixed: a fresh patch of asphalt
        d.rectangle((cx - 100, cy - 40, cx + 100, cy + 40), fill=(40, 40, 45))
        label = "SESUDAH / AFTER"
    d.rectangle((0, 0, WIDTH, 36), fill=(0, 0, 0))
    d.text((12, 10), f"{label}  #{index + 1}", fill=(255, 255, 255))
    d.text((WIDTH - 260, 10), "FOTO CONTOH - DATA DEMO", fill=(255, 210, 0))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def demo_photos(seed: int, per_kind: int = 6) -> tuple[DemoPhoto, ...]:
    """`per_kind` before photos and as many after photos, the same for the same seed."""
    rng = random.Random(f"photos-{seed}")
    out = []
    for kind in (PhotoKind.BEFORE, PhotoKind.AFTER):
        for i in range(per_kind):
            data = _draw(rng, kind, i)
            out.append(DemoPhoto(hashlib.sha256(data).hexdigest(), kind, data, WIDTH, HEIGHT))
    return tuple(out)
