"""The app's photo folder: content-addressed files written atomically.

A processed photo lives at `<photo_dir>/<sha256>.jpg`, its name being the sha256 of its
bytes. Invariants:
- a file under its final name is always complete: bytes go to a hidden `.part` file,
  are fsynced, then renamed over the final name (atomic on POSIX and on Android), and
  the folder is fsynced so the rename itself survives a power cut;
- storing the same photo twice is a no-op (same bytes, same name); a file under a final
  name whose bytes do not hash to that name is replaced;
- a `.part` file is only ever left behind by a process killed mid-write:
  `sweep_partial_files()` removes them at start-up.
"""

from __future__ import annotations

import errno
import hashlib
import os
import time
import uuid
from pathlib import Path

from domain.protocol import device_photo_path

from .errors import PhotoStoreError
from .model import ProcessedPhoto

PART_SUFFIX = ".part"
_HASH_CHUNK = 1024 * 1024


def photo_path(photo_dir: Path, sha256: str) -> Path:
    """Where the photo with this content address lives (it may not exist); a value that
    is not a sha256 raises `InvalidValue` (`domain.protocol.device_photo_path`)."""
    return device_photo_path(photo_dir, sha256.lower())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def store_processed(photo: ProcessedPhoto, photo_dir: Path) -> Path:
    """Write the photo into the folder under its content address; returns the path.

    Raises `PhotoStoreError` (storage full, folder not writable); on error no partial
    file is left under either name.
    """
    photo_dir = Path(photo_dir)
    final = photo_path(photo_dir, photo.sha256)
    try:
        photo_dir.mkdir(parents=True, exist_ok=True)
        if final.is_file() and file_sha256(final) == photo.sha256:
            return final
        tmp = photo_dir / f".{photo.sha256}.{uuid.uuid4().hex}{PART_SUFFIX}"
        try:
            with open(tmp, "xb") as f:
                f.write(photo.data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(photo_dir)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise PhotoStoreError(f"storage full writing {final}") from exc
        raise PhotoStoreError(f"cannot write {final}: {exc}") from exc
    return final


def _fsync_dir(directory: Path) -> None:
    # Directories cannot be opened for fsync on Windows; the rename is still atomic there.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sweep_partial_files(photo_dir: Path, min_age_s: float = 0.0) -> int:
    """Remove `.part` files left by a killed write (older than `min_age_s`); how many."""
    photo_dir = Path(photo_dir)
    if not photo_dir.is_dir():
        return 0
    removed, now = 0, time.time()
    for part in photo_dir.glob(f".*{PART_SUFFIX}"):
        try:
            if now - part.stat().st_mtime >= min_age_s:
                part.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
