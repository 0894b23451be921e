"""Photos the device did not take: fetched from the real server, checked, kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from sync import Offline, PhotoUnavailable
from tests.server.kit import OFFICER_B1, SUPERVISOR_A, RunningServer, World
from tests.sync.kit import Device, Devices, stopped


class FlipContent(httpx.BaseTransport):
    """Wraps the real transport: flips one byte of every photo's content on the way in."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not request.url.path.endswith("/content") or response.status_code != 200:
            return response
        body = bytearray(response.read())
        body[len(body) // 2] ^= 0xFF
        return httpx.Response(response.status_code, headers=response.headers, content=bytes(body))

    def close(self) -> None:
        self.inner.close()


def _device(devices: Devices, tmp_path: Path, username: str) -> Device:
    folder = tmp_path / f"{username}-fetched"
    device = devices(username, photo_dir=folder)
    device.ok_sync()
    return device


def _content_requests(device: Device) -> int:
    return sum(1 for _, path in device.net.paths if path.endswith("/content"))


def test_fetch_stores_the_photo_and_serves_it_again_without_the_server(
    devices: Devices, world: World, sqlite_server: RunningServer, tmp_path: Path
) -> None:
    sup = _device(devices, tmp_path, SUPERVISOR_A)
    sha = world.reporter_photos["a_public"]
    path = sup.engine.fetch_photo(sha)
    assert path == sup.engine.photo_dir / f"{sha}.jpg"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert _content_requests(sup) == 1
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".part")]
    with stopped(sqlite_server):
        assert sup.engine.fetch_photo(sha) == path  # the cache: no network at all
        assert _content_requests(sup) == 1
        other = hashlib.sha256(b"not fetched yet").hexdigest()
        with pytest.raises(Offline):
            sup.engine.fetch_photo(other)
    # A wipe (after a revocation) takes the fetched photos too.
    removed = sup.engine.wipe()
    assert str(path) in removed and not path.exists()


def test_bytes_that_do_not_hash_to_their_name_are_refused_and_not_kept(
    devices: Devices, world: World, tmp_path: Path
) -> None:
    sup = _device(devices, tmp_path, SUPERVISOR_A)
    sup.net.inner = FlipContent(sup.net.inner)
    sha = world.reporter_photos["a_public"]
    with pytest.raises(PhotoUnavailable) as refused:
        sup.engine.fetch_photo(sha)
    assert refused.value.code == PhotoUnavailable.MISMATCH
    assert refused.value.message_id.startswith("Foto yang diterima rusak")
    folder = sup.engine.photo_dir
    assert not folder.exists() or not any(folder.iterdir())


@pytest.mark.parametrize(
    ("username", "label"),
    [
        (OFFICER_B1, "a_public"),  # another unit's report
        (SUPERVISOR_A, "a_private"),  # a private report's reporter photo
    ],
)
def test_a_photo_outside_the_users_scope_is_refused(
    devices: Devices, world: World, tmp_path: Path, username: str, label: str
) -> None:
    device = _device(devices, tmp_path, username)
    with pytest.raises(PhotoUnavailable) as refused:
        device.engine.fetch_photo(world.reporter_photos[label])
    assert refused.value.code == PhotoUnavailable.NOT_AVAILABLE
    assert _content_requests(device) == 1
    folder = device.engine.photo_dir
    assert not folder.exists() or not any(folder.iterdir())


def test_a_name_that_is_not_a_sha256_never_reaches_the_network(
    devices: Devices, world: World, tmp_path: Path
) -> None:
    sup = _device(devices, tmp_path, SUPERVISOR_A)
    with pytest.raises(PhotoUnavailable):
        sup.engine.fetch_photo("../../etc/passwd")
    assert _content_requests(sup) == 0
