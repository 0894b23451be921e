"""`tindak-server serve --workers 2`: two uvicorn processes on one address, for real.

The command runs as a subprocess on a temporary SQLite file and on PostgreSQL; the test
waits (on a condition, with a generous deadline) until it answers, then a supervisor
logs in, takes a whole initial sync, dispatches a report and sees the change in a later
pull (the requests land on whichever worker the kernel picks), and SIGTERM stops the
parent and both workers cleanly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from server.config import Settings
from server.db import make_engine
from server.migrations import migrate
from tests.server.kit import (
    OFFICER_A1,
    SUPERVISOR_A,
    ApiClient,
    current,
    seed_world,
)
from tests.support.serve import served

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        factory: Callable[[], str] = request.getfixturevalue("pg_database_factory")
        return factory()
    return f"sqlite:///{tmp_path / 'server.sqlite'}"


def test_two_workers_serve_one_address_and_stop_cleanly(db_url: str, tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    settings = Settings(db_url=db_url, photo_dir=photos)
    engine = make_engine(db_url)
    try:
        migrate(engine)
        world = seed_world(engine, settings)
    finally:
        engine.dispose()
    log = tmp_path / "serve.log"
    with served(db_url, photos, log, workers=2) as base:
        assert "2 proses" in log.read_text()
        with ApiClient(base) as sup:
            assert sup.login(SUPERVISOR_A).status_code == 200
            changes, cursor = sup.pull_all(limit=2)  # several pages, several requests
            seen = current(changes)
            unit_reports = [k for k, v in seen.items() if k[0] == "report" and v is not None]
            assert len(unit_reports) == 3  # seed_world's three reports of unit A
            rid = world.reports["a_new"]
            result = sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
            assert result["outcome"] == "applied", result
            later, _ = sup.pull_all(cursor)
            after = current(later)[("report", rid)]
            assert after is not None and after["assignee_id"] == world.uid(OFFICER_A1)
