"""The web client runs the CanvasKit renderer (officer_app.launch.WEB_RENDERER): the
WebAssembly build's skwasm renderer froze pages here for good."""

from __future__ import annotations

import pytest

from .harness import Ui

pytestmark = pytest.mark.browser

RENDERER = """() => ({
    canvaskit: typeof window.flutterCanvasKit === 'object',
    skwasm: window._flutter_skwasmInstance !== undefined,
    wasm_app: performance.getEntriesByType('resource').some(r => r.name.endsWith('.wasm')
        && r.name.includes('main.dart')),
})"""


def test_the_page_runs_canvaskit_not_skwasm(ui: Ui) -> None:
    ui.wait("login-username")
    assert ui.page.evaluate(RENDERER) == {"canvaskit": True, "skwasm": False, "wasm_app": False}
