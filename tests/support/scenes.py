"""Generated street-like scenes and the edits a reused photo goes through.

Each seed gives a different scene (horizon, sky gradient, buildings and cars as
rectangles and ellipses, sensor noise); the edits are what an officer could do to pass
an old picture off as new: re-encode, crop, brighten or darken.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageEnhance


def street_scene(seed: int, width: int = 1600, height: int = 1200) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top = tuple(rng.randint(0, 255) for _ in range(3))
    bottom = tuple(rng.randint(0, 255) for _ in range(3))
    for y in range(0, height, 4):
        t = y / height
        draw.rectangle(
            (0, y, width, y + 4),
            fill=tuple(int(a * (1 - t) + b * t) for a, b in zip(top, bottom, strict=True)),
        )
    horizon = rng.randint(height // 4, height * 3 // 4)
    draw.rectangle((0, horizon, width, height), fill=tuple(rng.randint(40, 140) for _ in range(3)))
    for _ in range(rng.randint(8, 25)):
        x0, y0 = rng.randint(-200, width), rng.randint(-200, height)
        box = (x0, y0, x0 + rng.randint(50, 700), y0 + rng.randint(50, 600))
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle(box, fill=colour)
        else:
            draw.ellipse(box, fill=colour)
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    return Image.blend(image, noise, 0.12)


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def crop(image: Image.Image, share: float, where: str) -> Image.Image:
    """Cut `share` of the width and height away: "centre", "corner" or "side" (width only)."""
    w, h = image.size
    dx, dy = round(w * share), round(h * share)
    if where == "centre":
        return image.crop((dx // 2, dy // 2, w - dx // 2, h - dy // 2))
    if where == "corner":
        return image.crop((dx, dy, w, h))
    if where == "side":
        return image.crop((0, 0, w - dx, h))
    raise ValueError(where)


def brightness(image: Image.Image, factor: float) -> Image.Image:
    return ImageEnhance.Brightness(image).enhance(factor)
