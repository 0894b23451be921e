"""Sign-in throttling over real HTTP, on SQLite and PostgreSQL: each attempt is counted
before its password is checked (concurrent guesses cannot outrun the count), failures
are counted per (username, client address) with back-off and per address, and a
successful login rehashes a password stored with older argon2 parameters.

Distinct client addresses are real: the test clients bind to 127.0.0.2, 127.0.0.3...
(the whole 127/8 is loopback), so the server sees them as the socket peer."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import delete, inspect, select, text, update

from server.auth import hasher
from server.db import make_engine, write_tx
from server.legacy_migrations import migrate_legacy
from server.migrations import head, migrate
from server.schema import schema_version, users
from tests.server.kit import (
    OFFICER_A1,
    PASSWORD,
    SUPERVISOR_A,
    VALIDATOR,
    RunningServer,
    World,
    reset,
    seed_world,
    start_server,
)

GUESSES = 20


def client_at(server: RunningServer, address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.base_url, transport=transport, timeout=60.0)


def login(http: httpx.Client, username: str, password: str, device: str = "d1") -> httpx.Response:
    return http.post(
        "/v1/auth/login",
        json={"username": username, "password": password, "device_id": device},
    )


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], scope="module"
)
def costly(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A server whose password check costs what a real one does (argon2 with 16 MiB):
    the slow check is the window concurrent guesses used to slip through."""
    root = tmp_path_factory.mktemp(f"throttle-{request.param}")
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_database_factory")()
    else:
        url = f"sqlite:///{root / 'server.sqlite'}"
    running = start_server(
        request.param, url, root / "photos", argon2_time_cost=2, argon2_memory_kib=16 * 1024
    )
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def costly_world(costly: RunningServer) -> World:
    reset(costly)
    return seed_world(costly.engine, costly.settings, costly.clock())


def _at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    gate = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        gate.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_concurrent_wrong_guesses_are_all_counted(
    costly: RunningServer, costly_world: World
) -> None:
    limit = costly.settings.throttle.max_failures
    with client_at(costly, "127.0.0.2") as http:
        answers = _at_once([lambda: login(http, SUPERVISOR_A, "salah")] * GUESSES)
    codes = sorted(r.status_code for r in answers)
    assert codes == [401] * limit + [429] * (GUESSES - limit), codes
    for response in answers:
        if response.status_code == 429:
            assert response.json()["error"]["code"] == "too_many_attempts"
            assert int(response.headers["Retry-After"]) >= 1


def test_the_right_password_after_concurrent_guesses_is_refused(
    costly: RunningServer, costly_world: World
) -> None:
    with client_at(costly, "127.0.0.2") as http:
        wrong = [lambda: login(http, SUPERVISOR_A, "salah")] * (GUESSES - 1)
        with ThreadPoolExecutor(1) as last:
            answers = _at_once(wrong)
            right = last.submit(login, http, SUPERVISOR_A, PASSWORD).result()
    assert sum(r.status_code == 401 for r in answers) == costly.settings.throttle.max_failures
    assert right.status_code == 429, right.text


def test_guesses_from_one_address_do_not_lock_the_officer_out_elsewhere(
    server: RunningServer, world: World
) -> None:
    with client_at(server, "127.0.0.2") as stranger, client_at(server, "127.0.0.3") as phone:
        for _ in range(8):
            login(stranger, OFFICER_A1, "salah")
        assert login(stranger, OFFICER_A1, PASSWORD).status_code == 429
        assert login(phone, OFFICER_A1, PASSWORD).status_code == 200


def test_back_off_doubles_then_a_success_forgives(server: RunningServer, world: World) -> None:
    throttle = server.settings.throttle
    with client_at(server, "127.0.0.2") as http:
        for _ in range(throttle.max_failures):
            assert login(http, VALIDATOR, "salah").status_code == 401
        waits = []
        for _ in range(3):
            blocked = login(http, VALIDATOR, PASSWORD)
            assert blocked.status_code == 429
            waits.append(int(blocked.headers["Retry-After"]))
            server.clock.advance(timedelta(seconds=waits[-1]))
            assert login(http, VALIDATOR, "salah").status_code == 401
        assert waits == [30, 60, 120]
        blocked = login(http, VALIDATOR, PASSWORD)
        assert int(blocked.headers["Retry-After"]) == 240
        server.clock.advance(timedelta(seconds=240))
        assert login(http, VALIDATOR, PASSWORD).status_code == 200
        assert login(http, VALIDATOR, "salah").status_code == 401  # counting starts again


def test_one_address_trying_many_usernames_is_throttled(
    server: RunningServer, world: World
) -> None:
    limit = server.settings.throttle.address_max_failures
    with client_at(server, "127.0.0.4") as sprayer, client_at(server, "127.0.0.5") as other:
        for i in range(limit):
            assert login(sprayer, f"tebakan.{i}", "salah").status_code == 401
        blocked = login(sprayer, OFFICER_A1, PASSWORD)
        assert blocked.status_code == 429
        assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
        assert login(other, OFFICER_A1, PASSWORD).status_code == 200
        server.clock.advance(timedelta(minutes=15, seconds=1))
        assert login(sprayer, OFFICER_A1, PASSWORD).status_code == 200


def test_a_successful_login_rehashes_an_outdated_password_hash(
    server: RunningServer, world: World, tmp_path: Path
) -> None:
    old = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(PASSWORD)
    with write_tx(server.engine) as conn:
        conn.execute(update(users).where(users.c.username == OFFICER_A1).values(password_hash=old))
    with client_at(server, "127.0.0.6") as http:
        assert login(http, OFFICER_A1, PASSWORD).status_code == 200
    with server.engine.connect() as conn:
        stored = conn.execute(
            select(users.c.password_hash).where(users.c.username == OFFICER_A1)
        ).scalar_one()
    current = hasher(server.settings)
    assert stored != old and not current.check_needs_rehash(stored)
    with client_at(server, "127.0.0.6") as http:
        assert login(http, OFFICER_A1, PASSWORD, device="d2").status_code == 200


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_an_older_database_moves_to_counting_attempts(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if backend == "postgresql":
        url = request.getfixturevalue("pg_database_factory")()
    else:
        url = f"sqlite:///{tmp_path / 'v1.sqlite'}"
    engine = make_engine(url)
    try:
        migrate_legacy(engine)  # a database of a server before Alembic...
        with write_tx(engine) as conn:  # ...back to before version 3: the per-username table
            conn.execute(text("DROP TABLE login_attempts"))
            conn.execute(text("CREATE TABLE login_failures (id INTEGER PRIMARY KEY)"))
            conn.execute(delete(schema_version).where(schema_version.c.version >= 3))
        assert migrate(engine) == head()
        tables = set(inspect(engine).get_table_names())
        assert "login_attempts" in tables and "login_failures" not in tables
    finally:
        engine.dispose()
