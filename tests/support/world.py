"""A small seeded world on the real server, for the reliability scenarios.

One kelurahan unit with two officers, a supervisor and a validator; `n` citizen
reports routed to it and dispatched to the first officer by the supervisor through the
real API. The server runs on loopback (`EmbeddedServer`) with its SQLite file and photo
folder under the test's tmp dir; argon2 runs at a low cost so logins are quick.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain import Action, Role, UnitKind
from server.admin import create_unit, create_user
from server.config import Settings
from server.db import write_tx
from server.embedded import EmbeddedServer
from server.reports import create_report

from .api import PASSWORD, ApiClient

UNIT = "kel-3171061002"
CATEGORIES = ("jalan", "pohon", "sampah", "parkir_liar", "jaringan_listrik")
REPORTER = ("Siti Pelapor", "siti.pelapor@example.com", "081234567890")


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    username: str
    name: str
    role: Role
    password: str = PASSWORD


@dataclass(frozen=True, slots=True)
class World:
    server: EmbeddedServer
    officer: Person
    officer2: Person
    supervisor: Person
    validator: Person
    report_ids: tuple[str, ...]

    @property
    def settings(self) -> Settings:
        return self.server.settings

    @property
    def clock(self) -> MovableClock:
        clock = self.server.settings.clock
        assert isinstance(clock, MovableClock)
        return clock

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def client(self, who: Person) -> ApiClient:
        return ApiClient(self.base_url, who.username, who.password)


class MovableClock:
    """The server's clock, which a test may move forward (tokens expire, SLAs run)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def server_settings(
    folder: Path, clock: MovableClock | None = None, db_url: str | None = None
) -> Settings:
    """The world's server settings; `db_url` defaults to a SQLite file in `folder`."""
    return Settings(
        db_url=db_url or f"sqlite:///{folder / 'server.sqlite'}",
        photo_dir=folder / "photos",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        clock=clock or MovableClock(),
    )


def seed_reports(world: World, n: int, rnd: random.Random, *, dispatch: bool = True) -> list[str]:
    """`n` new reports at the unit, dispatched to the first officer by the supervisor."""
    assert world.server.engine is not None
    now = datetime.now(UTC)
    ids: list[str] = []
    with write_tx(world.server.engine) as conn:
        for i in range(n):
            ids.append(
                create_report(
                    conn,
                    report_id=None,
                    tracking_id=None,
                    category=rnd.choice(CATEGORIES),
                    channel="jaki",
                    unit_id=UNIT,
                    received_at=now - timedelta(hours=rnd.randint(1, 150)),
                    title=f"Laporan uji {i}",
                    description="Jalan berlubang di depan sekolah, membahayakan pengendara.",
                    address=f"Jl. Menteng Raya No. {i + 1}",
                    latitude=-6.19 + rnd.uniform(-0.01, 0.01),
                    longitude=106.83 + rnd.uniform(-0.01, 0.01),
                    kelurahan_code=None,
                    is_public=bool(i % 2),
                    reporter=REPORTER,
                    reporter_photo=None,
                    now=now,
                )
            )
    if dispatch:
        with world.client(world.supervisor) as sup:
            for rid in ids:
                result = sup.act(Action.DISPATCH, rid, {"assignee_id": world.officer.id})
                assert result.outcome == "applied", result
    return ids


@contextmanager
def small_world(
    folder: Path,
    n_reports: int,
    seed: int = 0,
    clock: MovableClock | None = None,
    db_url: str | None = None,
) -> Iterator[World]:
    folder.mkdir(parents=True, exist_ok=True)
    settings = server_settings(folder, clock, db_url)
    with EmbeddedServer(settings) as server:
        assert server.engine is not None
        with write_tx(server.engine) as conn:
            create_unit(
                conn,
                id=UNIT,
                kind=UnitKind.KELURAHAN,
                name="Kelurahan Menteng",
                kota="Jakarta Pusat",
            )
            people = {}
            for username, name, role, unit in (
                ("petugas.andi", "Andi Petugas", Role.OFFICER, UNIT),
                ("petugas.budi", "Budi Petugas", Role.OFFICER, UNIT),
                ("supervisor.sari", "Sari Supervisor", Role.SUPERVISOR, UNIT),
                ("validator.dewi", "Dewi Validator", Role.VALIDATOR, None),
            ):
                uid = create_user(conn, username, PASSWORD, name, role, unit, settings=settings)
                people[username] = Person(uid, username, name, role)
        world = World(
            server,
            people["petugas.andi"],
            people["petugas.budi"],
            people["supervisor.sari"],
            people["validator.dewi"],
            (),
        )
        ids = seed_reports(world, n_reports, random.Random(seed))
        yield World(
            server, world.officer, world.officer2, world.supervisor, world.validator, tuple(ids)
        )


def server_side_change(world: World, rnd: random.Random) -> str | None:
    """What the office does meanwhile, through the real API: the supervisor reassigns a
    report to the other officer or back, approves an extension; the validator sends
    completed work back. Returns what happened (None if nothing applied)."""
    with world.client(world.supervisor) as sup:
        reports = list(sup.visible_reports().values())
        rnd.shuffle(reports)
        for r in reports:
            status, assignee = r["status"], r["assignee_id"]
            ext = (r.get("extension") or {}).get("state")
            options: list[tuple[Person, Action, dict[str, object]]] = []
            if status in ("didisposisikan", "diterima", "dalam_proses"):
                other = world.officer2 if assignee == world.officer.id else world.officer
                options.append((world.supervisor, Action.REASSIGN, {"assignee_id": other.id}))
                if ext == "requested":
                    options.append((world.supervisor, Action.APPROVE_EXTENSION, {"note": "ok"}))
            if status == "menunggu_validasi":
                note: dict[str, object] = {"note": "Foto sesudah kurang jelas, mohon diulang"}
                options.append((world.validator, Action.SEND_BACK, note))
            if not options:
                continue
            who, action, payload = rnd.choice(options)
            if who is world.supervisor:
                result = sup.act(action, r["id"], payload)
            else:
                with world.client(who) as val:
                    result = val.act(action, r["id"], payload)
            if result.outcome == "applied":
                return action.value
    return None
