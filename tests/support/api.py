"""The other side of the scenarios: another user's device talking to the real server.

`ApiClient` is a deliberately plain HTTP client (no sync engine): a supervisor who
dispatches or reassigns, a validator who sends work back, or an "observer" that pulls
the officer's whole scope from an empty cursor to learn what the server says is true.
It never touches the server's database and never goes through the fault proxy.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from domain import Action
from domain.protocol import ChangeOp, Entity, Mutation, MutationResult, PullPage, PushResponse

PASSWORD = "rahasia-uji-123"


class ApiError(RuntimeError):
    pass


class ApiClient:
    def __init__(self, base_url: str, username: str, password: str = PASSWORD) -> None:
        self.username = username
        self.device_id = f"api-{uuid.uuid4()}"
        self._seq = 0
        self._http = httpx.Client(base_url=base_url, timeout=30.0)
        r = self._http.post(
            "/v1/auth/login",
            json={
                "username": username,
                "password": password,
                "device_id": self.device_id,
                "device_name": "reliability",
            },
        )
        if r.status_code != 200:
            raise ApiError(f"login {username}: {r.status_code} {r.text}")
        body = r.json()
        self.user_id: str = body["user"]["id"]
        self._http.headers["Authorization"] = f"Bearer {body['access_token']}"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def act(
        self, action: Action, report_id: str, payload: Mapping[str, Any] | None = None
    ) -> MutationResult:
        self._seq += 1
        m = Mutation(str(uuid.uuid4()), self._seq, action, report_id, dict(payload or {}))
        r = self._http.post("/v1/sync/push", json={"mutations": [m.to_wire()]})
        if r.status_code != 200:
            raise ApiError(f"push {action}: {r.status_code} {r.text}")
        return PushResponse.from_wire(r.json()).results[0]

    def visible_reports(self) -> dict[str, dict[str, Any]]:
        """Every report in this user's scope now, as wire snapshots (a first sync)."""
        cursor = ""
        seen: dict[str, dict[str, Any]] = {}
        while True:
            r = self._http.get("/v1/sync/pull", params={"cursor": cursor, "limit": 500})
            if r.status_code != 200:
                raise ApiError(f"pull: {r.status_code} {r.text}")
            page = PullPage.from_wire(r.json())
            for c in page.changes:
                if c.entity is not Entity.REPORT:
                    continue
                if c.op is ChangeOp.UPSERT and c.data is not None:
                    seen[c.id] = dict(c.data)
                else:
                    seen.pop(c.id, None)
            cursor = page.cursor
            if not page.has_more:
                return seen
