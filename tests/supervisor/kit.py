"""Shared by the role tests: a real app `Device` whose sync engine points at a closed
port (every sync attempt would be offline; the device is never started, so none runs),
and the fixed server-corrected clock."""

from __future__ import annotations

from pathlib import Path

from officer_app.device import Device
from officer_app.profile import Profile
from sync import MemoryTokenStore

from .stories import utc

NOW = utc(2026, 11, 20, 3, 0)  # 10:00 WIB
CLOSED_PORT_URL = "http://127.0.0.1:9"  # nothing listens there


def make_device(folder: Path) -> Device:
    return Device(Profile(server_url=CLOSED_PORT_URL), folder, MemoryTokenStore())


def settle(device: Device) -> None:
    """Close the device (never started: no background sync runs behind the tests)."""
    device.close()
