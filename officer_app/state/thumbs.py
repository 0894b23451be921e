"""Small previews of photos for the screens (not the evidence itself).

A stored photo is ~500 KB; sending it to the screen for a 96-pixel tile would be
wasteful on a phone and slow over the web build's socket. `Thumbs` makes a ~240-pixel
JPEG once per photo and keeps a bounded number in memory. Thread-safe; call from
worker threads.

Invariant: every byte string decoded here, a picked file as much as a stored photo,
goes through the photo pipeline's guarded `make_preview` (byte and pixel limits before
any decode, HEIC refused by name, only raster formats tried, so EPS / PDF never reach
Ghostscript; EXIF orientation applied). `make_thumb` raises only `PhotoError`, whose
`message(lang)` is what the officer reads.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

from ..photos import PhotoError, make_preview

log = logging.getLogger(__name__)

THUMB_EDGE = 240
MAX_ITEMS = 256


def make_thumb(data: bytes, edge: int = THUMB_EDGE) -> bytes:
    """An upright JPEG whose long edge is at most `edge`; raises only `PhotoError`."""
    return make_preview(data, edge)


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
        except (OSError, PhotoError) as exc:
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
