"""The real engine against the real server with the network failing in between.

Each scenario records officer work on a real device database, syncs through the fault
proxy (TCP faults) and the fault transport (HTTP faults), checks the device's
invariants after every faulted pass, and ends with `verify_after_faults`: one clean
sync, then every mutation applied exactly once or listed for the officer, every photo
byte-identical on the server, and the device showing what the server says.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

import local_db
from domain import Action
from sync import Offline, ServerError, SessionStatus
from tests.support.device import Device
from tests.support.devicecheck import check_device
from tests.support.faultproxy import Fault, FaultProxy
from tests.support.faulttransport import HttpFault, HttpFaultKind
from tests.support.scale import scaled
from tests.support.servercheck import recorded_mutations
from tests.support.verify import verify_after_faults
from tests.support.world import World, seed_reports

PUSH = b"POST /v1/sync/push"
PULL = b"GET /v1/sync/pull"
PHOTO_PUT = b"PUT /v1/photos/"
NAME = {PUSH: "push", PULL: "pull", PHOTO_PUT: "photo upload"}


def work(device: Device, rnd: random.Random, n: int, *, photo: bool = False) -> int:
    """Officer actions recorded offline; `photo` makes sure one of them is a photo."""
    done = 0
    if photo and device.act(rnd, only=Action.ADD_PHOTO) is not None:
        done += 1
    for _ in range(n):
        done += device.act(rnd) is not None
    return done


def cut_for(phase: bytes, upstream: bool, device: Device, rnd: random.Random) -> Fault:
    """A cut at a random byte of the phase's request (upstream) or answer (downstream).

    The ranges follow the real sizes (a push of k mutations is ~300 + 350k bytes up; a
    photo chunk is up to 256 KiB). A pull is small: its GET is ~250 bytes with headers,
    and a gzipped page with one new report is a few hundred bytes (a quiet sync is 494
    bytes both ways, bench/bench_sync.py), so pull cuts stay under those sizes to land
    inside the exchange. One that does not fires on a later exchange of the same
    connection, which is a valid fault too.
    """
    pending = max(1, len(device.sendable()))
    if phase == PUSH:
        top = 300 + 350 * pending if upstream else 250 + 150 * pending
    elif phase == PHOTO_PUT:
        top = 300_000 if upstream else 300
    else:
        top = 150 if upstream else 400
    n = rnd.randint(0, top)
    if upstream:
        return Fault.cut_upstream(n, after=phase)
    return Fault.cut_downstream(n, after=phase)


@pytest.mark.parametrize("phase", [PUSH, PULL, PHOTO_PUT], ids=["push", "pull", "photo"])
def test_connection_cut_mid_phase_then_retried(
    world: World,
    proxy: FaultProxy,
    device: Device,
    rnd: random.Random,
    seed: int,
    tally: Counter[str],
    phase: bytes,
) -> None:
    iterations = scaled(8)
    fired = 0
    for _ in range(iterations):
        work(device, rnd, rnd.randint(1, 4), photo=phase == PHOTO_PUT)
        if phase == PULL:
            seed_reports(world, 1, rnd)  # something new to pull
        upstream = rnd.random() < 0.5
        before = proxy.stats.cuts
        proxy.set(cut_for(phase, upstream, device, rnd))
        report = device.sync()
        proxy.set(Fault.passthrough())
        if proxy.stats.cuts > before:
            fired += 1
            tally[f"cuts mid-{NAME[phase]}"] += 1
            if report.error is not None:
                tally["sync passes failed by a cut"] += 1
        check_device(device.path)
        if rnd.random() < 0.5:
            device.sync_clean()
            tally["retries after a cut"] += 1
    verdict = verify_after_faults(world, device, context=f"seed {seed}")
    print(f"{iterations} iterations, {fired} cuts fired, {verdict}")
    assert fired >= iterations // 2, f"seed {seed}: only {fired} of {iterations} cuts fired"
    assert verdict.applied > 0


@pytest.mark.parametrize("phase", [PUSH, PHOTO_PUT], ids=["push", "photo"])
def test_response_lost_after_the_server_applied_then_resent(
    world: World,
    proxy: FaultProxy,
    device: Device,
    rnd: random.Random,
    seed: int,
    tally: Counter[str],
    phase: bytes,
) -> None:
    assert world.server.engine is not None
    lost = 0
    for _ in range(scaled(6)):
        work(device, rnd, rnd.randint(1, 3), photo=True)
        before = proxy.stats.lost_responses
        proxy.set(Fault.lose_response(after=phase))
        report = device.sync()
        proxy.set(Fault.passthrough())
        if proxy.stats.lost_responses == before:
            continue  # nothing of that kind to send this time
        lost += 1
        tally[f"responses lost ({NAME[phase]})"] += 1
        assert isinstance(report.error, Offline), report.error
        check_device(device.path)
        if phase == PUSH:
            # The server did the work; the device does not know yet.
            recorded = recorded_mutations(world.server.engine, world.officer.id)
            in_doubt = [
                i for i, r in check_device(device.path).outbox.items() if r["state"] == "sent"
            ]
            assert in_doubt and all(i in recorded for i in in_doubt)
        device.sync_clean()
        tally["retries after a lost response"] += 1
    verdict = verify_after_faults(world, device, context=f"seed {seed}")
    print(f"{lost} responses lost, {verdict}")
    assert lost >= 3, f"seed {seed}: only {lost} responses were lost"


def test_captive_portal_200_is_never_taken_as_an_acknowledgement(
    world: World, device: Device, rnd: random.Random, seed: int, tally: Counter[str]
) -> None:
    assert world.server.engine is not None
    assert work(device, rnd, 3) > 0
    device.http.arm(HttpFault.captive_portal(match="POST /v1/sync/push", times=None))
    report = device.sync()
    assert isinstance(report.error, ServerError), report.error
    facts = check_device(device.path)
    recorded = recorded_mutations(world.server.engine, world.officer.id)
    assert facts.unsent and not facts.unsent & recorded.keys()  # nothing reached the server
    assert all(r["state"] != "applied" for r in facts.outbox.values())
    tally["captive portal answers"] += device.http.fired[HttpFaultKind.CAPTIVE_PORTAL]
    device.http.disarm()
    verify_after_faults(world, device, context=f"seed {seed}")


def test_gateway_timeout_after_the_server_applied_is_resent_not_reapplied(
    world: World, device: Device, rnd: random.Random, seed: int, tally: Counter[str]
) -> None:
    assert world.server.engine is not None
    assert work(device, rnd, 3) > 0
    device.http.arm(HttpFault.answered_then_error(504, match="POST /v1/sync/push"))
    report = device.sync()
    assert isinstance(report.error, ServerError), report.error
    recorded = recorded_mutations(world.server.engine, world.officer.id)
    sent = [i for i, r in check_device(device.path).outbox.items() if r["state"] == "sent"]
    assert sent and all(recorded[i].outcome in ("applied", "rejected") for i in sent)
    tally["504 after the server applied"] += 1
    verify_after_faults(world, device, context=f"seed {seed}")


@pytest.mark.parametrize(
    "fault",
    [
        HttpFault.gateway_error(502, match="POST /v1/sync/push"),
        HttpFault.gateway_error(503, match="PUT /v1/photos/"),
        HttpFault.gateway_error(503, match="GET /v1/sync/pull"),
        HttpFault.truncated_json(match="GET /v1/sync/pull"),
        HttpFault.truncated_json(match="POST /v1/sync/push"),
        HttpFault.lose_response(match="PUT /v1/photos/"),
    ],
    ids=["502-push", "503-photo", "503-pull", "half-json-pull", "half-json-push", "lost-put"],
)
def test_http_faults_keep_everything_and_converge(
    world: World,
    device: Device,
    rnd: random.Random,
    seed: int,
    tally: Counter[str],
    fault: HttpFault,
) -> None:
    for _ in range(scaled(3)):
        work(device, rnd, 2, photo=True)
        seed_reports(world, 1, rnd)
        fired = device.http.fired[fault.kind]
        device.http.arm(fault)
        report = device.sync()
        device.http.disarm()
        assert device.http.fired[fault.kind] > fired, "the fault never matched a request"
        facts = check_device(device.path)
        if fault.match == "PUT /v1/photos/" and fault.kind is HttpFaultKind.GATEWAY_ERROR:
            # A refused upload is retried later (backoff) without failing the pass; the
            # photo's actions wait for it meanwhile.
            assert report.error is None, report.error
            held = [r for r in facts.outbox.values() if r["hold_reason"] == "photo"]
            assert held, "the photo's action was not held"
        else:
            assert isinstance(report.error, ServerError | Offline), report.error
        device.sync_clean()
    tally[f"http {fault.kind} ({fault.match})"] += device.http.fired[fault.kind]
    verify_after_faults(world, device, context=f"seed {seed}")


def test_truncated_pull_answer_does_not_move_the_cursor(
    world: World, device: Device, rnd: random.Random
) -> None:
    seed_reports(world, 2, rnd)
    cursor = _cursor(device)
    device.http.arm(HttpFault.truncated_json(match="GET /v1/sync/pull"))
    assert isinstance(device.sync().error, ServerError)
    assert _cursor(device) == cursor
    device.sync_clean()
    assert _cursor(device) != cursor


def _cursor(device: Device) -> str | None:
    return local_db.sync_state(device.db).cursor


def test_blackhole_times_out_as_offline_and_loses_nothing(
    world: World,
    proxy: FaultProxy,
    device: Device,
    rnd: random.Random,
    seed: int,
    tally: Counter[str],
) -> None:
    work(device, rnd, 3, photo=True)
    proxy.set(Fault.blackhole())
    report = device.sync()
    assert isinstance(report.error, Offline), report.error
    assert device.engine.progress.online is False
    assert proxy.stats.blackholed_chunks > 0
    tally["blackholed requests (timeouts)"] += 1
    check_device(device.path)
    proxy.cut_all()  # the stuck connections die, as they would when the radio drops
    proxy.set(Fault.passthrough())
    verify_after_faults(world, device, context=f"seed {seed}")
    assert device.engine.progress.online is True


@pytest.mark.parametrize("mode", ["refuse", "reset"])
def test_refused_or_reset_connections_are_offline(
    world: World,
    proxy: FaultProxy,
    device: Device,
    rnd: random.Random,
    seed: int,
    tally: Counter[str],
    mode: str,
) -> None:
    work(device, rnd, 3)
    proxy.set(Fault.refuse() if mode == "refuse" else Fault.reset())
    report = device.sync()
    assert isinstance(report.error, Offline), report.error
    assert device.engine.progress.session is SessionStatus.ACTIVE  # not logged out
    tally[f"connections {'refused' if mode == 'refuse' else 'reset'}"] += 1
    check_device(device.path)
    proxy.set(Fault.passthrough())
    verify_after_faults(world, device, context=f"seed {seed}")
