"""Resumable, content-addressed photo upload and the checks at its last byte."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from pathlib import Path

import httpx
from PIL import Image
from sqlalchemy import select

from server.photos import png_data_complete
from server.photostore.local import final_path, partial_path
from server.schema import photos
from tests.server.kit import (
    OFFICER_A1,
    ApiClient,
    RunningServer,
    World,
    make_jpeg,
    make_png,
    sha256,
)

Api = Callable[..., ApiClient]


def stored_row(server: RunningServer, sha: str) -> object | None:
    with server.engine.connect() as conn:
        return conn.execute(select(photos).where(photos.c.sha256 == sha)).first()


def nothing_left(server: RunningServer, sha: str) -> bool:
    root = server.settings.photo_dir
    return (
        stored_row(server, sha) is None
        and not partial_path(root, sha).exists()
        and not final_path(root, sha).exists()
    )


def test_upload_resumed_after_a_cut(server: RunningServer, world: World, api: Api) -> None:
    data = make_jpeg(400, 300, seed=61)
    sha, half = sha256(data), len(data) // 2
    first = api(OFFICER_A1)
    assert first.put_chunk(sha, 0, len(data), data[:half]).json() == {
        "sha256": sha,
        "size": len(data),
        "received": half,
        "complete": False,
    }
    first.close()  # the connection is cut
    second = api(OFFICER_A1)
    status = second.request("GET", f"/v1/photos/{sha}").json()
    assert status["received"] == half and not status["complete"]
    done = second.put_chunk(sha, status["received"], len(data), data[half:])
    assert done.status_code == 200 and done.json()["complete"] is True
    fetched = second.request("GET", f"/v1/photos/{sha}/content")
    assert fetched.content == data
    assert final_path(server.settings.photo_dir, sha).read_bytes() == data
    assert not partial_path(server.settings.photo_dir, sha).exists()
    row = stored_row(server, sha)
    assert row is not None
    assert (row.width, row.height, row.mime, row.complete) == (400, 300, "image/jpeg", True)  # type: ignore[attr-defined]


def test_wrong_offset_answers_the_current_status(
    server: RunningServer, world: World, api: Api
) -> None:
    data = make_jpeg(200, 150, seed=62)
    sha = sha256(data)
    client = api(OFFICER_A1)
    client.put_chunk(sha, 0, len(data), data[:1000])
    for offset in (0, 500, 2000):
        conflict = client.put_chunk(sha, offset, len(data), data[offset : offset + 100])
        assert conflict.status_code == 409
        body = conflict.json()
        assert body["error"]["code"] == "offset_mismatch"
        assert body["received"] == 1000 and body["sha256"] == sha
    assert client.put_chunk(sha, 1000, len(data), data[1000:]).json()["complete"]


def test_partial_file_shorter_than_recorded_is_resumed_from_disk(
    server: RunningServer, world: World, api: Api
) -> None:
    data = make_jpeg(200, 150, seed=63)
    sha = sha256(data)
    client = api(OFFICER_A1)
    client.put_chunk(sha, 0, len(data), data[:3000])
    part = partial_path(server.settings.photo_dir, sha)
    with open(part, "r+b") as fh:  # the disk lost the tail (a crash before fsync)
        fh.truncate(1000)
    conflict = client.put_chunk(sha, 3000, len(data), data[3000:])
    assert conflict.status_code == 409 and conflict.json()["received"] == 1000
    assert client.put_chunk(sha, 1000, len(data), data[1000:]).json()["complete"]
    assert client.request("GET", f"/v1/photos/{sha}/content").content == data


def test_uploading_a_complete_photo_again_is_harmless(
    server: RunningServer, world: World, api: Api
) -> None:
    data = make_png(seed=64)
    client = api(OFFICER_A1)
    assert client.upload(data)["complete"]
    again = client.put_chunk(sha256(data), 0, len(data), data)
    assert again.status_code == 200 and again.json()["complete"]
    row = stored_row(server, sha256(data))
    assert row is not None and row.mime == "image/png"  # type: ignore[attr-defined]


def test_unknown_photo_status_is_not_found(server: RunningServer, world: World, api: Api) -> None:
    response = api(OFFICER_A1).request("GET", f"/v1/photos/{'0' * 64}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_hash_mismatch_leaves_nothing(server: RunningServer, world: World, api: Api) -> None:
    data = make_jpeg(seed=65)
    wrong = sha256(b"something else")
    response = api(OFFICER_A1).put_chunk(wrong, 0, len(data), data)
    assert response.status_code == 422 and response.json()["error"]["code"] == "hash_mismatch"
    assert nothing_left(server, wrong)


def refused(server: RunningServer, client: ApiClient, data: bytes, code: str) -> None:
    sha = sha256(data)
    response = client.put_chunk(sha, 0, len(data), data)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    assert nothing_left(server, sha)


def test_non_images_are_refused(server: RunningServer, world: World, api: Api) -> None:
    client = api(OFFICER_A1)
    refused(server, client, b"%PDF-1.4 not a photo at all" * 10, "invalid_image")
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    refused(server, client, gif.getvalue(), "invalid_image")


def test_truncated_jpeg_is_refused(server: RunningServer, world: World, api: Api) -> None:
    data = make_jpeg(300, 200, seed=66)
    refused(server, api(OFFICER_A1), data[: len(data) * 2 // 3], "invalid_image")


def test_corrupt_png_is_refused(server: RunningServer, world: World, api: Api) -> None:
    data = bytearray(make_png(seed=67))
    data[60] ^= 0xFF  # inside the IDAT chunk: the CRC no longer matches
    refused(server, api(OFFICER_A1), bytes(data), "invalid_image")


def _bomb_png(width: int, height: int, colour: int = 0) -> bytes:
    """A tiny PNG that claims width x height (grey, or RGB with `colour` 2)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
        )

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, colour, 0, 0, 0])
    row = b"\x00" + b"\x00" * width * (3 if colour == 2 else 1)
    raw = zlib.compress(row * 64, 9)  # only the first rows: the header is what matters
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding(
    server: RunningServer, world: World, api: Api
) -> None:
    bomb = _bomb_png(60_000, 60_000)
    assert len(bomb) < 100_000
    refused(server, api(OFFICER_A1), bomb, "image_too_large")
    # Just over the device's limits is refused too; the header is all it takes: 33.5 MP
    # for grey, 16.7 MP for a colour PNG (what a full decode may hold on the device).
    refused(server, api(OFFICER_A1), _bomb_png(5793, 5793), "image_too_large")
    refused(server, api(OFFICER_A1), _bomb_png(4097, 4096, colour=2), "image_too_large")
    # Within them, the header alone is not enough: the data is counted, never held.
    refused(server, api(OFFICER_A1), _bomb_png(4096, 4096, colour=2), "invalid_image")


def test_photo_over_the_size_limit(server: RunningServer, world: World, api: Api) -> None:
    client = api(OFFICER_A1)
    sha = "ab" * 32
    limit = server.settings.limits.photo_bytes
    response = client.put_chunk(sha, 0, limit + 1, b"\xff\xd8")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "photo_too_large"
    beyond = client.put_chunk(sha, 10, 11, b"xx")
    assert beyond.status_code == 422
    assert nothing_left(server, sha)


def test_bad_sha_in_the_path(server: RunningServer, world: World, api: Api) -> None:
    client = api(OFFICER_A1)
    for bad in ("abc", "G" * 64, "AB" * 32):
        response = client.put_chunk(bad, 0, 1, b"x")
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_request"


def test_upload_needs_a_login(server: RunningServer, world: World, tmp_path: Path) -> None:
    data = make_jpeg(seed=68)
    with httpx.Client(base_url=server.base_url) as anonymous:
        response = anonymous.put(
            f"/v1/photos/{sha256(data)}", params={"offset": 0, "size": len(data)}, content=data
        )
    assert response.status_code == 401
    assert nothing_left(server, sha256(data))


# --- gallery-style broken files (the same rules as the device's) ---------------------


def _scan_start(data: bytes) -> int:
    sos = data.index(b"\xff\xda")
    return sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")


def test_cut_jpegs_ending_with_an_end_marker_are_refused(
    server: RunningServer, world: World, api: Api
) -> None:
    client = api(OFFICER_A1)
    data = make_jpeg(640, 480, seed=70)
    refused(server, client, data[: len(data) // 2] + b"\xff\xd9", "invalid_image")
    sof = data.index(b"\xff\xc0")
    claiming_more = data[: sof + 5] + (960).to_bytes(2, "big") + (1280).to_bytes(2, "big")
    refused(server, client, claiming_more + data[sof + 9 :], "invalid_image")
    at = _scan_start(data) + 5000
    garbage = bytes(range(256)) * 16  # 4 KB with every byte value, FF included
    refused(server, client, data[:at] + garbage + data[at:], "invalid_image")


def test_png_whose_data_is_short_of_its_rows_is_refused(
    server: RunningServer, world: World, api: Api
) -> None:
    # Chunks and CRCs all valid, but the image data ends before the last rows.
    refused(server, api(OFFICER_A1), _bomb_png(600, 400), "invalid_image")


def test_whole_jpeg_and_png_are_stored(server: RunningServer, world: World, api: Api) -> None:
    client = api(OFFICER_A1)
    for data in (make_jpeg(640, 480, seed=71), make_png(300, 200, seed=72)):
        sha = sha256(data)
        response = client.put_chunk(sha, 0, len(data), data)
        assert response.status_code == 200, response.text
        assert response.json()["complete"] is True
        assert final_path(server.settings.photo_dir, sha).exists()


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body).to_bytes(4, "big")
    return len(body).to_bytes(4, "big") + kind + body + crc


def _interlaced_grey_png(image: Image.Image, drop_last_row: bool = False) -> bytes:
    """An Adam7-interlaced 8-bit grey PNG of `image` (Pillow only writes plain ones)."""
    width, height = image.size
    pixels = image.tobytes()
    rows = []
    for x0, y0, dx, dy in (
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ):
        for y in range(y0, height, dy):
            rows.append(b"\x00" + bytes(pixels[y * width + x] for x in range(x0, width, dx)))
    if drop_last_row:
        rows.pop()
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 1])
    idat = zlib.compress(b"".join(rows))
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def test_png_data_is_counted_for_every_colour_type_and_interlacing() -> None:
    image = Image.radial_gradient("L").resize((37, 23))
    whole = _interlaced_grey_png(image)
    with Image.open(io.BytesIO(whole)) as decoded:
        assert decoded.tobytes() == image.tobytes()  # the helper writes real Adam7
    assert png_data_complete(whole)
    assert not png_data_complete(_interlaced_grey_png(image, drop_last_row=True))
    for mode in ("L", "LA", "RGB", "RGBA", "P", "I;16", "1"):
        out = io.BytesIO()
        image.convert(mode).save(out, "PNG")
        assert png_data_complete(out.getvalue()), mode
