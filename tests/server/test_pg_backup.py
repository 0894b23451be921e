"""The backup drill of docs/deploy.md: pg_dump, pg_restore, and a whole copy.

Runs `scripts/pg_backup_check.py` as an operator would, against the test PostgreSQL
(skipped without one): it seeds a small demo, dumps, restores into a second database,
compares every table's rows and the reports byte for byte, and migrates the copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("TINDAK_TEST_PG_URL", "").strip()

pytestmark = pytest.mark.skipif(
    not PG_URL or shutil.which("pg_dump") is None, reason="needs PostgreSQL and pg_dump"
)


def test_a_dump_restores_into_a_whole_working_copy(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "pg_backup_check.py"),
            "--pg",
            PG_URL,
            "--reports",
            "300",
            "--keep",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "whole: " in done.stdout and "reports md5" in done.stdout, done.stdout
    (dump,) = tmp_path.glob("tindak_backup_*.dump")
    assert dump.stat().st_size > 10_000  # a real dump, kept where asked
