"""`use_typed`: a text field bound to a model without sending the user's typing back.

Flet applies the browser's new text to the Python `TextField` as the message arrives,
but the field's `on_change` handler, which stores it in the model, runs later as its own
task. A render in between would pass the model's older value and erase what was typed
(seen on the sign-in screen under load). `TextField(value=None)` tells Flet's
reconciliation to keep the text the client holds (`TextField._migrate_state`), so a
field sends a value only when the model holds something the client does not have: the
first render, or a value the app set itself (a form cleared, a search reset).

Only for a field whose place in the tree is stable: nothing before it among its
ancestors' siblings comes and goes. Flet pairs unkeyed controls by position, so a
control appearing above the field can make the diff build a new field, and a new field
given `value=None` starts empty while the model still holds the text (the validator's
note, below a flash and a confirm panel that come and go, keeps `value=review.note`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import flet as ft

# `TextField(value=None)`; its annotation says `str`, hence the cast.
KEEP_TEXT = cast(str, None)


def use_typed(value: str) -> tuple[str, Callable[[str], None]]:
    """The `value=` to give the field this render, and the function its `on_change`
    calls with the client's text (besides storing it in the model)."""
    client = ft.use_ref(cast(str | None, None))  # the text the client holds, as known here
    if client.current is not None and value == client.current:
        shown = KEEP_TEXT  # the model is the client's text, or a step behind it
    else:
        client.current = shown = value

    def typed(text: str) -> None:
        client.current = text

    return shown, typed
