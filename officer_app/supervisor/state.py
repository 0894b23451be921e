"""One session's supervisor screens: their view-models, wired to the session's device.

`supervisor_state(session)` gives the session's `SupervisorState` (created on first use,
kept in a weak map keyed by the session, so two browser tabs have two states and a
closed session's state goes with it). After every successful sync the models that have
been shown once reload from the device database, so the figures follow the server.

Invariant: models read and write only through `RoleData` (never SQL, never HTTP), off
the UI loop (`asyncio.to_thread`).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, cast

import flet as ft

from .dashboard import DashboardModel
from .data import RoleData
from .dispatch import DispatchModel
from .extensions import ExtensionsModel
from .map_model import MapModel
from .sla_watch import SlaWatchModel
from .team import TeamModel

if TYPE_CHECKING:
    from ..state.session import Session

_STATES: weakref.WeakKeyDictionary[Session, SupervisorState] = weakref.WeakKeyDictionary()


class SupervisorState:
    def __init__(self, session: Session, data: RoleData | None = None) -> None:
        self.session = session
        self.data = data or RoleData(session.device)
        self.dashboard = DashboardModel(self)
        self.dispatch = DispatchModel(self)
        self.extensions = ExtensionsModel(self)
        self.sla = SlaWatchModel(self)
        self.team = TeamModel(self)
        self.map = MapModel(self)
        self._tasks: set[asyncio.Task[object]] = set()
        # Observables hold listeners weakly: keep a strong reference here.
        self._on_sync_ref = self._on_sync
        cast(ft.Observable, session.sync).subscribe(self._on_sync_ref)

    @property
    def models(self) -> tuple[Any, ...]:
        return (self.dashboard, self.dispatch, self.extensions, self.sla, self.team, self.map)

    def t(self, key: str, **params: object) -> str:
        return self.session.app.t(key, **params)

    @property
    def lang(self) -> str:
        return self.session.app.lang

    async def refresh_shown(self) -> None:
        """Reload every model a screen has shown (the others load when first shown)."""
        await asyncio.gather(*(m.refresh() for m in self.models if m.loaded_at is not None))

    def _on_sync(self, _sender: object, field: str | None) -> None:
        if field != "last_success":
            return
        spawn(self._tasks, self.refresh_shown())


def spawn(tasks: set[asyncio.Task[object]], coro: Coroutine[Any, Any, object]) -> None:
    """Run `coro` on the running loop, keeping a reference until it ends (no loop: a
    synchronous test; the coroutine is closed, the caller refreshes by itself)."""
    try:
        task = asyncio.get_running_loop().create_task(coro)
    except RuntimeError:
        coro.close()
        return
    tasks.add(task)
    task.add_done_callback(tasks.discard)


def supervisor_state(session: Session) -> SupervisorState:
    state = _STATES.get(session)
    if state is None:
        state = SupervisorState(session)
        _STATES[session] = state
    return state
