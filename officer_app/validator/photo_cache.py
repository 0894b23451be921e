"""The evidence photos a validator looks at, kept on the device by their sha256.

An officer's photos reach the validator's device as references (sha256, kind, place,
time) in the report's snapshot; the bytes stay on the server until a screen needs them.
`PhotoCache.get` returns them from, in order: the device's own photo file, the photo
folder (photos fetched before), the server (`Device.fetch_photo`, i.e. the sync
engine's `fetch_photo`: the signed-in session with one silent refresh, the sha256
checked, an atomic content-addressed write). Offline, a photo not yet fetched is simply
not available (None): the review screen says so; nothing fails.

Invariants: a file under a photo's name always hashes to that name (the engine checks
the bytes before it stores them, through a temporary file and a rename); the cache
never holds a partial file. Photos kept by earlier versions under `photo_cache/` are
still read (without the network), never written.
"""

from __future__ import annotations

import logging
from pathlib import Path

from domain.errors import InvalidValue
from domain.protocol import device_photo_path

from ..device import Device

log = logging.getLogger(__name__)

LEGACY_CACHE_DIR = "photo_cache"


class PhotoCache:
    def __init__(self, device: Device) -> None:
        self.device = device
        self.folder = device.photo_dir
        self._legacy = device.data_dir / LEGACY_CACHE_DIR

    def cached(self, sha256: str, local_path: str | None = None) -> bytes | None:
        """Without the network: the device's own file or a fetched one (None if neither)."""
        path = self.device.cached_photo(sha256, local_path)
        if path is None:
            try:
                legacy: Path | None = device_photo_path(self._legacy, sha256)
            except InvalidValue:
                legacy = None
            path = legacy if legacy is not None and legacy.is_file() else None
        return None if path is None else path.read_bytes()

    def get(self, sha256: str, local_path: str | None = None) -> bytes | None:
        """The photo's bytes, fetching them from the server when needed (blocking)."""
        data = self.cached(sha256, local_path)
        if data is not None:
            return data
        path = self.device.fetch_photo(sha256)
        return None if path is None else path.read_bytes()
