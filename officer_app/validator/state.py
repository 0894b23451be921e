"""One session's validator screens: the queue and the review, and the photo cache.

Kept per session like the supervisor's (`validator_state(session)`, a weak map keyed by
the session); after each successful sync the queue and the open review reload.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, cast

import flet as ft

from ..supervisor.data import RoleData
from ..supervisor.state import spawn
from .photo_cache import PhotoCache
from .queue import ValidationQueueModel
from .review import ReviewModel

if TYPE_CHECKING:
    from ..state.session import Session

_STATES: weakref.WeakKeyDictionary[Session, ValidatorState] = weakref.WeakKeyDictionary()


class ValidatorState:
    def __init__(
        self, session: Session, data: RoleData | None = None, photos: PhotoCache | None = None
    ) -> None:
        self.session = session
        self.data = data or RoleData(session.device)
        self.photos = photos or PhotoCache(session.device)
        self.queue = ValidationQueueModel(self)
        self.review = ReviewModel(self)
        self._tasks: set[asyncio.Task[object]] = set()
        self._on_sync_ref = self._on_sync
        cast(ft.Observable, session.sync).subscribe(self._on_sync_ref)

    def t(self, key: str, **params: object) -> str:
        return self.session.app.t(key, **params)

    @property
    def lang(self) -> str:
        return self.session.app.lang

    async def refresh_shown(self) -> None:
        if self.queue.loaded_at is not None:
            await self.queue.refresh()
            self._spawn(self.queue.prefetch())
        if self.review.report_id is not None:
            await self.review.refresh()

    def _on_sync(self, _sender: object, field: str | None) -> None:
        if field == "last_success":
            self._spawn(self.refresh_shown())

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        spawn(self._tasks, coro)


def validator_state(session: Session) -> ValidatorState:
    state = _STATES.get(session)
    if state is None:
        state = ValidatorState(session)
        _STATES[session] = state
    return state
