"""domain/runtime.py: the interpreter's settings for a Tindak process."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain import runtime
from officer_app.device import Device
from officer_app.profile import Profile
from sync import MemoryTokenStore
from tests.server.kit import start_server


@pytest.fixture
def defaults() -> Iterator[None]:
    """Python's defaults for the duration of a test (the settings are process-wide)."""
    threshold, interval = gc.get_threshold(), sys.getswitchinterval()
    gc.set_threshold(700, threshold[1], threshold[2])
    sys.setswitchinterval(0.005)
    yield
    gc.set_threshold(*threshold)
    sys.setswitchinterval(interval)


def tuned() -> bool:
    return gc.get_threshold()[
        0
    ] == runtime.YOUNG_THRESHOLD and sys.getswitchinterval() == pytest.approx(
        runtime.SWITCH_INTERVAL_S
    )


def test_young_collections_are_rarer_and_turns_shorter(defaults: None) -> None:
    middle, old = gc.get_threshold()[1:]
    runtime.tune_runtime()
    assert gc.get_threshold() == (runtime.YOUNG_THRESHOLD, middle, old)
    assert tuned()


def test_start_up_objects_are_frozen_once_per_process(defaults: None) -> None:
    runtime.tune_runtime()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    later = [[i] for i in range(1000)]  # alive now, but created after start-up
    runtime.tune_runtime()
    assert gc.get_freeze_count() == frozen
    assert later


def test_a_server_process_applies_them_when_it_starts(defaults: None, tmp_path: Path) -> None:
    server = start_server("sqlite", f"sqlite:///{tmp_path}/server.sqlite", tmp_path / "photos")
    try:
        assert tuned()
    finally:
        server.stop()


def test_the_app_applies_them_when_its_device_starts(defaults: None, tmp_path: Path) -> None:
    device = Device(Profile(server_url="http://127.0.0.1:9"), tmp_path, MemoryTokenStore())
    try:
        assert not tuned()
        device.start()
        assert tuned()
    finally:
        device.close()
