"""Bringing news from worker threads (the sync engine's listener) onto the UI loop.

Flet re-renders a component when an observable it watches changes, and that must happen
on the session's event loop with the session's page in context. `LoopPost` captures
both where the session starts and replays callbacks there; `ImmediatePost` runs them at
once (view-model tests, which have no page).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Protocol


class Post(Protocol):
    def __call__(self, fn: Callable[[], None]) -> None: ...


class LoopPost:
    """Runs callbacks on the loop (and in the context) it was created in."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._context = contextvars.copy_context()
        self.closed = False

    def __call__(self, fn: Callable[[], None]) -> None:
        if self.closed or self._loop.is_closed():
            return
        try:
            self._loop.call_soon_threadsafe(self._run, fn, context=self._context.copy())
        except RuntimeError:  # the loop closed between the check and the call
            self.closed = True

    def _run(self, fn: Callable[[], None]) -> None:
        if not self.closed:
            fn()


class ImmediatePost:
    def __call__(self, fn: Callable[[], None]) -> None:
        fn()
