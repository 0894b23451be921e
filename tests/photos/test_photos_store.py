"""The photo folder: content-addressed, atomic, idempotent, cleaned after a kill."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

import pytest

from officer_app.photos import (
    PhotoStoreError,
    file_sha256,
    photo_path,
    store_processed,
    sweep_partial_files,
)
from officer_app.photos.testimages import camera_jpeg
from tests.photos.photokit import process


@pytest.fixture(scope="module")
def photo_bytes() -> bytes:
    return camera_jpeg(640, 480)


def test_stored_file_is_named_by_its_hash(tmp_path: Path, photo_bytes: bytes) -> None:
    photo = process(photo_bytes)
    path = store_processed(photo, tmp_path / "photos")
    assert path == photo_path(tmp_path / "photos", photo.sha256)
    assert path.name == f"{photo.sha256}.jpg" == photo.filename
    assert hashlib.sha256(path.read_bytes()).hexdigest() == photo.sha256 == file_sha256(path)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


def test_storing_twice_is_a_no_op(tmp_path: Path, photo_bytes: bytes) -> None:
    photo = process(photo_bytes)
    first = store_processed(photo, tmp_path)
    mtime = first.stat().st_mtime_ns
    second = store_processed(photo, tmp_path)
    assert first == second and second.stat().st_mtime_ns == mtime
    assert len(list(tmp_path.iterdir())) == 1


def test_a_damaged_file_under_the_name_is_replaced(tmp_path: Path, photo_bytes: bytes) -> None:
    photo = process(photo_bytes)
    target = photo_path(tmp_path, photo.sha256)
    target.write_bytes(photo.data[: len(photo.data) // 2])  # e.g. a copy cut short
    store_processed(photo, tmp_path)
    assert file_sha256(target) == photo.sha256


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_unwritable_folder_raises_a_store_error(tmp_path: Path, photo_bytes: bytes) -> None:
    photo = process(photo_bytes)
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(PhotoStoreError):
            store_processed(photo, tmp_path / "photos")
    finally:
        tmp_path.chmod(stat.S_IRWXU)


def test_a_file_where_the_folder_should_be_raises_a_store_error(
    tmp_path: Path, photo_bytes: bytes
) -> None:
    photo = process(photo_bytes)
    blocker = tmp_path / "photos"
    blocker.write_bytes(b"not a folder")
    with pytest.raises(PhotoStoreError) as caught:
        store_processed(photo, blocker)
    assert "penyimpanan" in caught.value.message("id")
    assert blocker.read_bytes() == b"not a folder"


def test_full_storage_is_reported_as_such(
    tmp_path: Path, photo_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temp file is opened on /dev/full, which answers writes with ENOSPC."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    photo = process(photo_bytes)
    folder = tmp_path / "photos"
    folder.mkdir()

    def open_on_full_disk(file: Path, mode: str) -> BinaryIO:
        assert str(file).endswith(".part") and mode == "xb"
        Path(file).touch()  # the temp name exists, as it would on a real disk
        return open("/dev/full", "wb")

    monkeypatch.setattr("officer_app.photos.store.open", open_on_full_disk, raising=False)
    with pytest.raises(PhotoStoreError) as caught:
        store_processed(photo, folder)
    assert "storage full" in caught.value.detail
    assert list(folder.iterdir()) == []  # nothing half-written under any name


def test_sweep_removes_only_partial_files(tmp_path: Path, photo_bytes: bytes) -> None:
    photo = process(photo_bytes)
    kept = store_processed(photo, tmp_path)
    (tmp_path / f".{photo.sha256}.deadbeef.part").write_bytes(b"half a photo")
    (tmp_path / ".other.cafe.part").write_bytes(b"")
    assert sweep_partial_files(tmp_path, min_age_s=3600) == 0  # too young: maybe in use
    assert sweep_partial_files(tmp_path) == 2
    assert list(tmp_path.iterdir()) == [kept]
    assert sweep_partial_files(tmp_path / "missing") == 0
