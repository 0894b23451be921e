"""Fixtures: a real app `Device` with a supervisor signed in, and the supervisor's
state on a view-model `Session` (no browser), with the clock fixed at `kit.NOW`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from officer_app.device import Device
from officer_app.state.session import Session
from officer_app.supervisor.data import RoleData
from officer_app.supervisor.state import SupervisorState

from .kit import NOW, make_device, settle
from .stories import SUPERVISOR_INFO, sign_in


@pytest.fixture
def device(tmp_path: Path) -> Iterator[Device]:
    d = make_device(tmp_path / "device")
    sign_in(d.db, SUPERVISOR_INFO, NOW)
    try:
        yield d
    finally:
        settle(d)


@pytest.fixture
def state(device: Device) -> SupervisorState:
    session = Session(device)
    return SupervisorState(session, RoleData(device, clock=lambda: NOW))
