"""Two server processes behind one address: a device whose every request goes to the
other one still syncs a day of work with photos, and nothing is lost or doubled.

Process 1 is the world's embedded server (in this test process), process 2 a real
`tindak-server serve` subprocess on the same database and photo folder: what a load
balancer in front of N stateless processes does, at its most unlucky. The device's
HTTP goes through `Alternating`, a transport that sends each request to the other
process in turn, so a pull's pages, a photo's chunks (3 per photo here) and the push
that links it are each served by both. The office works meanwhile (reassignments,
extensions approved, work sent back). The verdict is the reliability scenarios' own
(`verify_after_faults`): every mutation applied exactly once or refused and shown,
every photo byte-identical on the server, the device's view equal to a fresh pull.
Runs on SQLite (two processes on one file) and on PostgreSQL.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from domain import Action
from tests.support.device import Device
from tests.support.serve import served
from tests.support.verify import verify_after_faults
from tests.support.world import World, server_side_change, small_world

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
ROUNDS = 8
# About 620 KB of noise JPEG: three `PHOTO_CHUNK` chunks, so one photo's upload is
# resumed by the other process at least twice.
PHOTO_SIZE = (960, 720)


class Alternating(httpx.BaseTransport):
    """Send each request to the next port of `ports` in turn (thread-safe: the engine
    prefetches pages and uploads photos from other threads)."""

    def __init__(self, ports: list[int]) -> None:
        self._inner = httpx.HTTPTransport()
        self._ports = ports
        self._next = 0
        self._lock = threading.Lock()
        self.served: list[tuple[int, str, str]] = []  # (port, method, path) in order

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            port = self._ports[self._next % len(self._ports)]
            self._next += 1
            self.served.append((port, request.method, request.url.path))
        request.url = request.url.copy_with(port=port)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    if request.param == "postgresql":
        factory: Callable[[], str] = request.getfixturevalue("pg_database_factory")
        return factory()
    return None  # the world's own SQLite file


@pytest.fixture
def world(tmp_path: Path, db_url: str | None) -> Iterator[World]:
    with small_world(tmp_path / "server", n_reports=12, db_url=db_url) as w:
        yield w


def test_a_day_of_work_through_two_alternating_processes_converges(
    world: World, tmp_path: Path, rnd: random.Random
) -> None:
    settings = world.settings
    with served(settings.db_url, settings.photo_dir, tmp_path / "serve2.log") as second:
        ports = [world.server.port, httpx.URL(second).port]
        assert ports[1] is not None and ports[0] != ports[1]
        alternating = Alternating([ports[0], ports[1]])
        device = Device(
            tmp_path / "device",
            world.base_url,
            world.officer.username,
            world.officer.password,
            timeout=httpx.Timeout(30.0),
            inner=lambda: alternating,
        )
        try:
            device.login()
            device.sync_clean()
            office: Counter[str] = Counter()
            for _ in range(ROUNDS):
                for _ in range(rnd.randint(2, 4)):
                    device.act(rnd)
                device.act(rnd, only=Action.ADD_PHOTO, photo_size=PHOTO_SIZE)
                if rnd.random() < 0.5:
                    office[server_side_change(world, rnd) or "nothing"] += 1
                device.sync()
            verdict = verify_after_faults(world, device, context="two processes")
        finally:
            device.close()

    print(f"verdict {verdict}, office {dict(office)}")
    assert verdict.applied >= ROUNDS, verdict  # a day's work, not an idle device
    assert verdict.photos >= ROUNDS // 2, verdict
    # Both processes served the device, turn by turn, for every kind of request.
    by_port = Counter(port for port, _, _ in alternating.served)
    assert by_port[ports[0]] >= 20 and by_port[ports[1]] >= 20, by_port
    for kind in ("/v1/sync/pull", "/v1/sync/push", "/v1/photos/"):
        hit = {port for port, _, path in alternating.served if path.startswith(kind)}
        assert hit == set(ports), (kind, hit)
    # At least one photo's chunks were stored by both processes.
    chunks: dict[str, set[int]] = {}
    for port, method, path in alternating.served:
        if method == "PUT" and path.startswith("/v1/photos/"):
            chunks.setdefault(path, set()).add(port)
    assert any(len(p) == 2 for p in chunks.values()), chunks
