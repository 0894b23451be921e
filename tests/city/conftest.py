"""One seeded 2024 per backend for the city-figure tests (seeding takes seconds, so it
is done once per session), served by its own running reference server, with a user of
every role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain import Role
from server.admin import create_user
from server.db import write_tx
from server.demo.year import seed_year
from tests.server.kit import PASSWORD, ApiClient, RunningServer, start_server

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
KEL = "kel-31.71.06.1001"  # Menteng: a supervisor of a unit with reports in the year
USERS = {
    "analis": (Role.ANALYST, None),
    "validator": (Role.VALIDATOR, None),
    "koordinator": (Role.COORDINATOR, None),
    "supervisor": (Role.SUPERVISOR, KEL),
    "petugas": (Role.OFFICER, KEL),
}


@dataclass
class YearServer:
    running: RunningServer

    def client(self, username: str) -> ApiClient:
        """A client signed in as one of `USERS` (close it, or use it in a `with`)."""
        client = self.running.client(device_id=f"dev-{username}")
        resp = client.login(username, PASSWORD)
        assert resp.status_code == 200, resp.text
        return client


def _start(backend: str, url: str, folder: Path) -> RunningServer:
    running = start_server(backend, url, folder / "photos")
    with write_tx(running.engine) as conn:
        seed_year(conn, 2024, running.clock())
        for username, (role, unit) in USERS.items():
            create_user(
                conn, username, PASSWORD, username.title(), role, unit, settings=running.settings
            )
    return running


@pytest.fixture(scope="session")
def _year_servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, RunningServer]]:
    started: dict[str, RunningServer] = {}
    yield started
    for running in started.values():
        running.stop()


@pytest.fixture(params=BACKENDS)
def year(
    request: pytest.FixtureRequest,
    _year_servers: dict[str, RunningServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> YearServer:
    return _year(request, request.param, _year_servers, tmp_path_factory)


@pytest.fixture
def sqlite_year(
    request: pytest.FixtureRequest,
    _year_servers: dict[str, RunningServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> YearServer:
    """The seeded year on SQLite only (for the app's side, the same on both)."""
    return _year(request, "sqlite", _year_servers, tmp_path_factory)


def _year(
    request: pytest.FixtureRequest,
    backend: str,
    started: dict[str, RunningServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> YearServer:
    if backend not in started:
        folder = tmp_path_factory.mktemp(f"year-{backend}")
        if backend == "postgresql":
            factory: Callable[[], str] = request.getfixturevalue("pg_database_factory")
            url = factory()
        else:
            url = f"sqlite:///{folder / 'server.sqlite'}"
        started[backend] = _start(backend, url, folder)
    return YearServer(started[backend])
