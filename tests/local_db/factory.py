"""Building server snapshots and pull pages for device-database tests."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from domain import Report, Role, Status
from domain.protocol import (
    Change,
    ChangeOp,
    Entity,
    PullPage,
    ReportSnapshot,
    TimelineEntry,
    UserInfo,
)

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
OFFICER = UserInfo("u-officer", "petugas.a1", "Andi Petugas", Role.OFFICER, "kel-1", "Kel. Menteng")


def report(rid: str, **kw: Any) -> Report:
    base: dict[str, Any] = {
        "id": rid,
        "tracking_id": f"CRM-2026-{zlib.crc32(rid.encode()) % 1_000_000:06d}",
        "status": Status.DIDISPOSISIKAN,
        "category": "jalan",
        "channel": "jaki",
        "unit_id": "kel-1",
        "received_at": NOW - timedelta(hours=2),
        "assignee_id": OFFICER.id,
        "title": f"Jalan berlubang {rid}",
        "description": "Lubang besar di depan sekolah.",
        "address": "Jl. Teuku Umar No. 10",
        "kelurahan_code": "31.71.06.1001",
        "version": 1,
    }
    base.update(kw)
    return Report(**base)


def snapshot(r: Report, **kw: Any) -> ReportSnapshot:
    kw.setdefault("unit_name", "Kelurahan Menteng")
    kw.setdefault("kelurahan", "Menteng")
    kw.setdefault(
        "timeline",
        (TimelineEntry(r.received_at, "received", status_to=Status.BARU.value),),
    )
    return ReportSnapshot(r, **kw)


def upsert(r: Report, **kw: Any) -> Change:
    return Change(ChangeOp.UPSERT, Entity.REPORT, r.id, snapshot(r, **kw).to_wire())


def remove(rid: str) -> Change:
    return Change(ChangeOp.REMOVE, Entity.REPORT, rid)


def page(*changes: Change, cursor: str = "f:1", has_more: bool = False) -> PullPage:
    return PullPage(tuple(changes), cursor, has_more, NOW)
