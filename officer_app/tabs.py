"""One device per browser tab for `tindak demo --web`: the demo's natural behaviour.

A phone is one device with one signed-in user. The web build serves every tab from one
process, and with one `Device` every tab would share one account: signing in as the
supervisor in a second tab left the first showing the officer's screens with dead
buttons. `TabDevices` gives each tab (each Flet page) its own device: the first tab
gets the demo device (already signed in as the demo officer); a further tab open at
the same time gets a fresh device under `<root>/tab-<n>` and starts at Masuk, so the
supervisor, validator and coordinator can each sign in beside the officer. A tab's
device is closed when its page goes; the demo device is kept for the next tab (a
reload of the first tab gets it back).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from .device import Device

log = logging.getLogger(__name__)

MakeDevice = Callable[[Path], Device]


class TabDevices:
    def __init__(self, first: Device, root: Path, make: MakeDevice) -> None:
        self._first = first
        self._first_taken = False
        self._root = root
        self._make = make
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._open: list[Device] = []

    def acquire(self) -> Device:
        """The device for a new tab."""
        with self._lock:
            if not self._first_taken:
                self._first_taken = True
                return self._first
            n = next(self._numbers)
        device = self._make(self._root / f"tab-{n}")
        device.start()
        with self._lock:
            self._open.append(device)
        return device

    def release(self, device: Device) -> None:
        """The tab closed: its own device closes, the demo device waits for a new tab."""
        with self._lock:
            if device is self._first:
                self._first_taken = False
                return
            if device not in self._open:
                return
            self._open.remove(device)
        device.close()

    def close(self) -> None:
        """Close every tab's own device (the demo device is its owner's to close)."""
        with self._lock:
            devices, self._open = self._open, []
        for device in devices:
            device.close()
