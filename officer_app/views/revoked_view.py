"""Perangkat dicabut: the server revoked this device; list the unsent work, then wipe.

Nothing is wiped silently: the officer sees every action and photo that never reached
the server (to report them to the supervisor) before confirming the wipe.
"""

from __future__ import annotations

import flet as ft

from .context import use_session


@ft.component
def RevokedView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    busy, set_busy = ft.use_state(False)
    work = app.revoked_work

    async def wipe() -> None:
        set_busy(True)
        try:
            await session.wipe_after_revocation()
        finally:
            set_busy(False)

    lines: list[ft.Control] = []
    if work is not None:
        for m in work.mutations:
            lines.append(ft.Text(f"• {app.t('action.' + m.action.value)} · {m.report_id}", size=13))
        for p in work.photos:
            lines.append(
                ft.Text(f"• {app.t('photo.kind.' + p.kind.value)} · {p.report_id}", size=13)
            )
        for a in work.attention:
            lines.append(ft.Text(f"• {a.tracking_id} · {a.message(app.lang)}", size=13))
    if not lines:
        lines.append(ft.Text(app.t("revoked.nothing_unsent"), size=13))
    return ft.View(
        route="/dicabut",
        scroll=ft.ScrollMode.AUTO,
        controls=[
            ft.Container(
                padding=16,
                content=ft.Column(
                    spacing=12,
                    controls=[
                        ft.Icon(ft.Icons.PHONELINK_LOCK, size=48, color=ft.Colors.ERROR),
                        ft.Text(app.t("revoked.title"), size=22, weight=ft.FontWeight.BOLD),
                        ft.Text(app.t("revoked.body")),
                        ft.Semantics(
                            identifier="revoked-unsent",
                            content=ft.Column(spacing=4, controls=lines),
                        ),
                        ft.Semantics(
                            identifier="revoked-wipe",
                            content=ft.FilledButton(
                                app.t("revoked.wipe"),
                                icon=ft.Icons.DELETE_FOREVER,
                                on_click=wipe,
                                disabled=busy,
                                height=48,
                            ),
                        ),
                    ],
                ),
            )
        ],
    )
