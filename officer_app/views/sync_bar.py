"""The sync status strip under every app bar: online or not, last sync, what waits.

Tapping "Sinkronkan" asks for a sync now; while one runs a progress bar shows (with a
value when the engine knows the total, indeterminate otherwise). While photos upload a
line says how far ("foto 3 dari 12 · 1,2 MB tersisa"), and while photos wait, which
actions wait for which photo.
"""

from __future__ import annotations

import flet as ft

from .context import use_session


@ft.component
def SyncBar() -> ft.Control:
    session = use_session()
    app = session.app
    status, _ = ft.use_state(session.sync)
    ft.use_state(app)

    if status.online is None:
        icon, colour, state = ft.Icons.CLOUD_QUEUE, ft.Colors.BLUE_GREY_400, app.t("sync.unknown")
    elif status.online:
        icon, colour, state = ft.Icons.CLOUD_DONE, ft.Colors.GREEN_700, app.t("sync.online")
    else:
        icon, colour, state = ft.Icons.CLOUD_OFF, ft.Colors.RED_700, app.t("sync.offline")

    parts = [state]
    if status.last_sync_text:
        parts.append(app.t("sync.last", when=status.last_sync_text))
    waiting = []
    if status.pending_items:
        waiting.append(app.t("sync.pending_items", n=status.pending_items))
    if status.pending_photos:
        waiting.append(app.t("sync.pending_photos", n=status.pending_photos))
    summary = " · ".join(parts)

    rows: list[ft.Control] = [
        ft.Row(
            spacing=8,
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
            controls=[
                ft.Icon(icon, color=colour, size=20),
                ft.Column(
                    spacing=0,
                    expand=True,
                    controls=[
                        ft.Semantics(
                            identifier="sync-state",
                            content=ft.Text(summary, size=12, no_wrap=False),
                        ),
                        ft.Semantics(
                            identifier="sync-waiting",
                            content=ft.Text(
                                ", ".join(waiting) if waiting else app.t("sync.all_sent"),
                                size=12,
                                color=ft.Colors.ORANGE_800 if waiting else None,
                                weight=ft.FontWeight.W_500 if waiting else None,
                            ),
                        ),
                    ],
                ),
                ft.Semantics(
                    identifier="sync-now",
                    content=ft.TextButton(
                        app.t("sync.now"),
                        icon=ft.Icons.SYNC,
                        disabled=status.syncing,
                        on_click=status.sync_now,
                        height=48,
                        style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=8)),
                    ),
                ),
            ],
        )
    ]
    if status.needs_login or app.session_expired:
        rows.append(
            ft.Row(
                controls=[
                    ft.Icon(ft.Icons.LOCK_CLOCK, color=ft.Colors.ORANGE_800, size=18),
                    ft.Text(app.t("sync.session_expired"), size=12, expand=True),
                    ft.Semantics(
                        identifier="sync-login-again",
                        content=ft.TextButton(
                            app.t("sync.login_again"), on_click=session.ask_login_again
                        ),
                    ),
                ]
            )
        )
    elif status.error and not status.syncing:
        rows.append(
            ft.Semantics(
                identifier="sync-error",
                content=ft.Text(status.error, size=12, color=ft.Colors.RED_700),
            )
        )
    if status.upload_text:  # "foto 3 dari 12 · 1,2 MB tersisa"
        rows.append(
            ft.Semantics(
                identifier="sync-upload",
                content=ft.Text(status.upload_text, size=12, weight=ft.FontWeight.W_500),
            )
        )
    if status.photo_waits:  # which actions wait for which photo
        rows.append(
            ft.Semantics(
                identifier="sync-photo-waits",
                content=ft.Text("\n".join(status.photo_waits), size=11, no_wrap=False),
            )
        )
    rows.append(
        ft.ProgressBar(value=status.fraction, height=3)
        if status.syncing
        else ft.Container(height=3)
    )
    return ft.Container(
        padding=ft.Padding.only(left=12, right=4, top=2),
        bgcolor=ft.Colors.SURFACE_CONTAINER,
        content=ft.Column(spacing=2, controls=rows),
    )
