"""Three users on one server, each with their own device, web app and browser context.

    trio = Trio.start(tmp_path)     # server (demo data) + supervisor, officer, validator
    sup = Ui(context.new_page(), trio.stack("supervisor"))

Everything is real and on loopback: the reference server (`EmbeddedServer`, demo data),
three `Device`s (each its own SQLite file and sync engine, signed in through the real
login), three web builds of the app, and Chromium through the browser harness of
tests/ui (`Ui`: semantics identifiers, aborted outside requests).

Each web app is the app itself (`officer_app.app.make_main`): its router gives each
signed-in role its own home (`officer_app.supervisor.routes.role_routes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from officer_app.app import make_main
from officer_app.device import Device
from officer_app.launch import WebApp
from officer_app.profile import Profile
from server.demo import seed_demo
from server.embedded import EmbeddedServer
from sync import MemoryTokenStore
from tests.server.kit import ApiClient
from tests.ui.harness import PASSWORD, server_settings

USERS = {"supervisor": "supervisor.demo", "officer": "petugas.demo", "validator": "validator.demo"}
DEMO_REPORTS = 200


@dataclass
class UserStack:
    """What `tests.ui.harness.Ui` needs of a stack: the web app and the blocked list."""

    device: Device
    web: WebApp
    blocked: list[str] = field(default_factory=list)


@dataclass
class Trio:
    tmp: Path
    server: EmbeddedServer | None
    settings: Any
    port: int
    users: dict[str, UserStack]

    @classmethod
    def start(cls, tmp: Path) -> Trio:
        settings = server_settings(tmp)
        server = EmbeddedServer(settings).start()
        assert server.engine is not None
        seed_demo(server.engine, reports=DEMO_REPORTS, settings=settings)
        users = {}
        for role, username in USERS.items():
            profile = Profile().with_server(server.base_url)
            device = Device(profile, tmp / role, MemoryTokenStore())
            device.login(username, PASSWORD)
            device.engine.sync_once()
            device.start()  # the background loop: actions and "Sinkronkan" sync through it
            users[role] = UserStack(device, WebApp(make_main(device)).start())
        return cls(tmp, server, settings, server.port, users)

    def stack(self, role: str) -> UserStack:
        return self.users[role]

    def device(self, role: str) -> Device:
        return self.users[role].device

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def start_server(self) -> None:
        if self.server is None:
            self.server = EmbeddedServer(self.settings, port=self.port).start()

    def api(self, role: str) -> ApiClient:
        client = ApiClient(self.base_url)
        response = client.login(USERS[role], PASSWORD)
        assert response.status_code == 200, response.text
        return client

    def server_report(self, tracking_id: str) -> dict[str, Any]:
        """The report as the server holds it, read through its API by the supervisor."""
        client = self.api("supervisor")
        try:
            changes, _ = client.pull_all()
        finally:
            client.close()
        return next(
            c["data"]
            for c in changes
            if c["entity"] == "report" and c["data"] and c["data"]["tracking_id"] == tracking_id
        )

    def close(self) -> None:
        for user in self.users.values():
            user.web.stop()
            user.device.close()
        self.stop_server()
