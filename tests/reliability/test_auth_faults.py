"""Faults around the session: token refresh cut or lost on the way.

The server's clock is moved past the access token's lifetime, so the next sync must
refresh (the refresh token rotates). A cut *before* the server sees the refresh is
harmless. A refresh whose *answer* is lost is the dangerous case: the server has
already rotated the token and the device only holds the old one. Within the server's
grace window the old one is exchanged once more; after it the session ends and the
officer logs in again, with nothing wiped. Only an administrator's revocation makes the
device report its unsent work for a wipe.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

from domain import Action
from server.auth import revoke_device
from server.db import write_tx
from sync import DeviceRevoked, Offline, SessionExpired, SessionStatus
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


def test_lost_refresh_answer_is_exchanged_again_within_the_grace(
    world: World, device: Device, rnd: random.Random, seed: int, tally: Counter[str]
) -> None:
    for _ in range(3):
        device.act(rnd)
    world.clock.advance(EXPIRED)
    device.http.arm(HttpFault.lose_response(match="POST /v1/auth/refresh"))
    first = device.sync()
    assert isinstance(first.error, Offline), first.error
    tally["token refresh answers lost"] += 1
    # The retry presents the rotated-away refresh token: within the grace it is
    # exchanged once more, not taken for a stolen one.
    second = device.sync()
    assert second.error is None, second.error
    assert device.engine.progress.session is SessionStatus.ACTIVE
    verify_after_faults(world, device, context=f"seed {seed}")


def test_lost_refresh_answer_after_the_grace_asks_to_log_in_and_keeps_the_work(
    world: World, device: Device, rnd: random.Random, seed: int, tally: Counter[str]
) -> None:
    device.act(rnd, only=Action.ADD_PHOTO)
    for _ in range(3):
        device.act(rnd)
    world.clock.advance(EXPIRED)
    # Every refresh answer of this pass is lost: the photo streams run beside the push,
    # and on a slow machine a second stream may refresh after the first answer was lost
    # (within the grace, which rightly gives it a fresh pair the device would then hold).
    device.http.arm(HttpFault.lose_response(match="POST /v1/auth/refresh", times=None))
    assert isinstance(device.sync().error, Offline)
    device.http.disarm()
    tally["token refresh answers lost"] += 1
    unsent = check_device(device.path).unsent
    world.clock.advance(world.settings.refresh_grace + timedelta(seconds=1))
    report = device.sync()
    # A leaked-looking token ends the session, but this is not an administrator's
    # revocation: log in again, nothing wiped, nothing lost.
    assert isinstance(report.error, SessionExpired), report.error
    assert device.engine.progress.session is SessionStatus.EXPIRED
    assert check_device(device.path).unsent == unsent
    device.login()
    verify_after_faults(world, device, context=f"seed {seed}")


def test_admin_revocation_is_reported_with_the_unsent_work(
    world: World, proxy: FaultProxy, device: Device, rnd: random.Random, tally: Counter[str]
) -> None:
    assert world.server.engine is not None
    device.act(rnd, only=Action.ADD_PHOTO)
    for _ in range(3):
        device.act(rnd)
    proxy.set(Fault.cut_downstream(rnd.randint(0, 100), after=b"PUT /v1/photos/"))
    device.sync()  # part of the work may get through before the cut
    proxy.set(Fault.passthrough())
    facts = check_device(device.path)
    with write_tx(world.server.engine) as conn:
        assert revoke_device(conn, world.officer.username, facts.device_id) >= 1
    report = device.sync()
    assert isinstance(report.error, DeviceRevoked), report.error
    assert device.engine.progress.session is SessionStatus.REVOKED
    work = device.engine.unsent_work()
    assert {m.id for m in work.mutations} == set(check_device(device.path).unsent)
    assert work.mutations, "the revocation came before anything unsent could be listed"
    tally["admin revocations"] += 1
