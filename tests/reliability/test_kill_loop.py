"""SIGKILL at random moments: an officer's app process dies mid-write, many times.

A forked worker process (`tests/support/officer_child.py`) records officer actions,
adds photos and syncs with the real server in a loop, and is SIGKILLed at a random
moment: during startup and migration, mid-transaction, mid-upload, mid-push, mid-pull.
After every kill the device file must be intact and keep "every local action <=> its
outbox entry" (`check_device`). Meanwhile the office keeps working on the server
(reassignments, send-backs). At the end the same file is opened by an in-process
device, synced cleanly, and every mutation any of the killed processes ever queued
must be applied exactly once on the server or listed for the officer.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

from tests.support.device import Device
from tests.support.devicecheck import check_device
from tests.support.processes import OfficerProcesses
from tests.support.scale import SCALE, scaled
from tests.support.verify import verify_after_faults
from tests.support.world import World, server_side_change

MIN_KILLS = 20


def test_sigkill_at_random_moments_loses_and_doubles_nothing(
    world: World, tmp_path: Path, rnd: random.Random, seed: int, tally: Counter[str]
) -> None:
    folder = tmp_path / "device"
    folder.mkdir()
    target = scaled(60)
    # Aim for `target` kills within the budget; on a loaded machine go on past it until
    # the minimum is reached (a slow machine must not fail the scenario), up to a hard cap.
    minimum = min(target, MIN_KILLS)
    budget_s, hard_cap_s = 30 * SCALE, 600 * SCALE
    seen: set[str] = set()
    kills = early = office = in_flight = 0
    with OfficerProcesses(
        db=folder / "device.sqlite",
        url=world.base_url,
        username=world.officer.username,
        password=world.officer.password,
        photos=folder / "photos",
        log=tmp_path / "officer_child.log",
    ) as procs:
        started = time.monotonic()
        while kills < target:
            elapsed = time.monotonic() - started
            if (elapsed > budget_s and kills >= minimum) or elapsed > hard_cap_s:
                break
            pid = procs.spawn(rnd.randrange(2**31))
            if rnd.random() < 0.15:
                early += 1  # die while opening, migrating or signing in
                procs.pause(rnd.uniform(0.0, 0.15))
            else:
                procs.wait_ready(pid)
                procs.pause(rnd.uniform(0.01, 0.5))
            procs.kill(pid)
            kills += 1
            assert not procs.crashes, f"seed {seed}: a worker crashed: {procs.crashes}"
            facts = check_device(folder / "device.sqlite")
            seen |= facts.outbox.keys()
            in_flight += bool(facts.unsent)
            if kills % 8 == 0 and server_side_change(world, rnd) is not None:
                office += 1
        acted = list(procs.acted)
        syncs = procs.syncs.copy()

    assert kills >= minimum, f"only {kills} kills within {hard_cap_s} s"
    device = Device(folder, world.base_url, world.officer.username, world.officer.password)
    try:
        device.login()
        device.created = sorted(seen | set(acted))
        verdict = verify_after_faults(world, device, context=f"seed {seed}")
    finally:
        device.close()
    print(
        f"{kills} kills ({early} during startup, {in_flight} with unsent work), "
        f"{len(acted)} actions reported, "
        f"{len(device.created)} mutations in all, syncs {dict(syncs)}, "
        f"{office} office changes, {verdict}"
    )
    tally["SIGKILLs"] += kills
    tally["SIGKILLs during startup"] += early
    tally["SIGKILLs with unsent work on the device"] += in_flight
    tally["mutations by killed processes"] += len(device.created)
    tally["sync passes by killed processes"] += sum(syncs.values())
    assert verdict.applied > 0 and syncs["ok"] > 0, "the workers never got work through"
