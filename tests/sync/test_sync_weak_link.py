"""A weak mobile link: actions go ahead of photos, retries come fast, the link is used.

Real server on loopback, real device files, faults from the project's fault proxy
(`tests/support/faultproxy.py`) between the engine and the server.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import local_db
from domain import Action, PhotoKind, Status
from domain.protocol import PHOTO_CHUNK
from local_db import UploadState
from server.photostore.local import final_path
from server.schema import mutations, report_photos, timeline
from sync import Backoff, Offline, SyncSettings
from tests.server.kit import OFFICER_A1, SUPERVISOR_A, RunningServer, World
from tests.support.faultproxy import Fault, FaultProxy
from tests.sync.kit import CountingTransport, Device, Devices

WAIT_S = 30.0


@pytest.fixture
def proxy(sqlite_server: RunningServer) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", sqlite_server.embedded.port) as p:
        yield p


def _assigned(devices: Devices, world: World, via: str, **kw: Any) -> tuple[Device, list[str]]:
    """Officer A1's device (through `via`) with two reports dispatched to them."""
    sup = devices(SUPERVISOR_A)
    sup.ok_sync()
    rids = [world.rid("a_public"), world.rid("a_private")]
    for rid in rids:
        sup.act(rid, Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sup.ok_sync()
    a1 = devices(OFFICER_A1, via=via, **kw)
    a1.ok_sync()
    return a1, rids


def _server_status(server: RunningServer, rid: str) -> str:
    from server.schema import reports

    with server.engine.connect() as conn:
        return str(conn.execute(select(reports.c.status).where(reports.c.id == rid)).scalar_one())


def _assert_nothing_lost_or_doubled(
    server: RunningServer, device: Device, photos: dict[str, list[str]]
) -> None:
    """Every action applied exactly once, every photo on its report once and
    byte-identical to the device's file."""
    created = [e.id for e in local_db.unsent_work(device.db).mutations]
    assert created == []
    with server.engine.connect() as conn:
        for rid, shas in photos.items():
            held = conn.execute(
                select(report_photos.c.sha256).where(report_photos.c.report_id == rid)
            ).scalars()
            assert set(shas) <= set(held)  # (the reporter's photo may be there too)
            added = conn.execute(
                select(func.count())
                .select_from(timeline)
                .where(timeline.c.report_id == rid, timeline.c.event == Action.ADD_PHOTO.value)
            ).scalar_one()
            assert added == len(shas)  # no photo action applied twice
        per_action = Counter(
            conn.execute(select(mutations.c.action).where(mutations.c.outcome == "applied"))
        )
        assert all(n >= 1 for n in per_action.values())
    for shas in photos.values():
        for sha in shas:
            local = Path(device.photo_dir / f"{sha}.jpg").read_bytes()
            assert final_path(server.settings.photo_dir, sha).read_bytes() == local


def _until_clean(device: Device, passes: int = 30) -> None:
    for _ in range(passes):
        report = device.sync()
        if report.ok and local_db.unsent_work(device.db).empty:
            return
    raise AssertionError(f"not clean after {passes} passes: {report.error!r}")


# --- back-off: the cap, and offline failures that do not count ----------------------


@settings(max_examples=300, deadline=None)
@given(
    failures=st.integers(min_value=0, max_value=10**9),
    base=st.floats(min_value=0.0, max_value=1e4, allow_nan=False),
    cap=st.floats(min_value=0.0, max_value=1e5, allow_nan=False),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_a_backoff_delay_never_exceeds_the_cap(
    failures: int, base: float, cap: float, seed: int
) -> None:
    backoff = Backoff(base_s=base, max_s=cap)
    delay = backoff.delay(failures, random.Random(seed))
    assert 0.0 <= delay <= cap
    assert delay <= backoff.ceiling(failures)
    if failures >= 1:
        assert delay >= backoff.ceiling(failures) / 2  # the jitter stays in the upper half


@settings(max_examples=50, deadline=None)
@given(failures=st.integers(min_value=1, max_value=10**6), seed=st.integers(0, 2**32))
def test_the_engine_never_waits_longer_than_its_cap(
    failures: int, seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from local_db import LocalDb
    from sync import MemoryTokenStore, SyncEngine, Transport

    folder = tmp_path_factory.mktemp("cap")
    db = LocalDb.open(folder / "d.sqlite")
    transport = Transport("http://127.0.0.1:9")
    try:
        engine = SyncEngine(db, transport, MemoryTokenStore(), SyncSettings())
        engine._rng.seed(seed)
        engine._failures = failures
        assert 0 < engine.next_delay(3600.0) <= SyncSettings().retry_max_s
    finally:
        transport.close()
        db.close()


def test_offline_failures_do_not_push_the_retry_away(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    a1, (rid, other) = _assigned(devices, world, sqlite_server.base_url)
    a1.net.offline = True
    # Twenty actions recorded offline, each followed by the pass the app asks for.
    for i in range(10):
        for r in (rid, other):
            if i == 0:
                a1.act(r, Action.ACCEPT)
            elif i == 1:
                a1.act(r, Action.START)
            else:
                a1.act(r, Action.PROGRESS, percent=10 * i, note=f"Langkah {i}")
            assert isinstance(a1.sync().error, Offline)
    assert a1.engine._failures == 1  # only the first failure told something new
    base = a1.engine.settings.retry_base_s
    assert a1.engine.retry_backoff.ceiling(a1.engine._failures) == base
    # The network comes back; one cut in the middle of the push is retried at once.
    a1.net.offline = False
    a1.net.fail_when = lambda r: r.method == "POST" and r.url.path.endswith("/sync/push")
    assert isinstance(a1.sync().error, Offline)
    assert a1.engine._failures == 1  # a first cut after the link came back: base delay
    a1.net.fail_when = None
    _until_clean(a1)
    assert a1.engine._failures == 0
    assert _server_status(sqlite_server, rid) == Status.DALAM_PROSES.value


def test_the_loop_retries_as_soon_as_the_link_returns(
    devices: Devices, world: World, proxy: FaultProxy
) -> None:
    a1, (rid, other) = _assigned(devices, world, proxy.url)
    applied = threading.Event()
    a1.engine.add_listener(
        lambda p: applied.set() if not p.running and p.pending_mutations == 0 else None
    )
    proxy.set(Fault.refuse())
    # An hour between passes, a five-minute cap: only the probe can bring the retry.
    a1.engine.start(interval_s=3600)
    for r in (rid, other):
        a1.act(r, Action.ACCEPT)
        a1.engine.request_sync()
        a1.act(r, Action.START)
        a1.engine.request_sync()
    deadline = time.monotonic() + WAIT_S
    while a1.engine._probes < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert a1.engine._probes >= 1 and local_db.pending_counts(a1.db).mutations == 4
    applied.clear()
    proxy.set(Fault.passthrough())
    assert applied.wait(WAIT_S)
    assert local_db.pending_counts(a1.db).mutations == 0


def test_network_changed_syncs_at_once_and_resets_the_backoff(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    a1, (rid, _) = _assigned(
        devices, world, sqlite_server.base_url, probe_base_s=3600.0, probe_max_s=3600.0
    )
    a1.net.offline = True
    a1.act(rid, Action.ACCEPT)
    assert isinstance(a1.sync().error, Offline)
    a1.engine.start(interval_s=3600)  # neither the timer nor the probe will come
    a1.net.offline = False
    a1.engine.network_changed(True)  # what the app does on a connectivity event / resume
    deadline = time.monotonic() + WAIT_S
    while local_db.pending_counts(a1.db).mutations and time.monotonic() < deadline:
        time.sleep(0.01)
    assert local_db.pending_counts(a1.db).mutations == 0
    assert a1.engine._failures == 0


# --- pass order: actions ahead of photos --------------------------------------------


def test_actions_without_photos_go_ahead_and_a_cut_in_the_photo_phase_does_not_delay_them(
    devices: Devices, world: World, sqlite_server: RunningServer, proxy: FaultProxy
) -> None:
    a1, (with_photos, without) = _assigned(devices, world, proxy.url, photo_streams=1)
    a1.act(with_photos, Action.ACCEPT)
    a1.act(with_photos, Action.START)
    kinds = (PhotoKind.BEFORE, PhotoKind.BEFORE, PhotoKind.AFTER)
    shots = [a1.photo(with_photos, kind, size=(900, 700)) for kind in kinds]
    a1.act(with_photos, Action.COMPLETE, note="Sampah sudah diangkut")
    # Recorded after the photos: today these would wait behind every one of them.
    a1.act(without, Action.ACCEPT)
    a1.act(without, Action.START)
    proxy.set(Fault.cut_upstream(PHOTO_CHUNK // 2, after=b"PUT /v1/photos/"))
    report = a1.sync()
    assert isinstance(report.error, Offline)  # the cut ended the pass in the photo phase
    assert report.applied == 4  # both reports' accept and start went first
    assert _server_status(sqlite_server, without) == Status.DALAM_PROSES.value
    assert _server_status(sqlite_server, with_photos) == Status.DALAM_PROSES.value
    methods = [m for m, p in a1.net.paths if p.endswith("/sync/push") or "/photos/" in p]
    assert methods[0] == "POST" and "PUT" in methods
    held = local_db.pending_counts(a1.db)
    assert held.mutations == 4  # three photos and the completion, kept
    _until_clean(a1)
    assert _server_status(sqlite_server, with_photos) == Status.MENUNGGU_VALIDASI.value
    _assert_nothing_lost_or_doubled(
        sqlite_server, a1, {with_photos: [s.sha256 for s in shots], without: []}
    )


class _GateAfterPush(CountingTransport):
    """Holds the PUTs of one photo until a push has been answered (or a deadline):
    tells whether the held actions went while the other photos still uploaded."""

    def __init__(self) -> None:
        super().__init__()
        self.gated: str | None = None
        self.pushed = threading.Event()
        self.push_came_first: bool | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        mine = bool(self.gated) and request.url.path.endswith(str(self.gated))
        if mine and request.method == "PUT" and self.push_came_first is None:
            self.push_came_first = self.pushed.wait(WAIT_S)
        response = super().handle_request(request)
        if request.method == "POST" and request.url.path.endswith("/sync/push"):
            self.pushed.set()
        return response


def test_photos_go_in_the_order_of_the_actions_waiting_and_free_them_at_once(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    gate = _GateAfterPush()
    a1, (first, second) = _assigned(
        devices, world, sqlite_server.base_url, net=gate, photo_streams=1
    )
    for rid in (first, second):
        a1.act(rid, Action.ACCEPT)
        a1.act(rid, Action.START)
    a1.ok_sync()
    needed = a1.photo(first, PhotoKind.BEFORE, size=(600, 400))  # its action comes first
    a1.act(first, Action.PROGRESS, percent=50, note="Separuh")
    other = a1.photo(second, PhotoKind.BEFORE, size=(600, 400))
    with a1.db.write() as conn:  # the other photo's file is the older one (e.g. imported)
        conn.execute(
            "UPDATE photos SET created_at = '2000-01-01T00:00:00+00:00' WHERE sha256 = ?",
            (other.sha256,),
        )
    gate.paths.clear()
    gate.pushed.clear()
    gate.gated = other.sha256
    a1.ok_sync()
    puts = [p.rsplit("/", 1)[-1] for m, p in gate.paths if m == "PUT"]
    assert puts.index(needed.sha256) < puts.index(other.sha256)  # outbox order, not file age
    # The first report's held actions were pushed while the other photo still waited.
    assert gate.push_came_first is True
    _assert_nothing_lost_or_doubled(
        sqlite_server, a1, {first: [needed.sha256], second: [other.sha256]}
    )


# --- the link: concurrent chunk streams, cuts, no status round trips -----------------


class _InFlight(CountingTransport):
    """Counts the photo PUTs in flight at once (the streams really overlap)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.now = 0
        self.most = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        is_put = request.method == "PUT"
        if is_put:
            with self._lock:
                self.now += 1
                self.most = max(self.most, self.now)
        try:
            return super().handle_request(request)
        finally:
            if is_put:
                with self._lock:
                    self.now -= 1


def test_concurrent_chunk_streams_with_cuts_lose_nothing_and_double_nothing(
    devices: Devices, world: World, sqlite_server: RunningServer, proxy: FaultProxy
) -> None:
    inflight = _InFlight()
    a1, (one, two) = _assigned(devices, world, proxy.url, net=inflight, photo_streams=3)
    proxy.set(Fault.delay(0.02))  # a little latency, so the streams overlap
    photos: dict[str, list[str]] = {one: [], two: []}
    for rid in (one, two):
        a1.act(rid, Action.ACCEPT)
        a1.act(rid, Action.START)
        for kind in (PhotoKind.BEFORE, PhotoKind.AFTER, PhotoKind.BEFORE):
            shot = a1.photo(rid, kind, size=(1000, 800))
            assert shot.size_bytes > 2 * PHOTO_CHUNK
            photos[rid].append(shot.sha256)
    a1.net.paths.clear()
    report = a1.sync()
    assert report.ok, report.error
    assert inflight.most >= 2  # the streams overlapped
    assert all(m != "GET" or "/photos/" not in p for m, p in inflight.paths)  # no status GETs
    # Now with cuts: undo the uploads on the server side is not possible, so a second
    # device state is made: new photos, and every third PUT is cut mid-chunk.
    for rid in (one, two):
        for _ in range(2):
            photos[rid].append(a1.photo(rid, PhotoKind.AFTER, size=(1000, 800)).sha256)
    proxy.set(Fault.cut_upstream(PHOTO_CHUNK // 3, after=b"PUT /v1/photos/", times=4))
    cuts = 0
    for _ in range(30):
        report = a1.sync()
        cuts += isinstance(report.error, Offline)
        if report.ok and local_db.unsent_work(a1.db).empty:
            break
    assert cuts >= 1 and proxy.stats.cuts >= 1
    assert local_db.unsent_work(a1.db).empty
    rows = [p for p in local_db.get_report(a1.db, one, now=a1.engine.now_server()).photos]  # type: ignore[union-attr]
    assert all(p.upload_state is UploadState.DONE for p in rows if p.from_device)
    _assert_nothing_lost_or_doubled(sqlite_server, a1, photos)
