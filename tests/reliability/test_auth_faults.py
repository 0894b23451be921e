"""Faults around the session: token refresh cut or lost on the way.

The server's clock is moved past the access token's lifetime, so the next sync must
refresh (the refresh token rotates). A cut *before* the server sees the refresh is
harmless. A refresh whose *answer* is lost is the dangerous case: the server has
already rotated the token, and the device only holds the old one.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest

from sync import DeviceRevoked, Offline, SessionStatus
from tests.support.device import Device
from tests.support.devicecheck import check_device
from tests.support.faultproxy import Fault, FaultProxy
from tests.support.faulttransport import HttpFault
from tests.support.verify import verify_after_faults
from tests.support.world import World

REFRESH = b"POST /v1/auth/refresh"
EXPIRED = timedelta(minutes=16)  # the access token lives 15 minutes


def test_refresh_cut_before_the_server_saw_it_is_retried(
    world: World,
    proxy: FaultProxy,
    device: Device,
    rnd: random.Random,
    seed: int,
    tally: Counter[str],
) -> None:
    for _ in range(3):
        device.act(rnd)
    world.clock.advance(EXPIRED)
    proxy.set(Fault.cut_upstream(rnd.randint(0, 40), after=REFRESH))
    report = device.sync()
    assert proxy.stats.cuts == 1
    assert isinstance(report.error, Offline), report.error
    assert device.engine.progress.session is SessionStatus.ACTIVE
    tally["token refreshes cut"] += 1
    check_device(device.path)
    verify_after_faults(world, device, context=f"seed {seed}")
    assert device.engine.progress.session is SessionStatus.ACTIVE


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason=(
        "known defect: the server rotates the refresh token, the answer is lost, and the "
        "retry with the old token is treated as token theft (401 session_revoked), which "
        "the engine maps to DeviceRevoked: the officer is told the device was revoked "
        "and the app wipes it. Needs a reuse grace on the server, or session_revoked "
        "mapped to SessionExpired (log in again, keep the data) on the device."
    ),
)
def test_lost_refresh_answer_does_not_revoke_the_device(
    world: World, device: Device, rnd: random.Random, tally: Counter[str]
) -> None:
    for _ in range(3):
        device.act(rnd)
    world.clock.advance(EXPIRED)
    device.http.arm(HttpFault.lose_response(match="POST /v1/auth/refresh"))
    first = device.sync()
    assert isinstance(first.error, Offline), first.error
    tally["token refresh answers lost"] += 1
    second = device.sync()
    assert not isinstance(second.error, DeviceRevoked), (
        "a lost refresh answer made the device believe it was revoked"
    )
    assert device.engine.progress.session is not SessionStatus.REVOKED
