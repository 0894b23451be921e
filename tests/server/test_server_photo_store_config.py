"""Choosing the photo store from the environment, and the refusals when it cannot be used:
one clear message (Indonesian, then English), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.config import PhotoStoreSettings

REPO = Path(__file__).resolve().parents[2]
# `serve` with boto3 made unimportable, as on a server installed without the `s3` extra.
WITHOUT_BOTO3 = (
    "import sys; sys.modules['boto3'] = None; from server.cli import main; sys.exit(main())"
)


def serve(tmp_path: Path, env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, "serve", "--port", "0",
         "--db", f"sqlite:///{tmp_path / 'server.sqlite'}", "--photos", str(tmp_path / "photos")],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip


def test_the_local_store_is_the_default() -> None:
    assert PhotoStoreSettings.from_env({}) == PhotoStoreSettings()
    assert PhotoStoreSettings().kind == "local"


def test_the_s3_settings_come_from_the_environment() -> None:
    store = PhotoStoreSettings.from_env(
        {
            "TINDAK_PHOTO_STORE": "s3",
            "TINDAK_S3_BUCKET": "crm-foto",
            "TINDAK_S3_PREFIX": "tindak/",
            "TINDAK_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "TINDAK_S3_REGION": "ap-southeast-3",
        }
    )
    assert store == PhotoStoreSettings(
        "s3", "crm-foto", "tindak/", "http://127.0.0.1:9000", "ap-southeast-3"
    )


def test_s3_without_boto3_says_what_to_install(tmp_path: Path) -> None:
    env = {"TINDAK_PHOTO_STORE": "s3", "TINDAK_S3_BUCKET": "crm-foto"}
    done = serve(tmp_path, env, WITHOUT_BOTO3)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Galat: ")
    assert "pip install 'tindak[s3]'" in done.stderr


@pytest.mark.parametrize(
    "env",
    [{"TINDAK_PHOTO_STORE": "s3"}, {"TINDAK_PHOTO_STORE": "ftp", "TINDAK_S3_BUCKET": "b"}],
    ids=["no-bucket", "unknown-store"],
)
def test_a_bad_photo_store_setting_is_refused_in_one_message(
    tmp_path: Path, env: dict[str, str]
) -> None:
    done = serve(tmp_path, env, "import sys; from server.cli import main; sys.exit(main())")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "TINDAK_PHOTO_STORE" in done.stderr
