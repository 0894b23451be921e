"""The browser test harness: a real server, a real device, the web app, real Chromium.

    stack = Stack.start(tmp_path)        # server (demo data) + device + web app
    ui = Ui(browser_context.new_page(), stack)
    ui.open(); ui.sign_in("petugas.demo")
    ui.click("queue-row-CRM-..."); ui.wait_text("Terima tugas")

Pieces (all real, all on loopback):
- the reference server (`server.embedded.EmbeddedServer`) on a SQLite file, seeded with
  the deterministic demo data; `stop_server()` / `start_server()` take it away and
  bring it back on the same port and database (the device is then really offline);
- the device (`officer_app.device.Device`: local SQLite, sync engine, memory tokens);
- the app's web build served in-process (`officer_app.launch.WebApp`, no CDN);
- headless Debian Chromium driven by Playwright; every request that is not the app
  itself is aborted (and recorded), proving the app needs no internet.

Render errors inside Flet components are otherwise silent (the update loop just stops
repainting): `RenderErrors` records them and the fixtures fail the test on any.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from officer_app.app import make_main
from officer_app.device import Device
from officer_app.launch import WebApp
from officer_app.profile import Profile
from server.config import Settings
from server.demo import seed_demo
from server.embedded import EmbeddedServer
from sync import MemoryTokenStore
from tests.server.kit import ApiClient

from .watch import PageWatch, screen_texts

PASSWORD = "tindak123"
DEMO_REPORTS = 300
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 360, "height": 740}
# Generous: on a 2-core machine running the suite on both cores beside two busy loops
# (the flakiness check: load 10-13), a Flutter frame can take seconds, and a sign-in
# field once took no focus for 45 s of clicks.
WAIT_MS = 60_000  # for a node to appear
TYPE_DEADLINE_S = 120.0  # all tries of one `Ui.type`
FOCUS_TRY_MS = 8_000  # one click's wait for focus before clicking again
TAB_DEADLINE_S = 120.0  # all taps of one `Ui.tab`
TAB_TRY_MS = 10_000  # one tap's wait for the destination before tapping again
ANSWER_MS = 30_000  # a page's script that does not answer in this long is stuck
# Flutter web decides how text fields take keys when the first one takes focus, for the
# page's whole life: through the semantics tree if semantics is on by then, otherwise
# through a hidden input of its own. The sign-in username has autofocus, so semantics
# must be on before the app's first frame. Clicking the placeholder from the test once it
# is seen loses that race on a loaded machine; the field then shows focus but never
# takes it through its semantics node, and `Ui.type` cannot reach it. This script clicks
# the placeholder as it is inserted, before any frame of the app.
ENABLE_SEMANTICS_EARLY = """
new MutationObserver((_, observer) => {
    const placeholder = document.querySelector('flt-semantics-placeholder');
    if (placeholder) { observer.disconnect(); placeholder.click(); }
}).observe(document, {childList: true, subtree: true});
"""
# Where the focus is, for a failure message: the semantics tree or Flutter's own input.
FOCUS_WHERE = """() => {
    const path = [];
    for (let n = document.activeElement; n; n = n.parentElement) path.push(n.tagName);
    return path.join(' < ');
}"""
# The focused element is a text input inside the field's semantics node.
FOCUSED_IN = """ident => {
    const field = document.querySelector(`[flt-semantics-identifier="${ident}"]`);
    const active = document.activeElement;
    return !!field && !!active && ['INPUT', 'TEXTAREA'].includes(active.tagName)
        && field.contains(active);
}"""
DESKTOP = {"width": 1280, "height": 800}
JAKARTA = {"latitude": -6.1944, "longitude": 106.8229, "accuracy": 8}  # Menteng


def _closed_connection(exc: BaseException) -> bool:
    """An update that raced the browser tab's close: flet-web has already dropped the
    tab's send queue (`AttributeError: 'NoneType' object has no attribute
    'put_nowait'` in its `send_message`). Nothing failed to render: no one is looking."""
    frames = traceback.extract_tb(exc.__traceback__)
    return (
        isinstance(exc, AttributeError)
        and "put_nowait" in str(exc)
        and bool(frames)
        and frames[-1].filename.endswith("flet_web/fastapi/flet_app.py")
        and frames[-1].name == "send_message"
    )


class RenderErrors:
    """Records exceptions raised while Flet renders a component (test-only hook)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._original: Callable[..., Any] | None = None

    def install(self) -> None:
        import flet.components.component as component

        original = component.Component.update
        self._original = original
        errors = self

        def update(self: Any) -> Any:
            try:
                return original(self)
            except Exception as exc:
                if not _closed_connection(exc):
                    with errors._lock:
                        errors.errors.append(traceback.format_exc())
                raise

        component.Component.update = update  # type: ignore[method-assign]

    def uninstall(self) -> None:
        import flet.components.component as component

        if self._original is not None:
            component.Component.update = self._original  # type: ignore[method-assign]
            self._original = None


def server_settings(tmp: Path) -> Settings:
    return Settings(
        db_url=f"sqlite:///{tmp / 'server.sqlite'}",
        photo_dir=tmp / "server-photos",
        argon2_time_cost=1,
        argon2_memory_kib=8192,
    )


@dataclass
class Stack:
    tmp: Path
    settings: Settings
    server: EmbeddedServer | None
    port: int
    device: Device
    web: WebApp
    blocked: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, tmp: Path, *, reports: int = DEMO_REPORTS) -> Stack:
        settings = server_settings(tmp)
        server = EmbeddedServer(settings).start()
        assert server.engine is not None
        seed_demo(server.engine, reports=reports, settings=settings)
        port = server.port
        profile = Profile().with_server(server.base_url)
        # A short interval: the background loop runs while the tests wait on screens.
        device = Device(profile, tmp / "device", MemoryTokenStore())
        device.start()
        web = WebApp(make_main(device)).start()
        return cls(tmp, settings, server, port, device, web)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop_server(self) -> None:
        """Take the server away: the device's next request finds nobody listening."""
        if self.server is not None:
            self.server.stop()
            self.server = None

    def start_server(self) -> None:
        """Bring the same server back (same port, same database)."""
        if self.server is None:
            self.server = EmbeddedServer(self.settings, port=self.port).start()

    def api(self, username: str) -> ApiClient:
        client = ApiClient(self.base_url)
        response = client.login(username, PASSWORD)
        assert response.status_code == 200, response.text
        return client

    def close(self) -> None:
        self.web.stop()
        self.device.close()
        self.stop_server()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


P = ParamSpec("P")
R = TypeVar("R")


def _watched(method: Callable[P, R]) -> Callable[P, R]:
    """A harness step that fails says what the page was doing at that moment (see
    watch.py): a page that stopped answering is told apart from a screen that differs."""

    @functools.wraps(method)
    def step(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (PlaywrightTimeoutError, AssertionError) as exc:
            ui = args[0]
            assert isinstance(ui, Ui)
            ui.watch.note(exc, ui.stack.tmp / f"failure-{id(ui)}.png")
            raise

    return step


class Ui:
    """A page of the app in Chromium, addressed by semantics identifiers."""

    def __init__(self, page: Page, stack: Stack) -> None:
        self.page = page
        self.stack = stack
        origin = stack.web.url

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith(origin):
                r.continue_()
            else:
                stack.blocked.append(url)
                r.abort()

        page.route("**/*", route)
        page.add_init_script(ENABLE_SEMANTICS_EARLY)
        self.watch = PageWatch(page)

    # --- page ---------------------------------------------------------------------

    @_watched
    def open(self, path: str = "/") -> Ui:
        self.page.goto(self.stack.web.url + path)
        self.page.wait_for_selector("flt-semantics", state="attached", timeout=WAIT_MS)
        return self

    def node(self, ident: str) -> Any:
        return self.page.locator(f'[flt-semantics-identifier="{ident}"]')

    def nodes(self, prefix: str) -> Any:
        return self.page.locator(f'[flt-semantics-identifier^="{prefix}"]')

    @_watched
    def wait(self, ident: str, timeout: float = WAIT_MS) -> Any:
        loc = self.node(ident)
        loc.first.wait_for(state="attached", timeout=timeout)
        return loc.first

    def click(self, ident: str, timeout: float = WAIT_MS) -> None:
        self.wait(ident, timeout).click()

    def tab(self, label: str, shows: str) -> None:
        """Go to a bottom-navigation destination by its tab's label (see `_until_shown`)."""
        self._until_shown(self.page.get_by_role("tab", name=re.compile(label)).first, shows)

    def go(self, ident: str, shows: str) -> None:
        """Tap the node `ident` (a navigation item) until its screen shows a node whose
        identifier starts with `shows` (see `_until_shown`)."""
        self._until_shown(self.node(ident).first, shows)

    @_watched
    def _until_shown(self, target: Any, shows: str) -> None:
        """Tap `target` until a node whose identifier starts with `shows` is there. On a
        loaded machine a tap can land while Flutter rebuilds and be lost; tapping a
        destination that is already showing does nothing, so tapping again is safe."""
        deadline = time.monotonic() + TAB_DEADLINE_S
        target.wait_for(state="attached", timeout=WAIT_MS)
        while True:
            # A tap that cannot land (covered or gone): the last one took, and its
            # screen is on its way.
            with contextlib.suppress(PlaywrightTimeoutError):
                target.click(timeout=TAB_TRY_MS)
            try:
                self.nodes(shows).first.wait_for(state="attached", timeout=TAB_TRY_MS)
                return
            except PlaywrightTimeoutError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"tapping never showed {shows}…") from None

    @_watched
    def type(self, ident: str, text: str) -> None:
        """Replace a text field's content, typing like a person would; checked.

        Flutter web edits through a hidden <input> that exists only once the field has
        focus; a click that lands before the field is ready gives no focus at all (a
        loaded machine makes that common), and keys typed before the input is attached
        are lost. So each try clicks, waits for focus in *this* field (not a field that
        kept it), types, and reads the value back; a missed focus or a wrong value is
        tried again, within one generous deadline.
        """
        deadline = time.monotonic() + TYPE_DEADLINE_S
        value: object = None
        while True:
            self.click(ident)
            try:
                self._focused(ident, timeout=FOCUS_TRY_MS)
            except PlaywrightTimeoutError:
                value = f"(the field never took focus; focus: {self.page.evaluate(FOCUS_WHERE)})"
            else:
                self.page.keyboard.press("Control+A")
                self.page.keyboard.press("Backspace")
                self.page.keyboard.type(text, delay=15)
                value = self.page.evaluate("() => document.activeElement?.value ?? null")
                if value == text:
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"could not type {text!r} into {ident}: {value!r}")

    @_watched
    def wait_focus(self, ident: str, timeout: float = WAIT_MS) -> None:
        """Wait until the text field `ident` has the keyboard (the app moved it there):
        keys pressed before that are lost, and on a loaded machine it takes a while."""
        self._focused(ident, timeout)

    def _focused(self, ident: str, timeout: float) -> None:
        self.page.wait_for_function(FOCUSED_IN, arg=ident, timeout=timeout)

    def text_of(self, ident: str) -> str:
        """What a node says: its text, or its accessibility labels (chips, buttons)."""
        return str(
            self.wait(ident).evaluate(
                """n => n.innerText || n.getAttribute('aria-label') ||
                    [...n.querySelectorAll('[aria-label]')]
                        .map(e => e.getAttribute('aria-label')).join(' ')"""
            )
        )

    @_watched
    def wait_text(self, text: str, timeout: float = WAIT_MS) -> None:
        self.page.get_by_text(text, exact=False).first.wait_for(state="attached", timeout=timeout)

    @_watched
    def wait_until(self, check: Callable[[], bool], timeout_s: float = 20.0) -> None:
        if not self.poll(check, timeout_s):
            raise AssertionError("condition not met in time")

    def poll(self, check: Callable[[], bool], timeout_s: float) -> bool:
        """Whether `check` came true within `timeout_s` (a miss is no failure: for a
        caller that acts and tries again). A page that stops answering fails at once."""
        deadline = time.monotonic() + timeout_s
        while True:
            # The checks read the page through calls with no timeout of their own
            # (`count`, `evaluate`): a page that no longer answers would hold them
            # until the test's own timeout, with nothing said about the page.
            self.answering()
            if check():
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)

    @_watched
    def answering(self) -> None:
        """The page's script answers (within `ANSWER_MS`, however loaded the machine)."""
        self.page.wait_for_function("true", timeout=ANSWER_MS)

    def texts(self) -> str:
        return screen_texts(self.page)

    def shot(self, path: Path) -> None:
        self.page.mouse.move(1, 1)  # no hover tooltip in the picture
        time.sleep(1.5)  # let Flutter paint the last frame (fonts load lazily)
        self.page.screenshot(path=str(path))

    def back(self) -> None:
        """The app bar's back arrow (the view stack pops to the parent route)."""
        self.page.get_by_role("button", name="Back").first.click()

    # --- flows ----------------------------------------------------------------------

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.wait("login-username")
        self.type("login-username", username)
        self.type("login-password", password)
        self.click("login-submit")

    def pick_photo(self, trigger_ident: str, path: Path) -> None:
        with self.page.expect_file_chooser(timeout=15_000) as chooser:
            self.click(trigger_ident)
        chooser.value.set_files(str(path))
