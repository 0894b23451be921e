"""Random interleavings of officer work, office work, syncs, faults and restarts.

A hypothesis `RuleBasedStateMachine` drives one officer's device (real SQLite file,
real engine) against the real server behind the fault proxy. Its rules: offline
officer actions and photos; syncs, clean or with a cut at a random byte of a random
phase, a lost response, or an HTTP-level fault; the office changing reports on the
server meanwhile (a supervisor reassigns, a validator sends work back, through the
API as another device would); and device restarts (the database reopened, the engine
rebuilt). Invariants checked after every step: the device file keeps its invariants,
and no mutation was applied twice on the server. At the end of each run: after one
fault-free sync every mutation is applied once or listed for the officer, every photo
is on the server byte-identical, and the device converges to the server's view.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from domain import Action
from tests.support.device import Device
from tests.support.devicecheck import check_device
from tests.support.faultproxy import Fault, FaultProxy
from tests.support.faulttransport import HttpFault
from tests.support.scale import scaled
from tests.support.servercheck import check_applied_once
from tests.support.verify import verify_after_faults
from tests.support.world import World, server_side_change, small_world

MARKERS = (b"POST /v1/sync/push", b"GET /v1/sync/pull", b"PUT /v1/photos/", None)
HTTP_FAULTS = (
    HttpFault.gateway_error(502, match="POST /v1/sync/push"),
    HttpFault.gateway_error(503, match="PUT /v1/photos/"),
    HttpFault.captive_portal(),
    HttpFault.answered_then_error(504, match="POST /v1/sync/push"),
    HttpFault.truncated_json(match="GET /v1/sync/pull"),
    HttpFault.lose_response(match="POST /v1/sync/push"),
)

STEPS: Counter[str] = Counter()


class DeviceAgainstServer(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="tindak-stateful-"))
        self.stack = ExitStack()
        self.world: World = self.stack.enter_context(
            small_world(self.folder / "server", n_reports=8)
        )
        self.proxy = self.stack.enter_context(FaultProxy("127.0.0.1", self.world.server.port))
        self.device = Device(
            self.folder / "device",
            self.proxy.url,
            self.world.officer.username,
            self.world.officer.password,
        )
        self.device.login()
        self.device.sync_clean()
        STEPS["runs"] += 1

    def _step(self, name: str) -> None:
        STEPS["steps"] += 1
        STEPS[name] += 1

    @rule(seed=st.integers(0, 2**31), n=st.integers(1, 4))
    def officer_works_offline(self, seed: int, n: int) -> None:
        self._step("officer work sessions")
        rnd = random.Random(seed)
        for _ in range(n):
            self.device.act(rnd)

    @rule(seed=st.integers(0, 2**31))
    def officer_takes_photo(self, seed: int) -> None:
        self._step("photos taken")
        self.device.act(random.Random(seed), only=Action.ADD_PHOTO)

    @rule()
    def sync(self) -> None:
        self._step("clean syncs")
        self.device.sync()

    @rule(
        marker=st.sampled_from(MARKERS),
        upstream=st.booleans(),
        nbytes=st.one_of(st.integers(0, 600), st.integers(0, 400_000)),
    )
    def sync_cut_at_a_random_byte(self, marker: bytes | None, upstream: bool, nbytes: int) -> None:
        self._step("syncs with a cut")
        if upstream:
            self.proxy.set(Fault.cut_upstream(nbytes, after=marker))
        else:
            self.proxy.set(Fault.cut_downstream(nbytes, after=marker))
        self.device.sync()
        self.proxy.set(Fault.passthrough())

    @rule(marker=st.sampled_from(MARKERS))
    def sync_losing_a_response(self, marker: bytes | None) -> None:
        self._step("syncs losing a response")
        self.proxy.set(Fault.lose_response(after=marker))
        self.device.sync()
        self.proxy.set(Fault.passthrough())

    @rule(fault=st.sampled_from(HTTP_FAULTS))
    def sync_with_an_http_fault(self, fault: HttpFault) -> None:
        self._step("syncs with an HTTP fault")
        self.device.http.arm(fault)
        self.device.sync()
        self.device.http.disarm()

    @rule(seed=st.integers(0, 2**31))
    def office_changes_a_report(self, seed: int) -> None:
        self._step("office changes")
        server_side_change(self.world, random.Random(seed))

    @rule()
    def device_restarts(self) -> None:
        self._step("device restarts")
        self.device.restart()

    @invariant()
    def device_keeps_its_invariants(self) -> None:
        check_device(self.device.path, hash_files=False)

    @invariant()
    def nothing_applied_twice(self) -> None:
        assert self.world.server.engine is not None
        check_applied_once(self.world.server.engine, self.world.officer.id)

    def teardown(self) -> None:
        try:
            self.proxy.set(Fault.passthrough())
            stats = self.proxy.stats
            STEPS["cuts fired"] += stats.cuts
            STEPS["responses lost"] += stats.lost_responses
            verdict = verify_after_faults(self.world, self.device, context="stateful run")
            STEPS["mutations verified"] += verdict.created
        finally:
            self.device.close()
            self.stack.close()
            shutil.rmtree(self.folder, ignore_errors=True)


def test_random_interleavings_converge_and_lose_nothing(tally: Counter[str]) -> None:
    STEPS.clear()
    run_state_machine_as_test(
        DeviceAgainstServer,
        settings=settings(
            max_examples=scaled(10),
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(f"stateful: {dict(STEPS)}")
    tally["stateful runs"] += STEPS["runs"]
    tally["stateful steps"] += STEPS["steps"]
    tally["stateful mutations verified"] += STEPS["mutations verified"]
    tally["stateful cuts fired"] += STEPS["cuts fired"]
    tally["stateful responses lost (tcp)"] += STEPS["responses lost"]
    assert STEPS["steps"] > 0
