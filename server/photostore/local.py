"""The photo store on a local folder (the default): today's files, byte for byte.

`photo_dir/<sha[:2]>/<sha>` holds a photo; `photo_dir/partial/<sha>.part` its upload in
progress, appended and fsynced chunk by chunk and trusted only up to the database's
`received` (longer: truncated before the next chunk; shorter, e.g. after a crash before
fsync: `held()` says so). A checked upload is moved into place with one `os.replace`,
so a reader sees the whole photo or nothing. Several processes may share the folder
(the row lock in `server/photos.py` orders the writers of one upload).
"""

from __future__ import annotations

import os
from pathlib import Path


def final_path(root: Path, sha: str) -> Path:
    return root / sha[:2] / sha


def partial_path(root: Path, sha: str) -> Path:
    return root / "partial" / f"{sha}.part"


class LocalPhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def held(self, sha: str, received: int) -> int:
        part = partial_path(self.root, sha)
        return min(received, part.stat().st_size if part.exists() else 0)

    def stage(self, sha: str, offset: int, chunk: bytes) -> None:
        part = partial_path(self.root, sha)
        part.parent.mkdir(parents=True, exist_ok=True)
        with open(part, "r+b" if part.exists() else "wb") as fh:
            fh.truncate(offset)
            fh.seek(offset)
            fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())

    def staged(self, sha: str, size: int) -> bytes:
        with open(partial_path(self.root, sha), "rb") as fh:
            return fh.read(size)

    def publish_staged(self, sha: str, data: bytes) -> None:
        target = final_path(self.root, sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial_path(self.root, sha), target)

    def put(self, sha: str, data: bytes) -> None:
        target = final_path(self.root, sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)

    def discard(self, sha: str) -> None:
        partial_path(self.root, sha).unlink(missing_ok=True)

    def read(self, sha: str) -> bytes | None:
        try:
            return final_path(self.root, sha).read_bytes()
        except OSError:
            return None

    def content(self, sha: str) -> Path | None:
        path = final_path(self.root, sha)
        return path if path.exists() else None
