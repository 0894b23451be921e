"""The published contract holds: Schemathesis (property-based, from PyPI) generates
requests from the live server's /openapi.json and runs its checks on every answer, on
SQLite and PostgreSQL. It must find no server error and no undocumented status (nor a
wrong content type, header or body shape).

Bounded for CI by the number of examples per operation and data mode (valid and
invalid data), with a fixed Hypothesis seed and no example database: the same requests
every run. Each operation is sent with a signed-in
supervisor's token; logout runs last, so it does not end the session under the others.

`positive_data_acceptance` is configured to count a documented refusal (400, 403,
404, 409, 413, 422, 429) of schema-valid data as accepted: the schema cannot say that a
point lies outside Jakarta, that a report is unknown or that a date range spans more
than 90 days, and the server answers those with a documented 4xx.
`negative_data_rejection` is off: the server ignores unknown query parameters and JSON
fields on purpose (a newer client may send more), and every case carries the token, so
"invalid" cases that only add a parameter or drop the Authorization header are
answered like valid ones. Every other check keeps its defaults; invalid data still runs
through them all (no server error, no undocumented status).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from tests.server.kit import SUPERVISOR_A, ApiClient, RunningServer, World

SEED = 20261126
EXAMPLES = 5  # per operation and data mode
CONFIG = """
[checks.negative_data_rejection]
enabled = false

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "409", "413", "422", "429"]
"""


def test_the_live_server_keeps_its_openapi_contract(
    server: RunningServer, world: World, api: Callable[..., ApiClient]
) -> None:
    token = api(SUPERVISOR_A).access
    config = SchemathesisConfig.from_str(CONFIG)
    schema = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json", config=config)
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: (op.path.endswith("/logout"), op.label),
    )
    assert len(operations) >= 14, [op.label for op in operations]
    failures: list[str] = []
    calls = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis.seed(SEED)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def exercise(case: schemathesis.Case) -> None:
                nonlocal calls
                calls += 1
                try:
                    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
                except BaseException as exc:  # a FailureGroup: record it, go on
                    failures.append(f"{case.operation.label}: {exc}"[:1500])

            try:
                exercise()
            except Unsatisfiable:  # no invalid data exists (an operation without inputs)
                assert mode is GenerationMode.NEGATIVE
    heads = sorted({f.split(":", 1)[0] + ": " + f.split("\n- ", 1)[-1][:60] for f in failures})
    assert not failures, "\n".join(heads) + "\n\n" + "\n\n".join(failures[:5])
    assert calls >= len(operations) * EXAMPLES


@pytest.mark.parametrize("path", ["/v1/auth/refresh", "/v1/sync/push", "/v1/auth/login"])
def test_invalid_json_is_documented_where_it_is_answered(server: RunningServer, path: str) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        spec = http.get("/openapi.json").json()
        answer = http.post(path, content=b"{", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_json"
    assert "400" in spec["paths"][path]["post"]["responses"]
