"""domain/collector.py: the garbage collector's settings for a Tindak process."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain import collector
from officer_app.device import Device
from officer_app.profile import Profile
from sync import MemoryTokenStore
from tests.server.kit import start_server


@pytest.fixture
def default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, before[1], before[2])
    yield
    gc.set_threshold(*before)


def test_young_collections_happen_less_often(default_thresholds: None) -> None:
    middle, old = gc.get_threshold()[1:]
    collector.tune_collector()
    assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, middle, old)


def test_start_up_objects_are_frozen_once_per_process(default_thresholds: None) -> None:
    collector.tune_collector()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    later = [[i] for i in range(1000)]  # alive now, but created after start-up
    collector.tune_collector()
    assert gc.get_freeze_count() == frozen
    assert later


def test_a_server_process_applies_them_when_it_starts(
    default_thresholds: None, tmp_path: Path
) -> None:
    server = start_server("sqlite", f"sqlite:///{tmp_path}/server.sqlite", tmp_path / "photos")
    try:
        assert gc.get_threshold()[0] == collector.YOUNG_THRESHOLD
    finally:
        server.stop()


def test_the_app_applies_them_when_its_device_starts(
    default_thresholds: None, tmp_path: Path
) -> None:
    device = Device(Profile(server_url="http://127.0.0.1:9"), tmp_path, MemoryTokenStore())
    try:
        assert gc.get_threshold()[0] == 700
        device.start()
        assert gc.get_threshold()[0] == collector.YOUNG_THRESHOLD
    finally:
        device.close()
