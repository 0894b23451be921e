"""Fixtures of the intake tests: channel API keys on the running reference server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from server.apikeys import create_api_key, revoke_api_key
from server.db import write_tx
from tests.intake.kit import Intake
from tests.server.kit import RunningServer


@pytest.fixture
def intake(server: RunningServer) -> Iterator[Intake]:
    keys: dict[str, str] = {}
    now = server.clock()
    with write_tx(server.engine) as conn:
        for channel in ("jaki", "qlue", "twitter"):
            keys[channel] = create_api_key(conn, channel, now=now)[1]
        record, plain = create_api_key(conn, "jaki", now=now, label="old")
        revoke_api_key(conn, record.id, now=now)
        keys["revoked"] = plain
    with httpx.Client(base_url=server.base_url, timeout=30.0) as http:
        yield Intake(server, http, keys)
