"""The engine itself: server clock, one pass at a time, background loop, bad answers."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import httpx

import local_db
from domain import Action, UrgencyLevel
from sync import Phase, ServerError, SyncEngine, SyncProgress, SyncReport, Transport
from tests.server.kit import OFFICER_A1, SUPERVISOR_A, RunningServer, World, seed_world
from tests.support.waiting import wait_until
from tests.sync.kit import Devices, new_report

WAIT_S = 20.0


def test_the_server_clock_is_estimated_and_drives_the_sla(
    devices: Devices, sqlite_server: RunningServer
) -> None:
    # The phone's clock is three days behind the server's.
    skew = timedelta(days=3)
    sqlite_server.clock.set(datetime.now(UTC) + skew)
    world = seed_world(sqlite_server.engine, sqlite_server.settings, sqlite_server.clock())
    late = new_report(sqlite_server, world, received_at=sqlite_server.clock() - timedelta(days=8))
    sup = devices(SUPERVISOR_A)
    sup.ok_sync()
    estimated = sup.engine.now_server() - datetime.now(UTC)
    # The server clock stands still in this test, so the estimate trails by the test's
    # own running time at most.
    assert abs(estimated - skew) < timedelta(seconds=30)
    # By the phone's clock the report has two days left; by the server's it is late.
    by_phone = local_db.queue(sup.db, now=datetime.now(UTC))
    by_server = local_db.queue(sup.db, now=sup.engine.now_server())
    assert {i.report.id: i.urgency.level for i in by_phone}[late] is UrgencyLevel.AT_RISK
    assert {i.report.id: i.urgency.level for i in by_server}[late] is UrgencyLevel.OVERDUE
    assert by_server[0].report.id == late
    # The estimate is stored: a restarted app knows it before any network.
    state = local_db.sync_state(sup.db)
    assert state.clock_rtt_ms is not None and state.clock_rtt_ms >= 0
    again = SyncEngine(sup.db, Transport("http://127.0.0.1:9"), sup.tokens)
    assert abs((again.now_server() - datetime.now(UTC)) - skew) < timedelta(seconds=30)


def test_concurrent_requests_coalesce_into_one_more_pass(devices: Devices, world: World) -> None:
    d = devices(SUPERVISOR_A)
    release = threading.Event()
    pulls: list[int] = []

    def hold_first_pull(request: httpx.Request) -> bool:
        if request.url.path.endswith("/sync/pull"):
            pulls.append(1)
            if len(pulls) == 1:
                release.wait(WAIT_S)
        return False

    d.net.fail_when = hold_first_pull
    results: list[SyncReport] = []
    threads = [
        threading.Thread(target=lambda: results.append(d.engine.sync_once())) for _ in range(3)
    ]
    threads[0].start()
    wait_until(lambda: bool(pulls), "the first sync's pull", timeout_s=WAIT_S)
    threads[1].start()
    threads[2].start()
    deadline = time.monotonic() + WAIT_S
    while d.engine._wanted < 3 and time.monotonic() < deadline:  # both are waiting
        time.sleep(0.01)
    release.set()
    for t in threads:
        t.join(WAIT_S)
    assert len(pulls) == 2  # the first pass and exactly one coalesced pass
    assert len(results) == 3 and all(r.ok for r in results)
    assert results[1] is results[2]  # the two latecomers share the second pass


def test_background_loop_probes_while_offline_and_syncs_on_request(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    d = devices(SUPERVISOR_A)
    later = new_report(sqlite_server, world, title="Pohon tumbang")
    succeeded = threading.Event()
    failures: list[SyncProgress] = []

    def watch(p: SyncProgress) -> None:
        if not p.running and p.phase is Phase.IDLE and p.last_error is not None:
            failures.append(p)
        if not p.running and p.last_error is None and p.last_success_at is not None:
            succeeded.set()

    d.engine.add_listener(watch)
    d.ok_sync()
    succeeded.clear()
    d.net.offline = True
    d.act(world.rid("a_new"), Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    d.engine.start(interval_s=3600)  # only the probe can bring the next pass
    deadline = time.monotonic() + WAIT_S
    while (not failures or d.engine._probes < 2) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert failures and failures[-1].online is False
    assert d.engine._probes >= 2  # probing, backing off, while the work waits
    d.net.offline = False
    assert succeeded.wait(WAIT_S)
    assert d.engine._probes == 0 and d.engine._failures == 0  # the probe reset the back-off
    assert local_db.pending_counts(d.db).mutations == 0
    # On demand: a dispatch, then "sync now".
    succeeded.clear()
    d.act(later, Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    d.engine.request_sync()
    assert succeeded.wait(WAIT_S)
    deadline = time.monotonic() + WAIT_S
    while local_db.pending_counts(d.db).mutations and time.monotonic() < deadline:
        time.sleep(0.01)
    assert local_db.pending_counts(d.db).mutations == 0
    d.engine.stop()
    assert d.engine._thread is None


def test_a_captive_portal_answer_is_never_taken_as_an_acknowledgement(
    devices: Devices, world: World
) -> None:
    d = devices(SUPERVISOR_A)
    d.ok_sync()
    entry = d.act(world.rid("a_new"), Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    real = d.net.inner

    def portal(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, html="<html><body>Login ke WiFi Gratis</body></html>")

    d.net.inner = httpx.MockTransport(portal)
    report = d.sync()
    assert isinstance(report.error, ServerError)
    (still,) = local_db.unsent_work(d.db).mutations
    assert still.id == entry.id  # not acknowledged
    d.net.inner = httpx.MockTransport(
        lambda r: httpx.Response(302, headers={"Location": "http://portal.example/login"})
    )
    assert isinstance(d.sync().error, ServerError)
    d.net.inner = httpx.MockTransport(
        lambda r: httpx.Response(
            200, json={"results": [], "server_time": "2026-01-01T00:00:00+00:00"}
        )
    )
    assert isinstance(d.sync().error, ServerError)  # JSON, but not an answer to our batch
    d.net.inner = real
    assert d.ok_sync().applied == 1
    assert local_db.unsent_work(d.db).empty


def test_stop_waits_for_an_on_demand_pass_before_the_database_closes(
    devices: Devices, world: World
) -> None:
    sup = devices(SUPERVISOR_A)  # never start()ed: request_sync runs its own thread
    entered = threading.Event()
    release = threading.Event()

    def hold_the_pull(request: httpx.Request) -> bool:
        if request.url.path.endswith("/sync/pull") and not entered.is_set():
            entered.set()
            release.wait(WAIT_S)
        return False

    sup.net.fail_when = hold_the_pull
    sup.engine.request_sync()
    assert entered.wait(WAIT_S)
    stopper = threading.Thread(target=sup.engine.stop, kwargs={"timeout": WAIT_S})
    stopper.start()
    stopper.join(0.3)
    assert stopper.is_alive()  # stop() waits for the pass in flight
    release.set()
    stopper.join(WAIT_S)
    assert not stopper.is_alive()
    assert not [t for t in threading.enumerate() if t.name.startswith("tindak-sync")]
    assert sup.engine.progress.last_error is None  # the pass finished on an open database
    sup.db.close()  # nothing runs under it any more
