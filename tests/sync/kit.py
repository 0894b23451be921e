"""Devices for the sync scenarios: a real SQLite file + the real engine + the real
server over loopback (`tests/server/kit.py`)."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

import local_db
from domain import Action, PhotoKind
from local_db import LocalDb, NewPhoto, OutboxEntry
from server.db import write_tx
from server.embedded import EmbeddedServer
from server.reports import create_report
from sync import MemoryTokenStore, SyncEngine, SyncReport, SyncSettings, Transport
from tests.server.kit import PASSWORD, RunningServer, World, make_jpeg


class CountingTransport(httpx.BaseTransport):
    """Wraps the real HTTP transport: counts requests by path and can cut the network."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.paths: list[tuple[str, str]] = []
        self.offline = False
        self.fail_when: Callable[[httpx.Request], bool] | None = None
        # After the server answered: the answer is lost on the way back.
        self.lose_when: Callable[[httpx.Request], bool] | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.offline:
            raise httpx.ConnectError("network unreachable", request=request)
        if self.fail_when is not None and self.fail_when(request):
            raise httpx.ReadError("connection reset mid-exchange", request=request)
        self.paths.append((request.method, request.url.path))
        response = self.inner.handle_request(request)
        if self.lose_when is not None and self.lose_when(request):
            response.read()
            response.close()
            raise httpx.ReadError("connection cut before the answer arrived", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


@dataclass
class Device:
    name: str
    db: LocalDb
    engine: SyncEngine
    net: CountingTransport
    tokens: MemoryTokenStore
    photo_dir: Path
    _seed: int = field(default=0)

    def sync(self, **kw: Any) -> SyncReport:
        return self.engine.sync_once(**kw)

    def ok_sync(self, **kw: Any) -> SyncReport:
        report = self.engine.sync_once(**kw)
        report.raise_for_error()
        return report

    def act(self, report_id: str, action: Action, **payload: Any) -> OutboxEntry:
        actor = local_db.actor(self.db)
        assert actor is not None
        return local_db.record_action(
            self.db, actor, report_id, action, payload, self.engine.now_server()
        )

    def photo(self, report_id: str, kind: PhotoKind, size: tuple[int, int] = (64, 48)) -> NewPhoto:
        self._seed += 1
        data = make_jpeg(*size, seed=zlib.crc32(f"{self.name}-{self._seed}".encode()))
        sha = hashlib.sha256(data).hexdigest()
        path = self.photo_dir / f"{sha}.jpg"
        path.write_bytes(data)
        photo = NewPhoto(
            path=str(path),
            sha256=sha,
            kind=kind,
            size_bytes=len(data),
            width=size[0],
            height=size[1],
            captured_at=self.engine.now_server() - timedelta(minutes=1),
            latitude=-6.1962,
            longitude=106.8325,
            accuracy_m=6.0,
            location_source=local_db.LocationSource.GPS,
        )
        actor = local_db.actor(self.db)
        assert actor is not None
        local_db.add_photo(self.db, actor, report_id, photo, self.engine.now_server())
        return photo

    def status(self, report_id: str) -> str | None:
        detail = local_db.get_report(self.db, report_id, now=self.engine.now_server())
        return None if detail is None else detail.report.status.value

    def close(self) -> None:
        self.engine.stop()
        self.engine.transport.close()
        self.db.close()


# Quick retries and probes, so the loop's scenarios finish in a fraction of a second.
_FAST: dict[str, Any] = {
    "retry_base_s": 0.05,
    "retry_max_s": 0.2,
    "probe_base_s": 0.05,
    "probe_max_s": 0.2,
}


class Devices:
    def __init__(self, server: RunningServer, tmp_path: Path) -> None:
        self.server = server
        self.tmp_path = tmp_path
        self.made: list[Device] = []

    def __call__(
        self,
        username: str | None,
        name: str | None = None,
        *,
        login: bool = True,
        via: str | None = None,
        net: CountingTransport | None = None,
        **settings: Any,
    ) -> Device:
        """A signed-in device; `via` is another base URL (e.g. a fault proxy's), `net`
        another wrapper of the real HTTP transport."""
        name = name or f"{username}-{len(self.made)}"
        net = net or CountingTransport()
        transport = Transport(via or self.server.base_url, transport=net)
        db = LocalDb.open(self.tmp_path / f"{name}.sqlite")
        tokens = MemoryTokenStore()
        engine = SyncEngine(
            db,
            transport,
            tokens,
            SyncSettings(**{**_FAST, "device_name": name, **settings}),
        )
        photo_dir = self.tmp_path / f"{name}-photos"
        photo_dir.mkdir()
        device = Device(name, db, engine, net, tokens, photo_dir)
        self.made.append(device)
        if login and username is not None:
            engine.login(username, PASSWORD)
        return device

    def close(self) -> None:
        for d in self.made:
            d.close()


def new_report(
    server: RunningServer,
    world: World,
    unit: str | None = None,
    title: str = "Sampah menumpuk",
    received_at: datetime | None = None,
) -> str:
    with write_tx(server.engine) as conn:
        return create_report(
            conn,
            report_id=None,
            tracking_id=None,
            category="sampah",
            channel="jaki",
            unit_id=unit or world.unit_a,
            received_at=received_at or server.clock() - timedelta(hours=1),
            title=title,
            description="Sampah tidak diangkut tiga hari.",
            address="Jl. Cikini Raya 5",
            latitude=-6.19,
            longitude=106.84,
            kelurahan_code="31.71.06.1001",
            is_public=False,
            reporter=("Rahasia", "r@contoh.id", "0812"),
            reporter_photo=None,
            now=server.clock(),
        )


@contextmanager
def stopped(server: RunningServer) -> Iterator[None]:
    """The server goes down, then comes back on the same port and database."""
    port = server.embedded.port
    server.embedded.stop()
    try:
        yield
    finally:
        server.embedded = EmbeddedServer(server.settings, port=port).start()
