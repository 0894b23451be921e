"""Photo bytes the device did not take: fetched once from the server, then kept.

A report's snapshot carries photo *references* (sha256, kind, place, time): the
reporter's photo where the rules allow it, other officers' photos, the evidence a
validator reviews. `fetch_photo` turns a reference into a local file:

1. `<photo_dir>/<sha256>.jpg` already there (the device took it, or fetched it before):
   that path, with no network at all;
2. else `GET /v1/photos/{sha256}/content` through the signed-in session (one silent
   refresh of an expired access token), the bytes hashed, and stored.

Invariants:
- a file under a final name always hashes to that name: the bytes are checked before
  they are stored, written to a hidden `.part` file, fsynced and renamed (atomic), so a
  kill never leaves a partial file under a final name;
- bytes that do not hash to the name asked for are refused (`PhotoUnavailable`,
  code `photo_mismatch`) and never stored;
- the server answers "not found" both for an unknown photo and for one outside the
  user's scope (a private report's reporter photo, another unit's report): both are
  `PhotoUnavailable` (`photo_not_available`); a network failure stays `Offline`.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path

from domain.errors import InvalidValue
from domain.protocol import device_photo_path

from .errors import PhotoUnavailable, ProtocolError
from .session import Session

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def cached_photo_path(photo_dir: Path, sha256: str) -> Path:
    """Where the photo with this content address lives on the device."""
    try:
        return device_photo_path(photo_dir, sha256)
    except InvalidValue as exc:
        raise PhotoUnavailable(str(exc), code=PhotoUnavailable.NOT_AVAILABLE) from exc


def fetch_photo(session: Session, photo_dir: Path, sha256: str) -> Path:
    """The local path of photo `sha256`, downloading it first when needed (blocking)."""
    path = cached_photo_path(photo_dir, sha256)
    if path.is_file():
        return path
    try:
        data = session.call(lambda token: session.transport.photo_content(token, sha256))
    except ProtocolError as exc:
        if exc.status in (403, 404):
            raise PhotoUnavailable(str(exc), code=PhotoUnavailable.NOT_AVAILABLE) from exc
        raise
    if hashlib.sha256(data).hexdigest() != sha256:
        raise PhotoUnavailable(
            f"the bytes received for {sha256[:12]} hash to something else",
            code=PhotoUnavailable.MISMATCH,
            message_id="Foto yang diterima rusak dan tidak disimpan. Coba lagi nanti.",
            message_en="The photo received was damaged and was not kept. Try again later.",
        )
    _store(path, data)
    return path


def remove_fetched(photo_dir: Path) -> list[str]:
    """Delete every content-addressed photo and leftover partial file in `photo_dir`."""
    removed: list[str] = []
    if not photo_dir.is_dir():
        return removed
    for entry in photo_dir.iterdir():
        name = entry.name
        is_photo = name.endswith(".jpg") and _SHA256.match(name[:-4]) is not None
        is_part = name.startswith(".") and name.endswith(".part")
        if (is_photo or is_part) and entry.is_file():
            entry.unlink(missing_ok=True)
            removed.append(str(entry))
    return removed


def _store(path: Path, data: bytes) -> None:
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{path.stem}.{uuid.uuid4().hex}.part"
    try:
        with open(part, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, path)
    except OSError:
        part.unlink(missing_ok=True)
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the folder's entry is; not every platform
    # lets a folder be opened (Windows), where the rename alone has to do.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
