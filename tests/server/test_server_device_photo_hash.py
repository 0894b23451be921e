"""A photo hash that comes over the network is checked once, at the protocol boundary,
before any device path is built from it (real server over HTTP, SQLite and PostgreSQL).

The server's database is given a hostile photo reference (as a compromised or buggy
server would send): the device's transport refuses the pull page instead of handing a
`../` path to the photo store, and the one path function refuses anything but 64
lowercase hex digits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from domain.errors import InvalidValue
from domain.protocol import device_photo_path
from server.db import write_tx
from server.schema import photos, report_photos
from sync.errors import PhotoUnavailable, ServerError
from sync.photo_fetch import cached_photo_path
from sync.transport import Transport
from tests.server.kit import SUPERVISOR_A, ApiClient, RunningServer, World

HOSTILE = [
    "../../../../../../tmp/tindak-escape-" + "a" * 28,  # 64 characters, a traversal
    "A" * 64,  # uppercase: not the canonical form
    "a" * 63 + "\n",  # a trailing newline slips through `^...$`
    "a" * 63 + "\x00",
    "a" * 65,
    "",
]


@pytest.mark.parametrize("bad", HOSTILE)
def test_the_one_device_path_function_refuses_anything_but_a_sha256(
    bad: str, tmp_path: Path
) -> None:
    with pytest.raises(InvalidValue):
        device_photo_path(tmp_path, bad)
    with pytest.raises(PhotoUnavailable):
        cached_photo_path(tmp_path, bad)
    good = "0123456789abcdef" * 4
    assert device_photo_path(tmp_path, good) == tmp_path / f"{good}.jpg"


def test_a_hostile_photo_hash_from_the_server_is_refused_at_the_boundary(
    server: RunningServer, world: World, api: Callable[..., ApiClient]
) -> None:
    bad = HOSTILE[0]
    now = server.clock()
    with write_tx(server.engine) as conn:
        conn.execute(
            photos.insert().values(
                sha256=bad, size=10, received=10, complete=True, mime="image/jpeg", created_at=now
            )
        )
        conn.execute(
            report_photos.insert().values(
                report_id=world.rid("a_new"), sha256=bad, kind="during", added_at=now
            )
        )
    token = api(SUPERVISOR_A).access
    assert token is not None
    transport = Transport(server.base_url)
    try:
        with pytest.raises(ServerError, match="InvalidValue"):
            transport.pull(token, None, 200)
    finally:
        transport.close()
    assert not Path("/tmp/tindak-escape-" + "a" * 28 + ".jpg").exists()
