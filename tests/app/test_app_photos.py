"""Photos on the app's screens: guarded previews of picked files, tiles of photos the
device did not take (kept as placeholders offline), partial files swept at start."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Callable

from domain import PhotoKind, Status
from officer_app.photos import ImageTooLarge, PhotoSource
from officer_app.photos.testimages import camera_jpeg
from officer_app.state.capture import CaptureModel
from officer_app.state.detail import DetailModel

from .kit import Phone, report

MakePhone = Callable[..., Phone]


def png_claiming(width: int, height: int) -> bytes:
    """A well-formed PNG whose header claims `width` x `height` (a decompression bomb:
    decoding it would need gigabytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_decompression_bomb_picked_is_explained_at_once(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DALAM_PROSES))
    model = CaptureModel(p.session, report_id="r1")
    asyncio.run(model.got_photo(png_claiming(20_000, 20_000), PhotoSource.GALLERY, None))
    assert model.preview is None
    assert model.error == ImageTooLarge.message_id  # the officer's language: Indonesian
    # A good photo afterwards clears the message and previews normally.
    asyncio.run(model.got_photo(camera_jpeg(800, 600), PhotoSource.CAMERA, None))
    assert model.error is None and model.preview is not None


def test_a_heic_pick_is_refused_in_words_before_saving(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DALAM_PROSES))
    model = CaptureModel(p.session, report_id="r1")
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\0\0\0\0" + b"mif1heic" + b"\0" * 64
    asyncio.run(model.got_photo(heic, PhotoSource.GALLERY, None))
    assert model.preview is None and model.error is not None and "HEIC" in model.error


def test_a_server_photo_offline_keeps_its_placeholder_with_a_caption(
    make_phone: MakePhone,
) -> None:
    # The after photo is only a reference from the server; nobody listens at its address.
    p = make_phone(
        report("r1", status=Status.DALAM_PROSES, photo_kinds=frozenset({PhotoKind.AFTER}))
    )
    model = DetailModel(p.session, report_id="r1")
    asyncio.run(model.load())
    [tile] = model.photos
    assert tile.thumb is None and tile.not_downloaded
    assert not any(p.device.photo_dir.iterdir())


def test_a_photo_already_fetched_is_shown_without_the_network(make_phone: MakePhone) -> None:
    p = make_phone(
        report("r1", status=Status.DALAM_PROSES, photo_kinds=frozenset({PhotoKind.AFTER}))
    )
    detail = p.device.report("r1")
    assert detail is not None
    [ref] = detail.photos
    (p.device.photo_dir / f"{ref.sha256}.jpg").write_bytes(camera_jpeg(640, 480))
    model = DetailModel(p.session, report_id="r1")
    asyncio.run(model.load())
    [tile] = model.photos
    assert tile.thumb is not None and tile.thumb[:2] == b"\xff\xd8"
    assert not tile.not_downloaded


def test_partial_photo_files_are_swept_when_the_device_starts(make_phone: MakePhone) -> None:
    p = make_phone()
    folder = p.device.photo_dir
    left = folder / f".{'ab' * 32}.0123456789abcdef.part"
    left.write_bytes(b"half a photo")
    kept = folder / f"{'cd' * 32}.jpg"
    kept.write_bytes(camera_jpeg(64, 48))
    p.device.start()
    assert not left.exists() and kept.exists()
