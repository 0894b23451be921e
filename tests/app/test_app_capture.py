"""CaptureModel: preview, the location the photo will carry, save through the pipeline."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import local_db
from domain import Action, PhotoKind, Status
from officer_app.photos import GeoFix, PhotoSource
from officer_app.photos.testimages import CameraExif, camera_jpeg
from officer_app.state.capture import CaptureModel

from .kit import Phone, report

MakePhone = Callable[..., Phone]
FIX = GeoFix(-6.1944, 106.8229, accuracy_m=8.0, timestamp=None)


def capture(p: Phone, rid: str = "r1") -> CaptureModel:
    return CaptureModel(p.session, report_id=rid)


def test_a_camera_shot_carries_the_gps_fix_and_is_recorded(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DALAM_PROSES))
    model = capture(p)
    model.set_kind(PhotoKind.AFTER)
    raw = camera_jpeg(1200, 900)
    asyncio.run(model.got_photo(raw, PhotoSource.CAMERA, FIX))
    assert model.has_photo and model.preview is not None
    assert model.location == "-6.19440, 106.82290" and model.accuracy == "akurasi ±8 m"
    assert model.location_origin == "dari GPS perangkat" and not model.no_location
    assert asyncio.run(model.save())
    assert model.saved and model.error is None

    detail = local_db.get_report(p.device.db, "r1", now=p.device.now())
    assert detail is not None
    [photo] = [ph for ph in detail.photos if ph.from_device]
    assert photo.kind is PhotoKind.AFTER and photo.latitude == -6.1944
    assert photo.local_path is not None
    stored = Path(photo.local_path).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == photo.sha256
    assert [m.action for m in local_db.unsent_work(p.device.db).mutations] == [Action.ADD_PHOTO]
    # With an after photo, completion is now possible.
    assert PhotoKind.AFTER in detail.report.photo_kinds


def test_a_gallery_photo_shows_its_own_position(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DITERIMA))
    model = capture(p)
    raw = camera_jpeg(800, 600, meta=CameraExif(latitude=-6.2, longitude=106.8))
    asyncio.run(model.got_photo(raw, PhotoSource.GALLERY, FIX))
    assert model.location == "-6.20000, 106.80000"
    assert model.location_origin == "dari data lokasi foto"


def test_without_a_fix_the_photo_is_kept_tanpa_lokasi(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DITERIMA))
    model = capture(p)
    raw = camera_jpeg(800, 600, meta=CameraExif(latitude=None, longitude=None))
    asyncio.run(model.got_photo(raw, PhotoSource.CAMERA, None))
    assert model.no_location and model.location == "Tanpa lokasi"
    assert asyncio.run(model.save())
    assert any("lokasi" in w.lower() for w in model.warnings)


def test_a_file_that_is_not_a_photo_is_refused_in_words(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DITERIMA))
    model = capture(p)
    asyncio.run(model.got_photo(b"%PDF-1.7 not a photo", PhotoSource.GALLERY, FIX))
    assert model.preview is None and model.has_photo
    assert not asyncio.run(model.save())
    assert model.error is not None and "foto" in model.error.lower()
    assert local_db.unsent_work(p.device.db).mutations == ()
    model.retake()
    assert not model.has_photo and model.error is None


def test_a_photo_on_a_report_not_in_hand_is_refused_with_the_domain_reason(
    make_phone: MakePhone,
) -> None:
    p = make_phone(report("r1", status=Status.MENUNGGU_VALIDASI))
    model = capture(p)
    asyncio.run(model.got_photo(camera_jpeg(640, 480), PhotoSource.CAMERA, FIX))
    assert not asyncio.run(model.save())
    assert model.error is not None and "Menunggu validasi" in model.error


def test_when_the_camera_fails_the_gallery_is_offered_at_once(make_phone: MakePhone) -> None:
    """The error says "Pakai Galeri": the gallery button must be there with it, not
    only after the officer closes something."""
    p = make_phone(report("r1", status=Status.DALAM_PROSES))
    model = capture(p)
    model.open_camera()
    model.camera_failed()
    # The choice (camera and gallery buttons) shows whenever the camera is not open
    # and no photo is held; the unavailable note shows with it.
    assert not model.camera_open and not model.has_photo
    assert model.camera_unavailable


def test_on_low_storage_the_capture_cleans_up_first_and_says_so(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DALAM_PROSES))
    photo_dir = p.device.photo_dir
    leftover = photo_dir / f"{'ab' * 32}.jpg"  # a file a killed write left, long ago
    leftover.write_bytes(b"\xff" * 300_000)
    os.utime(leftover, (time.time() - 86_400, time.time() - 86_400))
    p.device.free_space = lambda: 5 * 1024 * 1024  # the phone reports 5 MB free
    model = capture(p)
    asyncio.run(model.got_photo(camera_jpeg(800, 600), PhotoSource.CAMERA, FIX))
    assert asyncio.run(model.save())
    assert model.notice is not None and "hampir penuh" in model.notice
    assert "0.3 MB" in model.notice
    assert not leftover.exists()
    # With room, nothing is said and nothing is swept.
    p.device.free_space = lambda: 2 * 1024**3
    sweeps = p.device.keeper.sweeps
    model.retake()
    asyncio.run(model.got_photo(camera_jpeg(640, 480), PhotoSource.CAMERA, FIX))
    assert asyncio.run(model.save())
    assert model.notice is None and p.device.keeper.sweeps == sweeps


def test_a_photo_that_cannot_be_stored_says_why_and_keeps_the_form(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DALAM_PROSES))
    photo_dir = p.device.photo_dir
    photo_dir.rmdir()
    photo_dir.write_bytes(b"")  # the folder cannot take files (as a full volume cannot)
    model = capture(p)
    asyncio.run(model.got_photo(camera_jpeg(800, 600), PhotoSource.CAMERA, FIX))
    assert not asyncio.run(model.save())
    assert model.error == "Foto tidak dapat disimpan di perangkat. Periksa ruang penyimpanan."
    assert model.has_photo and not model.saved and model.preview is not None
    assert local_db.unsent_work(p.device.db).mutations == ()
    photo_dir.unlink()
    photo_dir.mkdir()
    assert asyncio.run(model.save())  # the same photo, saved once there is room
    assert model.saved and model.error is None
