"""The app's root component: one session per page, the gate, the routes, snack bars.

Routes (view stack, so Android's back button and the app bar's arrow go back):
    /                      Antrian (queue)
    /laporan/:rid          Detail laporan
    /laporan/:rid/foto     Kamera / Galeri for that report
    /peta                  Peta (own open reports, visiting order)
    /peta/laporan/:rid     Detail laporan opened from the map
    /perhatian             Perlu perhatian
    /pengaturan            Pengaturan
    /pengaturan/penyimpanan  Penyimpanan (space used, what waits, "Bersihkan sekarang")
Signed out, every route shows Masuk; a revoked device shows the wipe screen. A
supervisor's or validator's account gets its role's own screens instead of the queue
(`officer_app.supervisor.routes.role_routes`), with the shared screens kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import flet as ft

from domain import Role

from ..device import Device
from ..platform_services import PlatformServices
from ..state.app_model import Gate
from ..state.dispatch import LoopPost
from ..state.session import Session
from .attention_view import AttentionView
from .capture_view import CaptureView
from .context import SessionContext, memo, use_model
from .detail_view import DetailView
from .login_view import LoginView
from .map_view import FieldMapView
from .not_found import NotFound
from .queue_view import QueueView
from .revoked_view import RevokedView
from .settings_view import SettingsView
from .storage_view import StorageView

log = logging.getLogger(__name__)

THEME_MODES = {
    "light": ft.ThemeMode.LIGHT,
    "dark": ft.ThemeMode.DARK,
    "system": ft.ThemeMode.SYSTEM,
}
SEED = ft.Colors.TEAL
# Screens change without an animation: on a slow phone the transition's frames delay
# the report the officer tapped (measured: ~100 ms of the time to open one).
_NONE = ft.PageTransitionTheme.NONE
NO_TRANSITIONS = ft.PageTransitionsTheme(
    android=_NONE, ios=_NONE, linux=_NONE, macos=_NONE, windows=_NONE
)


# Screens without route parameters are memoized: opening a report re-renders the
# Router, and rendering the queue again under it would slow every tap on a row. They
# still re-render on their own state (see use_session for the page fallback this needs).
_QUEUE = memo(QueueView)
_ATTENTION = memo(AttentionView)
_SETTINGS = memo(SettingsView)
_MAP = memo(FieldMapView)


def _routes(role: Role | None) -> list[ft.Route]:
    """The officer's screens, or a supervisor's / validator's own home screens; the
    screens every role shares (Perlu perhatian, Pengaturan) come first."""
    shared = [
        ft.Route(path="/perhatian", component=_ATTENTION),
        ft.Route(
            path="/pengaturan",
            component=_SETTINGS,
            children=[ft.Route(path="penyimpanan", component=StorageView)],
        ),
    ]
    if role is not None:
        from ..supervisor.routes import role_routes

        own = role_routes(role)
        if own:
            return [*shared, *own]
    return [
        *shared,
        ft.Route(
            path="/",
            component=_QUEUE,
            children=[
                ft.Route(
                    path="laporan/:rid",
                    component=DetailView,
                    children=[ft.Route(path="foto", component=CaptureView)],
                )
            ],
        ),
        ft.Route(
            path="/peta",
            component=_MAP,
            children=[ft.Route(path="laporan/:rid", component=DetailView)],
        ),
    ]


@ft.component
def App(device: Device, release: Callable[[], None] | None = None) -> list[ft.View]:
    """`release`: called once when the page goes (the web demo's per-tab device)."""
    page = ft.context.page

    def new_session() -> Session:
        session = Session(device, post=LoopPost(), navigate=page.navigate)
        session.platform = PlatformServices(page)
        page.data = session  # see use_session
        return session

    session = use_model(new_session)
    app, _ = ft.use_state(session.app)

    page.title = app.t("app.name")
    page.theme = ft.Theme(color_scheme_seed=SEED, page_transitions=NO_TRANSITIONS)
    page.dark_theme = ft.Theme(color_scheme_seed=SEED, page_transitions=NO_TRANSITIONS)
    page.theme_mode = THEME_MODES.get(app.theme, ft.ThemeMode.LIGHT)

    def resized(e: ft.PageResizeEvent) -> None:
        app.width = float(e.width)

    def resumed(e: ft.AppLifecycleStateChangeEvent) -> None:
        # Back in the foreground: the phone may have found a network meanwhile.
        if e.state is ft.AppLifecycleState.RESUME:
            session.device.network_changed(True)

    released = ft.use_ref(False)

    def closed() -> None:
        session.close()
        if release is not None and not released.current:
            released.current = True
            release()

    async def mounted() -> None:
        app.width = float(page.width or 0)
        page.on_resize = resized
        page.on_close = closed
        page.on_app_lifecycle_state_change = resumed
        session.attach()
        await asyncio.gather(_locate(session), _network(session))

    ft.on_mounted(mounted)
    ft.on_unmounted(closed)

    def toast() -> None:
        if app.toast:
            page.show_dialog(ft.SnackBar(ft.Text(app.toast), duration=ft.Duration(seconds=3)))

    ft.on_updated(toast, [app.toast_seq])

    def views() -> list[ft.View]:
        if app.gate is Gate.REVOKED:
            return [RevokedView()]
        if app.gate is Gate.LOGIN:
            return [LoginView()]
        role = app.account.user.role if app.account else None
        return ft.Router(  # type: ignore[return-value]
            _routes(role), not_found=NotFound, manage_views=True
        )

    return SessionContext(session, views)


async def _locate(session: Session) -> None:
    """One position at start-up: distances in the queue, the default for a new photo."""
    if session.platform is None:
        return
    fix = await session.platform.position()
    if fix is not None:
        session.location.update(
            fix.latitude, fix.longitude, fix.accuracy_m, fix.altitude_m, fix.timestamp
        )
        session.queue.relabel()


async def _network(session: Session) -> None:
    if session.platform is None:
        return
    wifi = await session.platform.on_wifi()
    if wifi is not None:
        await asyncio.to_thread(session.device.set_network, wifi)
    session.platform.watch_network(session.device.network_changed)
