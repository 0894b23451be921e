"""Small previews of the device's photos for the screens (not the evidence itself).

A stored photo is ~500 KB; sending it to the screen for a 96-pixel tile would be
wasteful on a phone and slow over the web build's socket. `Thumbs` makes a ~240-pixel
JPEG once per photo (JPEG draft mode: decoding at 1/8 scale is cheap) and keeps a
bounded number in memory. Thread-safe; call from worker threads.
"""

from __future__ import annotations

import io
import logging
import threading
from collections import OrderedDict
from pathlib import Path

from PIL import Image, UnidentifiedImageError

log = logging.getLogger(__name__)

THUMB_EDGE = 240
MAX_ITEMS = 256


def make_thumb(data: bytes, edge: int = THUMB_EDGE) -> bytes:
    with Image.open(io.BytesIO(data)) as source:
        if source.format == "JPEG":
            source.draft("RGB", (edge, edge))
        picture = source.convert("RGB")
    picture.thumbnail((edge, edge))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=75)
    return out.getvalue()


class Thumbs:
    def __init__(self, max_items: int = MAX_ITEMS) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_items

    def get(self, key: str, path: Path | None) -> bytes | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        if path is None:
            return None
        try:
            thumb = make_thumb(path.read_bytes())
        except (OSError, UnidentifiedImageError, ValueError) as exc:
            log.warning("no preview for %s: %s", path, exc)
            return None
        self.put(key, thumb)
        return thumb

    def put(self, key: str, thumb: bytes) -> None:
        with self._lock:
            self._items[key] = thumb
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
