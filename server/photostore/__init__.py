"""Where photo bytes live: the `PhotoStore` interface and the store a server opens.

Two stores keep the same contract (`server/photos.py` is their only writer):

- `LocalPhotoStore` (`local.py`, the default): `photo_dir/<sha[:2]>/<sha>`, the upload
  staged in `photo_dir/partial/<sha>.part`; one machine, or a shared folder;
- `S3PhotoStore` (`s3.py`): any S3-compatible service (AWS, MinIO, moto...) through
  boto3; the upload's chunks are staged as objects, so any server process can take the
  next chunk of an upload another one started.

The contract, whatever the store:
- an upload is staged chunk by chunk at the offsets the database row (`photos.received`)
  allows; the row, not the store, says how far an upload got, and `held()` only ever
  lowers it (bytes the store lost);
- nothing is visible under a sha256 until `publish_staged()` / `put()` got bytes the
  caller has checked hash to it, and a store never makes partial bytes visible there
  (a file `os.replace`d into place, an object written by one PUT that S3 itself checks
  against the sha256);
- a store's own failures surface as `PhotoStoreUnavailable` (503), never as a
  library's exception.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Protocol

from ..config import PhotoStoreSettings, Settings
from .local import LocalPhotoStore


class PhotoStore(Protocol):
    def held(self, sha: str, received: int) -> int:
        """How many of the `received` bytes of `sha`'s upload the store really holds."""
        ...

    def stage(self, sha: str, offset: int, chunk: bytes) -> None:
        """Keep `chunk` at `offset` of `sha`'s upload; what was staged past `offset`
        no longer counts."""
        ...

    def staged(self, sha: str, size: int) -> bytes:
        """The first `size` staged bytes of `sha`'s upload (fewer if fewer are held)."""
        ...

    def publish_staged(self, sha: str, data: bytes) -> None:
        """Make the staged upload visible under `sha`; `data` is its bytes, checked by
        the caller to hash to `sha`. The staging is gone afterwards."""
        ...

    def put(self, sha: str, data: bytes) -> None:
        """Store a whole photo at once; `data` is checked by the caller to hash to `sha`."""
        ...

    def discard(self, sha: str) -> None:
        """Forget `sha`'s staged upload (a refused photo leaves nothing behind)."""
        ...

    def read(self, sha: str) -> bytes | None:
        """The stored photo's bytes; None when it is not stored."""
        ...

    def content(self, sha: str) -> Path | bytes | None:
        """What the download endpoint serves: a local file (sent as a file) or the bytes."""
        ...


def open_store(settings: Settings) -> PhotoStore:
    """The store `settings` name, one per process and configuration (a boto3 client is
    thread-safe and keeps a connection pool: it is built once, not per request)."""
    return _open(settings.photo_store, settings.photo_dir)


@functools.lru_cache(maxsize=16)
def _open(config: PhotoStoreSettings, photo_dir: Path) -> PhotoStore:
    if config.kind == "s3":
        from .s3 import S3PhotoStore  # boto3 is an optional extra: imported only here

        return S3PhotoStore(config)
    return LocalPhotoStore(photo_dir)


__all__ = ["LocalPhotoStore", "PhotoStore", "open_store"]
