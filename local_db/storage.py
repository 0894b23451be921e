"""What the app's data takes on the device, for Pengaturan → Penyimpanan.

Reads only: file sizes from the file system (the database with its WAL, the photo
folder, the thumbnails) and what still waits to be sent from the database.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .connection import LocalDb
from .queries import pending_counts
from .retention import THUMB_DIR
from .rows import PendingCounts


@dataclass(frozen=True, slots=True)
class StorageUsage:
    database_bytes: int  # the database file with its WAL and shared-memory files
    photo_bytes: int  # full-size photo files
    photo_files: int
    thumb_bytes: int  # list-size thumbnails kept after a full-size file went
    thumb_files: int
    reports: int
    free_bytes: int | None  # free space on the volume (None when it cannot be read)
    waiting: PendingCounts  # what is not on the server yet

    @property
    def total_bytes(self) -> int:
        return self.database_bytes + self.photo_bytes + self.thumb_bytes


def _folder(folder: Path) -> tuple[int, int]:
    total = files = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0, 0
    for e in entries:
        try:
            if e.is_file():
                total += e.stat().st_size
                files += 1
        except OSError:
            continue
    return total, files


def database_bytes(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal", "-shm"):
        try:
            total += os.stat(f"{path}{suffix}").st_size
        except OSError:
            continue
    return total


def storage_usage(db: LocalDb, photo_dir: Path) -> StorageUsage:
    photo_dir = Path(photo_dir)
    photos, photo_files = _folder(photo_dir)
    thumbs, thumb_files = _folder(photo_dir / THUMB_DIR)
    with db.read() as conn:
        reports = int(conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0])
    try:
        free: int | None = shutil.disk_usage(
            photo_dir if photo_dir.is_dir() else db.path.parent
        ).free
    except OSError:
        free = None
    return StorageUsage(
        database_bytes=database_bytes(db.path),
        photo_bytes=photos,
        photo_files=photo_files,
        thumb_bytes=thumbs,
        thumb_files=thumb_files,
        reports=reports,
        free_bytes=free,
        waiting=pending_counts(db),
    )


def free_bytes(folder: Path) -> int | None:
    """Free space on the volume holding `folder` (None when it cannot be read)."""
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None
