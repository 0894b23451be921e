"""A seeded soak: many rounds of work, office changes, restarts and random faults.

Each round: some offline officer work (actions, photos), sometimes a change made by the
office on the server, sometimes an app restart, then one sync under a fault drawn at
random (a cut at a random byte of a random phase or anywhere, a lost response, an
HTTP-level fault, reset connections, or none). The device's invariants are checked
after every round; the verdict after the last. `TINDAK_RELIABILITY_SCALE=20` makes it
a long soak; the seed printed on failure replays it.
"""

from __future__ import annotations

import random
from collections import Counter

from domain import Action
from tests.support.device import Device
from tests.support.devicecheck import check_device
from tests.support.faultproxy import Fault, FaultProxy
from tests.support.faulttransport import HttpFault
from tests.support.scale import scaled
from tests.support.verify import verify_after_faults
from tests.support.world import World, server_side_change

MARKERS = (b"POST /v1/sync/push", b"GET /v1/sync/pull", b"PUT /v1/photos/", None)
HTTP = (
    HttpFault.gateway_error(502),
    HttpFault.gateway_error(503, match="PUT /v1/photos/"),
    HttpFault.captive_portal(),
    HttpFault.answered_then_error(504, match="POST /v1/sync/push"),
    HttpFault.truncated_json(),
    HttpFault.lose_response(),
)


def _tcp_fault(rnd: random.Random) -> tuple[str, Fault]:
    marker = rnd.choice(MARKERS)
    n = rnd.choice((rnd.randint(0, 800), rnd.randint(0, 300_000)))
    roll = rnd.random()
    if roll < 0.35:
        return "cut upstream", Fault.cut_upstream(n, after=marker)
    if roll < 0.7:
        return "cut downstream", Fault.cut_downstream(n, after=marker)
    if roll < 0.9:
        return "lose response", Fault.lose_response(after=marker)
    return "reset", Fault.reset()


def test_random_fault_soak(
    world: World,
    proxy: FaultProxy,
    device: Device,
    rnd: random.Random,
    seed: int,
    tally: Counter[str],
) -> None:
    rounds = scaled(60)
    seen: Counter[str] = Counter()
    for _ in range(rounds):
        for _ in range(rnd.randint(0, 3)):
            device.act(rnd)
        if rnd.random() < 0.3:
            device.act(rnd, only=Action.ADD_PHOTO)
        if rnd.random() < 0.15 and server_side_change(world, rnd) is not None:
            seen["office changes"] += 1
        if rnd.random() < 0.1:
            device.restart()
            seen["restarts"] += 1
        stats = proxy.stats
        if rnd.random() < 0.25:
            fault = rnd.choice(HTTP)
            device.http.arm(fault)
            report = device.sync()
            device.http.disarm()
            seen[f"http {fault.kind}"] += device.http.fired[fault.kind] > 0
        else:
            name, tcp = _tcp_fault(rnd)
            proxy.set(tcp)
            report = device.sync()
            proxy.set(Fault.passthrough())
            after = proxy.stats
            fired = (
                after.cuts + after.lost_responses + after.resets
                > stats.cuts + stats.lost_responses + stats.resets
            )
            seen[name] += fired
        seen["passes failed"] += report.error is not None
        check_device(device.path, hash_files=False)
    verdict = verify_after_faults(world, device, context=f"seed {seed}")
    print(f"soak: {rounds} rounds, {dict(seen)}, {verdict}")
    for key, n in seen.items():
        tally[f"soak: {key}"] += n
    tally["soak: mutations verified"] += verdict.created
    assert seen["passes failed"] > rounds // 4, f"seed {seed}: the faults rarely bit"
