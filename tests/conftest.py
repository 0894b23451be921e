"""Root fixtures: the real reference server on SQLite and on PostgreSQL.

- `server` (parametrized "sqlite" / "postgresql"): a running `EmbeddedServer` with a
  `MovableClock`, on an empty database, the clock at `kit.T0` and no photos. One server
  per backend serves the whole session and is reset before each test. The PostgreSQL
  variant runs only when `TINDAK_TEST_PG_URL` is set (e.g.
  postgresql+psycopg://postgres@127.0.0.1:5432/postgres): one uniquely named database is
  created for the session and dropped at its end. A test that needs its own settings
  (other limits, a server it can stop) calls `kit.start_server` itself.
- `sqlite_server`: the same, SQLite only (for rooms that need one real server quickly).
- `world`: the seeded small world of `tests/server/kit.py` inside `server`.
- `api`: a factory of `ApiClient`s (closed after the test).
- `pg_database_factory`: creates more fresh PostgreSQL databases (dropped at the end).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.server.kit import (
    ApiClient,
    RunningServer,
    World,
    reset,
    seed_world,
    start_server,
)

PG_ENV = "TINDAK_TEST_PG_URL"


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV, "").strip()
    return url or None


class PgDatabases:
    """Creates uniquely named databases on the test PostgreSQL and drops them all."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        if self.admin_url.drivername in ("postgresql", "postgres"):
            self.admin_url = self.admin_url.set(drivername="postgresql+psycopg")
        self.engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self) -> str:
        name = f"tindak_test_{uuid.uuid4().hex[:12]}"
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.engine.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.engine.dispose()


@pytest.fixture(scope="session")
def pg_database_factory() -> Iterator[Callable[[], str]]:
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(f"{PG_ENV} is not set")
    databases = PgDatabases(admin)
    try:
        yield databases.create
    finally:
        databases.drop_all()


@pytest.fixture(scope="session")
def pg_url(pg_database_factory: Callable[[], str]) -> str:
    """One fresh PostgreSQL database for the whole session."""
    return pg_database_factory()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


class ServerPool:
    """One running server per backend for the session, reset before each test (starting
    uvicorn and creating a schema per test would dominate the suite's time)."""

    def __init__(self, request: pytest.FixtureRequest, root: Path) -> None:
        self.request = request
        self.root = root
        self.running: dict[str, RunningServer] = {}

    def get(self, backend: str) -> RunningServer:
        current = self.running.get(backend)
        if current is None or not current.running:
            folder = self.root / backend
            if backend == "postgresql":
                url = self.request.getfixturevalue("pg_url")
            else:
                url = f"sqlite:///{folder / 'server.sqlite'}"
            current = start_server(backend, url, folder / "photos")
            self.running[backend] = current
        reset(current)
        return current

    def stop_all(self) -> None:
        for running in self.running.values():
            running.stop()


@pytest.fixture(scope="session")
def server_pool(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerPool]:
    pool = ServerPool(request, tmp_path_factory.mktemp("servers"))
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, server_pool: ServerPool) -> RunningServer:
    """A running server on an empty database with the clock at `kit.T0`."""
    return server_pool.get(request.param)


@pytest.fixture
def sqlite_server(server_pool: ServerPool) -> RunningServer:
    return server_pool.get("sqlite")


@pytest.fixture
def world(server: RunningServer) -> World:
    return seed_world(server.engine, server.settings, server.clock())


@pytest.fixture
def api(server: RunningServer) -> Iterator[Callable[..., ApiClient]]:
    clients: list[ApiClient] = []

    def make(username: str | None = None, device_id: str | None = None) -> ApiClient:
        client = server.client(device_id)
        clients.append(client)
        if username is not None:
            response = client.login(username)
            assert response.status_code == 200, response.text
        return client

    yield make
    for client in clients:
        client.close()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With `-n N --dist loadgroup` (scripts/test), each test module runs whole on one
    worker, as with `--dist loadfile`: a module's expensive fixtures (a seeded server, a
    browser session) are set up once, not once per worker. A module that shares a
    session fixture with others names one group for all of them (the city modules share
    one seeded year). Runs before pytest-xdist reads the groups."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
