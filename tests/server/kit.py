"""Reusable pieces for tests that talk to the real reference server.

- `MovableClock`: the server's injected clock; tests move it to expire tokens or make
  reports overdue.
- `start_server(...)`: an `EmbeddedServer` on a fresh SQLite file or a PostgreSQL
  database, returned as a `RunningServer` (settings, clock, engine, base_url).
- `seed_world(...)`: a small Jakarta: two kelurahan (A hides its open queue from
  officers, B shows it), officers, supervisors, a validator, a coordinator, and
  reports - one private and one public, each with a reporter photo and a reporter
  whose identity must never reach a device (`REPORTER`).
- `ApiClient`: httpx over loopback with login, pull-all, push and photo upload helpers.
- `make_jpeg` / `make_png`: real images (random pixels: a unique sha256 each).

Fixtures exposing these live in `tests/conftest.py`.
"""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import threading
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import Engine, text

from domain.protocol import PHOTO_CHUNK
from server import schema
from server.admin import create_unit, create_user
from server.config import Settings
from server.db import write_tx
from server.embedded import EmbeddedServer
from server.legacy_migrations import MIGRATIONS
from server.photos import store_photo
from server.reports import create_report

PASSWORD = "rahasia-123"
T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta
REPORTER = ("Siti Pelapor Rahasia", "siti.rahasia@contoh.id", "+62 812-7777-0001")
PUBLIC_REPORTER = ("Joko Pelapor Publik", "joko.publik@contoh.id", "+62 813-7777-0002")


class MovableClock:
    """A thread-safe clock the server reads; starts at `start` and moves only on demand."""

    def __init__(self, start: datetime = T0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, value: datetime) -> None:
        with self._lock:
            self._now = value


def test_settings(db_url: str, photo_dir: Path, clock: MovableClock, **changes: Any) -> Settings:
    """Settings for tests: cheap argon2 (the hashing cost is not under test here)."""
    base = Settings(
        db_url=db_url,
        photo_dir=photo_dir,
        clock=clock,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    return base.with_changes(**changes) if changes else base


test_settings.__test__ = False  # type: ignore[attr-defined]


@dataclass
class RunningServer:
    backend: str  # "sqlite" | "postgresql"
    embedded: EmbeddedServer
    settings: Settings
    clock: MovableClock

    @property
    def base_url(self) -> str:
        return self.embedded.base_url

    @property
    def engine(self) -> Engine:
        assert self.embedded.engine is not None
        return self.embedded.engine

    def client(self, device_id: str | None = None) -> ApiClient:
        return ApiClient(self.base_url, device_id=device_id)

    @property
    def running(self) -> bool:
        return self.embedded.engine is not None

    def stop(self) -> None:
        self.embedded.stop()


def start_server(backend: str, db_url: str, photo_dir: Path, **changes: Any) -> RunningServer:
    clock = MovableClock()
    settings = test_settings(db_url, photo_dir, clock, **changes)
    embedded = EmbeddedServer(settings).start()
    return RunningServer(backend, embedded, settings, clock)


def empty_database(engine: Engine) -> None:
    """Delete every row but the migration record (children first; keeps the schema)."""
    tables = [t for t in schema.metadata.sorted_tables if t is not schema.schema_version]
    with write_tx(engine) as conn:
        for table in reversed(tables):
            conn.execute(table.delete())


def make_pre_alembic(engine: Engine, version: int) -> None:
    """Make a migrated database look like one a server before Alembic left at `version`
    of its home-grown migrations (the caller undoes the later versions' changes)."""
    with write_tx(engine) as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        schema.schema_version.create(conn, checkfirst=True)
        conn.execute(schema.schema_version.delete())
        for m in MIGRATIONS[:version]:
            conn.execute(
                schema.schema_version.insert().values(version=m.version, name=m.name, applied_at=T0)
            )


def reset(running: RunningServer) -> None:
    """Make a running server as good as new: empty database, clock at T0, no photos."""
    empty_database(running.engine)
    running.clock.set(T0)
    shutil.rmtree(running.settings.photo_dir, ignore_errors=True)


# --- images --------------------------------------------------------------------------


def make_jpeg(width: int = 64, height: int = 48, seed: int | None = None) -> bytes:
    rnd = random.Random(seed)
    image = Image.frombytes("RGB", (width, height), rnd.randbytes(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def make_png(width: int = 32, height: int = 32, seed: int | None = None) -> bytes:
    rnd = random.Random(seed)
    image = Image.frombytes("RGB", (width, height), rnd.randbytes(width * height * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the seeded world ----------------------------------------------------------------


@dataclass
class World:
    users: dict[str, str] = field(default_factory=dict)  # username -> id
    reports: dict[str, str] = field(default_factory=dict)  # label -> id
    reporter_photos: dict[str, str] = field(default_factory=dict)  # label -> sha256
    unit_a: str = "kel-3171060001"
    unit_b: str = "kel-3171060002"
    kecamatan: str = "kec-3171060"
    biro: str = "biro-pemerintahan"

    def uid(self, username: str) -> str:
        return self.users[username]

    def rid(self, label: str) -> str:
        return self.reports[label]


OFFICER_A1 = "petugas.a1"
OFFICER_A2 = "petugas.a2"
OFFICER_B1 = "petugas.b1"
SUPERVISOR_A = "kasi.a"
SUPERVISOR_B = "kasi.b"
VALIDATOR = "validator.biro"
COORDINATOR = "koordinator"


def seed_world(engine: Engine, settings: Settings, now: datetime = T0) -> World:
    w = World()
    with write_tx(engine) as conn:
        create_unit(conn, id="kota-jakpus", kind="kota", name="Jakarta Pusat", kota="Jakarta Pusat")
        create_unit(
            conn,
            id=w.kecamatan,
            kind="kecamatan",
            name="Menteng",
            parent_id="kota-jakpus",
            kota="Jakarta Pusat",
        )
        create_unit(
            conn,
            id=w.unit_a,
            kind="kelurahan",
            name="Kelurahan Menteng",
            parent_id=w.kecamatan,
            kota="Jakarta Pusat",
            kelurahan_code="31.71.06.1001",
        )
        create_unit(
            conn,
            id=w.unit_b,
            kind="kelurahan",
            name="Kelurahan Pegangsaan",
            parent_id=w.kecamatan,
            kota="Jakarta Pusat",
            kelurahan_code="31.71.06.1002",
            officers_see_open_queue=True,
        )
        create_unit(conn, id=w.biro, kind="biro", name="Biro Pemerintahan")
        people = [
            (OFFICER_A1, "Andi Petugas", "officer", w.unit_a),
            (OFFICER_A2, "Ayu Petugas", "officer", w.unit_a),
            (OFFICER_B1, "Bima Petugas", "officer", w.unit_b),
            (SUPERVISOR_A, "Kasi Menteng", "supervisor", w.unit_a),
            (SUPERVISOR_B, "Kasi Pegangsaan", "supervisor", w.unit_b),
            (VALIDATOR, "Vera Validator", "validator", w.biro),
            (COORDINATOR, "Koko Koordinator", "coordinator", w.biro),
        ]
        for username, name, role, unit in people:
            w.users[username] = create_user(
                conn, username, PASSWORD, name, role, unit, settings=settings, now=now
            )
        for label, public, reporter in (
            ("a_private", False, REPORTER),
            ("a_public", True, PUBLIC_REPORTER),
        ):
            photo = store_photo(
                conn,
                settings,
                make_jpeg(seed=zlib.crc32(label.encode())),
                uploaded_by=None,
                now=now,
            )
            w.reporter_photos[label] = photo
            w.reports[label] = _report(conn, w.unit_a, w, now, label, public, reporter, photo)
        for label, unit in (("a_new", w.unit_a), ("b_new", w.unit_b), ("b_new2", w.unit_b)):
            w.reports[label] = _report(conn, unit, w, now, label, False, REPORTER, None)
    return w


def _report(
    conn: Any,
    unit: str,
    w: World,
    now: datetime,
    label: str,
    public: bool,
    reporter: tuple[str, str, str],
    photo: str | None,
) -> str:
    code = "31.71.06.1001" if unit == w.unit_a else "31.71.06.1002"
    return create_report(
        conn,
        report_id=None,
        tracking_id=None,
        category="jalan",
        channel="jaki",
        unit_id=unit,
        received_at=now - timedelta(hours=2),
        title=f"Jalan berlubang ({label})",
        description="Lubang besar di depan sekolah, membahayakan pengendara motor.",
        address="Jl. Teuku Umar No. 10",
        latitude=-6.1962,
        longitude=106.8325,
        kelurahan_code=code,
        is_public=public,
        reporter=reporter,
        reporter_photo=photo,
        now=now,
    )


# --- the HTTP client -----------------------------------------------------------------


class ApiClient:
    """A device talking to the server over loopback (no sync engine: raw protocol)."""

    def __init__(self, base_url: str, device_id: str | None = None) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30.0)
        self.device_id = device_id or f"dev-{uuid.uuid4().hex[:8]}"
        self.access: str | None = None
        self.refresh_token: str | None = None
        self.user: dict[str, Any] = {}
        self.seq = 0
        self.bodies: list[bytes] = []  # every response body received (privacy scans)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"} if self.access else {}

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = self.http.request(method, url, headers=headers, **kwargs)
        self.bodies.append(response.content)
        return response

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        response = self.request(
            "POST",
            "/v1/auth/login",
            json={
                "username": username,
                "password": password,
                "device_id": self.device_id,
                "device_name": "Test phone",
            },
        )
        if response.status_code == 200:
            body = response.json()
            self.access, self.refresh_token = body["access_token"], body["refresh_token"]
            self.user = body["user"]
        return response

    def do_refresh(self) -> httpx.Response:
        response = self.request(
            "POST", "/v1/auth/refresh", json={"refresh_token": self.refresh_token}
        )
        if response.status_code == 200:
            body = response.json()
            self.access, self.refresh_token = body["access_token"], body["refresh_token"]
        return response

    def pull(self, cursor: str = "", limit: int = 200) -> dict[str, Any]:
        response = self.request("GET", "/v1/sync/pull", params={"cursor": cursor, "limit": limit})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def pull_all(self, cursor: str = "", limit: int = 200) -> tuple[list[dict[str, Any]], str]:
        changes: list[dict[str, Any]] = []
        while True:
            page = self.pull(cursor, limit)
            changes.extend(page["changes"])
            cursor = page["cursor"]
            if not page["has_more"]:
                return changes, cursor

    def mutation(self, action: str, report_id: str, **payload: Any) -> dict[str, Any]:
        self.seq += 1
        return {
            "id": str(uuid.uuid4()),
            "device_seq": self.seq,
            "action": action,
            "report_id": report_id,
            "payload": payload,
        }

    def push_raw(self, *mutations: dict[str, Any]) -> httpx.Response:
        return self.request("POST", "/v1/sync/push", json={"mutations": list(mutations)})

    def push(self, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.push_raw(*mutations)
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    def act(self, action: str, report_id: str, **payload: Any) -> dict[str, Any]:
        """Push one mutation and return its result."""
        return self.push(self.mutation(action, report_id, **payload))[0]

    def put_chunk(self, sha: str, offset: int, size: int, chunk: bytes) -> httpx.Response:
        """One chunk of a resumable photo upload, as the app sends it."""
        return self.request(
            "PUT",
            f"/v1/photos/{sha}",
            params={"offset": offset, "size": size},
            content=chunk,
            headers={"Content-Type": "application/octet-stream"},
        )

    def upload(self, data: bytes, chunk: int = PHOTO_CHUNK) -> dict[str, Any]:
        sha = sha256(data)
        offset = 0
        body: dict[str, Any] = {}
        while offset < len(data) or not body:
            part = data[offset : offset + chunk]
            response = self.request(
                "PUT",
                f"/v1/photos/{sha}",
                params={"offset": offset, "size": len(data)},
                content=part,
                headers={"Content-Type": "application/octet-stream"},
            )
            assert response.status_code == 200, response.text
            body = response.json()
            offset = body["received"]
            if body["complete"]:
                break
        return body


def current(changes: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any] | None]:
    """Fold pulled changes into the device's view: (entity, id) -> data (None: removed)."""
    view: dict[tuple[str, str], dict[str, Any] | None] = {}
    for change in changes:
        key = (change["entity"], change["id"])
        view[key] = change["data"] if change["op"] == "upsert" else None
    return view


def visible_reports(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {k[1]: v for k, v in current(changes).items() if k[0] == "report" and v is not None}
