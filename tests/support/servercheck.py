"""What the server holds, read from its own database and photo folder (read-only).

The scenarios ask three questions of the server after the faults:
- was every mutation the device ever queued recorded, once (`mutations` is keyed by the
  client UUID, so "recorded" is a lookup), and was none applied twice? Each applied
  mutation writes exactly one timeline entry by its actor, so per (report, action) the
  officer's timeline entries must equal the officer's applied mutations;
- is every photo the device took stored byte-identical (sha256 of the stored file)?
- does the device show what the server says (compared with a fresh full pull)?
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from server.config import Settings
from server.db import read_tx
from server.photostore import open_store
from server.schema import mutations, photos, timeline

# Events written by the server itself, not by a pushed mutation.
_SERVER_EVENTS = frozenset({"received", "routed"})


@dataclass(frozen=True, slots=True)
class ServerMutation:
    id: str
    device_id: str
    action: str
    report_id: str
    outcome: str
    code: str | None


def recorded_mutations(engine: Engine, user_id: str) -> dict[str, ServerMutation]:
    with read_tx(engine) as conn:
        rows = conn.execute(select(mutations).where(mutations.c.user_id == user_id)).all()
    return {
        r.id: ServerMutation(r.id, r.device_id, r.action, r.report_id, r.outcome, r.code)
        for r in rows
    }


def check_applied_once(engine: Engine, user_id: str) -> Counter[tuple[str, str]]:
    """Per (report, action): the user's timeline entries == their applied mutations.

    Returns the applied counts (for reporting). Raises AssertionError on a mismatch:
    more timeline entries than applied mutations means one was applied twice.
    """
    with read_tx(engine) as conn:
        applied = Counter(
            (r.report_id, r.action)
            for r in conn.execute(
                select(mutations.c.report_id, mutations.c.action).where(
                    mutations.c.user_id == user_id, mutations.c.outcome == "applied"
                )
            )
        )
        written = Counter(
            (r.report_id, r.event)
            for r in conn.execute(
                select(timeline.c.report_id, timeline.c.event).where(timeline.c.actor_id == user_id)
            )
            if r.event not in _SERVER_EVENTS
        )
    diff = {k: (applied.get(k, 0), written.get(k, 0)) for k in applied.keys() | written.keys()}
    wrong = {k: v for k, v in diff.items() if v[0] != v[1]}
    assert not wrong, f"(applied mutations, timeline entries) differ: {wrong}"
    return applied


def check_photos_stored(
    engine: Engine, settings: Settings, device_photos: Mapping[str, str]
) -> int:
    """Every device photo is complete on the server and its stored bytes hash right
    (read from the server's photo store: a local folder or a bucket)."""
    with read_tx(engine) as conn:
        complete = {
            r.sha256: r.size
            for r in conn.execute(select(photos.c.sha256, photos.c.size, photos.c.complete))
            if r.complete
        }
    for sha, local in device_photos.items():
        assert sha in complete, f"photo {sha} is not complete on the server"
        data = open_store(settings).read(sha)
        assert data is not None, f"photo {sha} is not in the photo store"
        assert hashlib.sha256(data).hexdigest() == sha, f"stored photo {sha} is corrupt"
        assert data == Path(local).read_bytes(), f"stored photo {sha} differs from the device's"
        assert complete[sha] == len(data)
    return len(device_photos)


# The snapshot fields the device must agree on with the server after a clean sync.
COMPARED = (
    "status",
    "assignee_id",
    "unit_id",
    "progress_pct",
    "rework_count",
    "version",
    "extended_deadline",
    "deadline",
)


def _instant(value: object) -> object:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def snapshot_key(wire: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: wire.get(k) for k in COMPARED}
    out["deadline"] = _instant(out["deadline"])
    out["extended_deadline"] = _instant(out["extended_deadline"])
    out["extension_state"] = (wire.get("extension") or {}).get("state")
    out["photos"] = sorted((p["sha256"], p["kind"]) for p in wire.get("photos", ()))
    out["timeline"] = len(wire.get("timeline", ()))
    return out


def diff_views(
    device: Mapping[str, Mapping[str, Any]], server: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """Human-readable differences between two {report id: comparable dict} maps."""
    problems = []
    for rid in sorted(device.keys() | server.keys()):
        if rid not in server:
            problems.append(f"{rid}: on the device, not in the server's view")
        elif rid not in device:
            problems.append(f"{rid}: in the server's view, not on the device")
        elif device[rid] != server[rid]:
            fields = [k for k in server[rid] if device[rid].get(k) != server[rid].get(k)]
            problems.append(
                f"{rid}: "
                + ", ".join(
                    f"{f} device={device[rid].get(f)!r} server={server[rid][f]!r}" for f in fields
                )
            )
    return problems


def unknown_to_server(ids: Iterable[str], recorded: Mapping[str, ServerMutation]) -> list[str]:
    return sorted(i for i in ids if i not in recorded)
