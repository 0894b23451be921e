"""Helpers of the intake tests: an Open311 client over loopback with channel keys."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tests.server.kit import RunningServer


@dataclass
class Intake:
    server: RunningServer
    http: httpx.Client
    keys: dict[str, str]  # channel -> plain key; "revoked" -> a revoked jaki key

    def post(self, channel: str = "jaki", **fields: str) -> httpx.Response:
        data = {"api_key": self.keys[channel], **fields}
        return self.http.post("/open311/v2/requests.json", data=data)

    def get(self, path: str, **params: str) -> httpx.Response:
        return self.http.get(f"/open311/v2/{path}", params=params)
