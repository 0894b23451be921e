"""The end-of-scenario verdict: after the faults, one clean sync, then the whole truth.

`verify_after_faults(world, device)`:
1. syncs with no fault until nothing sendable is left;
2. checks the device's invariants (`check_device`);
3. for every mutation the device ever queued: the server recorded it (applied, or
   rejected and then shown in needs-attention), or it never left the device because it
   is held behind a refused one (and is in needs-attention too). Nothing else: a
   mutation the server does not know and the device no longer holds is LOST. Every
   needs-attention item carries its code and both messages (id, en);
4. nothing was applied twice (`check_applied_once`), and the server knows no mutation
   of this device that the device did not create;
5. every photo the device holds is stored on the server byte-identical, and one that
   is not on its report there (its action was refused) is kept in needs-attention;
6. the device shows exactly what a fresh full pull of the officer's scope says.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .device import Device
from .devicecheck import check_device
from .servercheck import (
    check_applied_once,
    check_photos_stored,
    diff_views,
    recorded_mutations,
    snapshot_key,
)
from .world import World

# Totals over every verdict of the run (printed by the reliability conftest).
TOTALS: Counter[str] = Counter()


@dataclass(frozen=True, slots=True)
class Verdict:
    created: int
    applied: int
    rejected: int
    held: int
    photos: int
    reports: int


def verify_after_faults(world: World, device: Device, *, context: str = "") -> Verdict:
    assert world.server.engine is not None
    device.sync_clean()
    facts = check_device(device.path)
    recorded = recorded_mutations(world.server.engine, world.officer.id)
    attention = device.attention()

    phantom = sorted(
        i for i, m in recorded.items() if m.device_id == facts.device_id and i not in device.created
    )
    assert not phantom, f"{context}: the server holds mutations the device never made: {phantom}"
    assert len(set(device.created)) == len(device.created), f"{context}: a mutation id repeats"

    applied = rejected = held = 0
    lost: list[str] = []
    for mid in device.created:
        m = recorded.get(mid)
        if m is None:
            if attention.get(mid) == "depends_on_rejected":
                held += 1
            else:
                lost.append(mid)
        elif m.outcome == "applied":
            applied += 1
        elif m.outcome == "rejected":
            assert mid in attention, f"{context}: rejected {mid} ({m.code}) not in needs-attention"
            rejected += 1
        else:
            lost.append(f"{mid} (outcome {m.outcome})")
    assert not lost, f"{context}: LOST mutations: {lost}"
    assert not facts.unsent - set(attention), f"{context}: unsent after a clean sync"
    silent = device.attention_without_reason()
    assert not silent, f"{context}: needs-attention items without a reason: {silent}"

    check_applied_once(world.server.engine, world.officer.id)
    photos = check_photos_stored(world.server.engine, world.settings, facts.device_photos)
    orphaned = set(device.photos_kept_off_server()) - device.photos_in_attention()
    assert not orphaned, f"{context}: photos neither on the report nor kept: {orphaned}"

    with world.client(world.officer) as observer:
        server_view = {rid: snapshot_key(w) for rid, w in observer.visible_reports().items()}
    problems = diff_views(device.view(), server_view)
    assert not problems, f"{context}: device and server disagree:\n" + "\n".join(problems)
    TOTALS["verdicts (all passed)"] += 1
    TOTALS["mutations verified"] += len(device.created)
    TOTALS["  applied exactly once"] += applied
    TOTALS["  rejected, in needs-attention"] += rejected
    TOTALS["  held, in needs-attention"] += held
    TOTALS["  lost or doubled"] += 0  # any would have failed the verdict above
    TOTALS["photos verified byte-identical"] += photos
    return Verdict(len(device.created), applied, rejected, held, photos, len(server_view))
