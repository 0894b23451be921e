"""An officer's device in the test process: a real SQLite file and the real engine.

`Device` opens `local_db` on its own file and drives a `SyncEngine` whose HTTP goes
through a `FaultyTransport` (HTTP-level faults) wrapped around the real httpx
transport, to `base_url` (usually the fault proxy in front of the real server). The
token store outlives `restart()`, as the OS keyring does when an app is killed and
started again. Every mutation the device ever queued is remembered in `created`, so
a scenario can ask the server about each one at the end.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

import local_db
from domain import Action
from local_db import LocalDb, OutboxEntry
from sync import Backoff, MemoryTokenStore, SyncEngine, SyncReport, SyncSettings, Transport

from .faulttransport import FaultyTransport
from .officer import random_action
from .servercheck import snapshot_key

# Short timeouts: a blackholed request must fail in about a second, not twenty.
TEST_TIMEOUT = httpx.Timeout(connect=2.0, read=1.5, write=2.0, pool=2.0)


class Device:
    def __init__(
        self,
        folder: Path,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: httpx.Timeout = TEST_TIMEOUT,
        inner: Callable[[], httpx.BaseTransport] = httpx.HTTPTransport,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.path = folder / "device.sqlite"
        self.photo_dir = folder / "photos"
        self.base_url = base_url
        self.username = username
        self.password = password
        self.timeout = timeout
        self._inner = inner  # makes the real transport under the fault layer, per open
        self.tokens = MemoryTokenStore()
        self.created: list[str] = []  # every mutation id this device queued
        self.restarts = 0
        self._open()

    def _open(self) -> None:
        self.db = LocalDb.open(self.path)
        self.http = FaultyTransport(self._inner())
        self.transport = Transport(self.base_url, transport=self.http, timeout=self.timeout)
        settings = SyncSettings(device_name="uji", photo_backoff=Backoff(base_s=0.0))
        self.engine = SyncEngine(self.db, self.transport, self.tokens, settings)

    def close(self) -> None:
        self.engine.stop()
        self.transport.close()
        self.db.close()

    def restart(self) -> None:
        """Close everything and open again (the app was closed or killed and restarted)."""
        self.close()
        self.restarts += 1
        self._open()

    def login(self) -> None:
        self.engine.login(self.username, self.password)

    def act(
        self,
        rnd: random.Random,
        only: Action | None = None,
        photo_size: tuple[int, int] | None = None,
    ) -> OutboxEntry | None:
        entry = random_action(
            self.db, self.engine.now_server(), rnd, self.photo_dir, only, photo_size=photo_size
        )
        if entry is not None:
            self.created.append(entry.id)
        return entry

    def sync(self) -> SyncReport:
        return self.engine.sync_once()

    def sync_clean(self, max_passes: int = 6) -> SyncReport:
        """Sync with no faults until a pass succeeds and nothing sendable is left."""
        report = self.sync()
        for _ in range(max_passes):
            if report.ok and not self.sendable():
                return report
            report = self.sync()
        raise AssertionError(
            f"no clean sync after {max_passes + 1} passes: error={report.error!r}, "
            f"sendable={self.sendable()}"
        )

    def _query(self, sql: str, *args: object) -> list[sqlite3.Row]:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def sendable(self) -> list[str]:
        """Unsent entries not held behind a refused one (those wait for the officer)."""
        return [
            r["id"]
            for r in self._query(
                "SELECT id FROM outbox WHERE state IN ('pending', 'sent', 'held') "
                "AND (hold_reason IS NULL OR hold_reason != 'depends_on_rejected')"
            )
        ]

    def attention(self) -> dict[str, str]:
        """Needs-attention items that hold an action: mutation id -> code."""
        return {
            r["mutation_id"]: r["code"]
            for r in self._query(
                "SELECT mutation_id, code FROM attention WHERE mutation_id IS NOT NULL"
            )
        }

    def view(self) -> dict[str, dict[str, Any]]:
        """What the device shows for each in-scope report, in `snapshot_key` form.

        The timeline counts the server's entries only: a local entry of an action held
        behind a refused one stays on the device (marked not sent) by design.
        """
        out: dict[str, dict[str, Any]] = {}
        photos: dict[str, list[tuple[str, str]]] = {}
        # Photos the report holds on the server (a device photo whose action was refused
        # stays on the device, kept for the officer, but is not the report's).
        for r in self._query(
            "SELECT report_id, sha256, kind FROM photos "
            "WHERE origin = 'server' OR on_server = 1 ORDER BY sha256"
        ):
            photos.setdefault(r["report_id"], []).append((r["sha256"], r["kind"]))
        timeline = {
            r["report_id"]: r["n"]
            for r in self._query(
                "SELECT report_id, COUNT(*) AS n FROM timeline WHERE mutation_id IS NULL "
                "GROUP BY report_id"
            )
        }
        for r in self._query("SELECT * FROM reports WHERE in_scope = 1"):
            wire = json.loads(r["server_data"])
            # The displayed columns, not the stored snapshot: what the officer sees.
            for col in ("status", "assignee_id", "unit_id", "progress_pct", "rework_count"):
                wire[col] = r[col]
            wire["version"] = r["version"]
            wire["deadline"] = r["deadline"]
            wire["extended_deadline"] = r["extended_deadline"]
            key = snapshot_key(wire)
            key["extension_state"] = r["extension_state"]
            key["photos"] = sorted(photos.get(r["id"], []))
            key["timeline"] = timeline.get(r["id"], 0)
            out[r["id"]] = key
        return out

    def attention_without_reason(self) -> list[int]:
        """Needs-attention items missing their code or either message (id, en)."""
        return [
            r["id"]
            for r in self._query(
                "SELECT id FROM attention WHERE code = '' OR message_id = '' OR message_en = ''"
            )
        ]

    def photos_kept_off_server(self) -> dict[str, str]:
        """Device photos not on their report on the server: sha256 -> report id."""
        return {
            r["sha256"]: r["report_id"]
            for r in self._query(
                "SELECT sha256, report_id FROM photos WHERE origin = 'device' AND on_server = 0"
            )
        }

    def photos_in_attention(self) -> set[str]:
        """Photos that needs-attention items keep for the officer."""
        kept: set[str] = set()
        for r in self._query("SELECT photos FROM attention"):
            kept.update(p["sha256"] for p in json.loads(r["photos"]))
        return kept

    def pending_total(self) -> int:
        return local_db.pending_counts(self.db).mutations
