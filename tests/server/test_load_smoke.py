"""The Locust load scenario (`bench/load_locust.py`) for 30 seconds with a few devices on
SQLite: every login, pull, push and photo chunk answered without an error.

Speed is the benchmark's business; this only keeps the scenario and the server honest
under concurrent devices. It runs the script in its own process: Locust patches the
standard library with gevent when imported, which must not happen inside pytest.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_thirty_seconds_of_devices_without_an_error(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load_locust.py"),
            *("--db", "sqlite", "--users", "4", "--duration", "30", "--wait", "0.2", "0.8"),
            *("--reports-per-user", "3", "--units", "2", "--json", str(out)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text())
    warm = figures["warm_up"]
    assert figures["failures"] == warm["failures"] == 0
    assert figures["errors"] == warm["errors"] == []
    assert warm["devices_started"] == 4
    done_kinds = {
        name
        for part in (warm, figures)
        for name, kind in part["kinds"].items()
        if kind["requests"] > 0
    }
    assert {"login", "pull first", "push first", "pull", "push"} <= done_kinds, done_kinds
