"""The evidence photos a validator looks at, kept on the device by their sha256.

An officer's photos reach the validator's device as references (sha256, kind, place,
time) in the report's snapshot; the bytes stay on the server until a screen needs them.
`PhotoCache.get` returns them from, in order: the device's own photo file, the cache
folder, the server (`GET /v1/photos/{sha}/content` through the sync engine's signed-in
session, so an expired access token is refreshed). Offline, a photo not yet cached is
simply not available (None): the review screen says so; nothing fails.

Invariants: a cached file's bytes always hash to its name (checked before it is
stored, written through a temporary file and a rename); the cache never holds a
partial file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from sync import SyncError

from ..device import Device

log = logging.getLogger(__name__)

CACHE_DIR = "photo_cache"


class PhotoCache:
    def __init__(self, device: Device) -> None:
        self.device = device
        self.folder = device.data_dir / CACHE_DIR

    def path_for(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.jpg"

    def cached(self, sha256: str, local_path: str | None = None) -> bytes | None:
        """Without the network: the device's own file or the cache (None if neither)."""
        own = self.device.photo_path(local_path)
        for path in (own, self.path_for(sha256)):
            if path is not None and path.is_file():
                return path.read_bytes()
        return None

    def get(self, sha256: str, local_path: str | None = None) -> bytes | None:
        """The photo's bytes, fetching them from the server when needed (blocking)."""
        data = self.cached(sha256, local_path)
        if data is not None:
            return data
        engine = self.device.engine
        try:
            data = engine.session.call(lambda token: engine.transport.photo_content(token, sha256))
        except SyncError as exc:
            log.info("photo %s not available now: %s", sha256[:12], exc)
            return None
        if hashlib.sha256(data).hexdigest() != sha256:
            log.warning("photo %s: the bytes received do not match their hash", sha256[:12])
            return None
        self._store(sha256, data)
        return data

    def _store(self, sha256: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, self.path_for(sha256))
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise
