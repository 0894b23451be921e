"""Real JPEG files for the scenarios: random pixels, so every photo has its own sha256.

The server checks that an upload is a real image (Pillow verify + load), so the
scenarios cannot send made-up bytes. Noise compresses badly: a 560x420 photo is about
210 KB (one upload chunk, `PHOTO_CHUNK` = 256 KiB) and a 720x540 one about 350 KB (two
chunks), so cuts land in first, middle and last chunks.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime
from pathlib import Path

from PIL import Image

from domain import PhotoKind
from local_db import LocationSource, NewPhoto


def make_jpeg(path: Path, rnd: random.Random, size: tuple[int, int] = (560, 420)) -> bytes:
    width, height = size
    pixels = rnd.randbytes(width * height * 3)
    image = Image.frombytes("RGB", size, pixels)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=90)
    return path.read_bytes()


SIZES = ((560, 420), (640, 480), (720, 540))


def new_photo(
    folder: Path,
    rnd: random.Random,
    kind: PhotoKind,
    captured_at: datetime,
    size: tuple[int, int] | None = None,
) -> NewPhoto:
    """A processed photo as the photo pipeline would hand it to `local_db.add_photo`."""
    size = size or rnd.choice(SIZES)
    tmp = folder / f"tmp-{rnd.getrandbits(64):016x}.jpg"
    data = make_jpeg(tmp, rnd, size)
    sha = hashlib.sha256(data).hexdigest()
    path = folder / f"{sha}.jpg"
    tmp.replace(path)
    return NewPhoto(
        path=str(path),
        sha256=sha,
        kind=kind,
        size_bytes=len(data),
        width=size[0],
        height=size[1],
        captured_at=captured_at,
        latitude=-6.2 + rnd.uniform(-0.01, 0.01),
        longitude=106.8 + rnd.uniform(-0.01, 0.01),
        accuracy_m=rnd.uniform(3, 30),
        location_source=LocationSource.GPS,
    )


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
