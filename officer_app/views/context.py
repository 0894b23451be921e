"""How components reach the session: one context, read with `use_session()`."""

from __future__ import annotations

from typing import cast

import flet as ft

from ..state.session import Session

SessionContext = ft.create_context(cast(Session, None))


def use_session() -> Session:
    session = ft.use_context(SessionContext)
    if session is None:  # pragma: no cover - a component rendered outside the app root
        raise RuntimeError("use_session() outside App")
    return session
