"""How components reach the session: one context, read with `use_session()`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

import flet as ft

from ..state.session import Session

SessionContext = ft.create_context(cast(Session, None))


def use_session() -> Session:
    session = ft.use_context(SessionContext)
    if session is None:
        # A memoized screen that re-renders on its own state after its parent moved on
        # can lose the provider chain (Flet 1.0.5); the app root also keeps the session
        # on its page (`page.data` is never sent to the client).
        data = ft.context.page.data
        if isinstance(data, Session):
            return data
        raise RuntimeError("use_session() outside App")
    return session


T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., object])


def memo(component: F) -> F:
    """`ft.memo` with its type kept: skip re-rendering while the props are equal."""
    return cast(F, ft.memo(component))  # type: ignore[no-untyped-call]


def use_model(factory: Callable[[], T]) -> T:
    """A view-model owned by this component (made once, watched for changes)."""
    # use_state's annotation (`StateT | Callable[[], StateT]`) defeats inference here.
    use_state = cast(Callable[[Callable[[], T]], tuple[T, object]], ft.use_state)
    value, _ = use_state(factory)
    return value
