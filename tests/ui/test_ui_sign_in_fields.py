"""The sign-in fields keep what the officer typed when the screen renders meanwhile.

Flet applies the browser's new text to the Python control as the message arrives, but
the field's change handler (which stores it in `LoginModel`) runs later, as its own
task. A render of the sign-in screen in between (an error cleared, the app's state
changing) used to send the model's older value back and erase the field: seen as an
empty username under load. The test makes that window wide on purpose: it holds the
model one step behind, renders the screen, and reads the field in the browser.
"""

from __future__ import annotations

import asyncio

import flet as ft
from playwright.sync_api import BrowserContext

from officer_app.app import make_main
from officer_app.launch import WebApp
from officer_app.state.session import Session

from .harness import Stack, Ui


def field_text(ui: Ui, ident: str) -> object:
    """What the browser's field holds (the hidden input exists while it has focus)."""
    ui.click(ident)
    ui.page.wait_for_function(
        """id => { const n = document.querySelector(`[flt-semantics-identifier="${id}"]`);
                   return n && document.activeElement && n.contains(document.activeElement); }""",
        arg=ident,
    )
    return ui.page.evaluate("() => document.activeElement?.value ?? null")


def test_a_render_while_the_model_lags_keeps_the_typed_text(
    context: BrowserContext, stack: Stack
) -> None:
    pages: list[ft.Page] = []

    def main(page: ft.Page) -> None:
        pages.append(page)
        make_main(stack.device)(page)

    stack.web.stop()
    stack.web = WebApp(main).start()
    ui = Ui(context.new_page(), stack).open()
    ui.wait("login-username")
    ui.type("login-username", "petugas.demo")
    ui.type("login-password", "rahasia")
    session = pages[-1].data
    assert isinstance(session, Session)
    model = session.login
    # The browser holds the text; the change handlers that store it may still be
    # queued on a loaded machine. One that ran after the lag below would clear the
    # error (typing does) and the screen under test would never render.
    typed = ("petugas.demo", "rahasia")
    try:
        ui.wait_until(lambda: (model.username, model.password) == typed, timeout_s=60)
    except AssertionError as exc:  # chained: its note says what the page was doing
        held = [(p.data.login.username, p.data.login.password) for p in pages]
        raise AssertionError(
            f"the change handlers never stored {typed}: the sessions' models hold {held}"
        ) from exc

    async def lag_then_render() -> None:
        # The change handlers have "not run yet", and something else re-renders.
        model._username, model._password = "", ""
        model.error = "Sedang memeriksa…"
        await asyncio.sleep(0)

    pages[-1].run_task(lag_then_render).result(timeout=30)
    ui.wait("login-error")
    assert field_text(ui, "login-username") == "petugas.demo"
    assert field_text(ui, "login-password") == "rahasia"


def test_after_signing_out_the_password_field_is_empty(ui: Ui) -> None:
    # The fields are filled from the model only when the screen is new: signing out
    # shows a new sign-in screen, and the password typed before is not in it.
    ui.sign_in("petugas.demo")
    ui.tab("Pengaturan", shows="settings-about")
    ui.click("settings-sign-out")
    ui.wait("login-username")
    assert field_text(ui, "login-password") == ""
