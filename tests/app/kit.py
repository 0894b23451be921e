"""A device for view-model tests: a real SQLite file filled through local_db's own API.

Reports are stored the way a pull stores them (`local_db.apply_page`), the officer is
signed in with `local_db.sign_in`; the sync engine points at a loopback port where
nothing listens, so a sync attempt meets a real refused connection (Offline). Dates are
relative to the real clock, because the device's SLA clock is the real one.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import local_db
from domain import Report, Role, Status
from domain.protocol import (
    Change,
    ChangeOp,
    Entity,
    PhotoRef,
    PullPage,
    ReportSnapshot,
    TimelineEntry,
    UserInfo,
)
from officer_app.device import Device
from officer_app.launch import free_port
from officer_app.profile import Profile
from officer_app.state.session import Session
from sync import MemoryTokenStore

OFFICER = UserInfo("u-officer", "petugas.a1", "Andi Petugas", Role.OFFICER, "kel-1", "Kel. Menteng")
OTHER = UserInfo("u-other", "petugas.b2", "Budi Lain", Role.OFFICER, "kel-1", "Kel. Menteng")


def now() -> datetime:
    return datetime.now(UTC)


def report(rid: str, **kw: Any) -> Report:
    base: dict[str, Any] = {
        "id": rid,
        "tracking_id": f"CRM-2026-{zlib.crc32(rid.encode()) % 1_000_000:06d}",
        "status": Status.DIDISPOSISIKAN,
        "category": "jalan",
        "channel": "jaki",
        "unit_id": "kel-1",
        "received_at": now() - timedelta(days=1),
        "assignee_id": OFFICER.id,
        "title": f"Jalan berlubang {rid}",
        "description": "Lubang besar di depan sekolah.",
        "address": "Jl. Teuku Umar No. 10",
        "kelurahan_code": "31.71.06.1001",
        "latitude": -6.1950,
        "longitude": 106.8300,
        "version": 1,
    }
    base.update(kw)
    return Report(**base)


def upsert(r: Report) -> Change:
    snap = ReportSnapshot(
        r,
        unit_name="Kelurahan Menteng",
        kelurahan="Menteng",
        kecamatan="Menteng",
        kota="Jakarta Pusat",
        assignee_name=OFFICER.name if r.assignee_id == OFFICER.id else "",
        timeline=(TimelineEntry(r.received_at, "received", status_to=Status.BARU.value),),
        # The server describes photos; a report's photo kinds are derived from them.
        photos=tuple(
            PhotoRef(hashlib.sha256(f"{r.id}-{k.value}".encode()).hexdigest(), k, taken_by="X")
            for k in sorted(r.photo_kinds)
        ),
    )
    return Change(ChangeOp.UPSERT, Entity.REPORT, r.id, snap.to_wire())


@dataclass
class Phone:
    device: Device
    session: Session
    server_url: str

    def store(self, *reports: Report, cursor: str = "f:1") -> None:
        at = now()
        local_db.apply_page(
            self.device.db, PullPage(tuple(upsert(r) for r in reports), cursor, False, at), at
        )

    def close(self) -> None:
        self.session.close()
        self.device.close()


def phone(tmp: Path, *reports: Report, signed_in: bool = True) -> Phone:
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    device = Device(Profile().with_server(url), tmp / "device", MemoryTokenStore())
    if signed_in:
        local_db.sign_in(device.db, OFFICER, url, now())
        local_db.start_pull(device.db)
    p = Phone(device, Session(device), url)
    if reports:
        p.store(*reports)
    if signed_in:
        p.session = Session(device)  # a session opened on a device with an account
    return p
