"""Waiting on a condition, never on the clock.

A test that sleeps a fixed time for something to happen is flaky on a loaded machine
(too short) and slow on an idle one (too long). These poll a condition until it holds or
a generous deadline passes, then fail saying what was awaited.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

DEADLINE_S = 30.0  # far above any healthy wait; only a real hang reaches it


def wait_until(
    check: Callable[[], bool], what: str, *, timeout_s: float = DEADLINE_S, every_s: float = 0.01
) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        time.sleep(every_s)


async def until(
    check: Callable[[], bool], what: str, *, timeout_s: float = DEADLINE_S, every_s: float = 0.01
) -> None:
    """`wait_until` inside an event loop: the loop keeps running the awaited tasks."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        await asyncio.sleep(every_s)
