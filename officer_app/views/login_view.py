"""Masuk: the sign-in screen (server from the deployment profile, username, password)."""

from __future__ import annotations

from typing import cast

import flet as ft

from .context import use_session

# `TextField(value=None)`: Flet's reconciliation then keeps the text the client holds
# (`TextField._migrate_state`); its annotation says `str`, hence the cast.
KEEP_TEXT = cast(str, None)


@ft.component
def LoginView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    model, _ = ft.use_state(session.login)
    # The fields are the browser's once shown: a later render passes value=None, which
    # Flet's TextField reconciliation reads as "keep the current text". Passing the
    # model's value again would send it back to the client, and the model may be a
    # step behind (the change handler runs after the client's text has arrived), which
    # erased a typed username. Only the first render fills them from the model.
    shown = ft.use_ref(False)
    first_render = not shown.current
    shown.current = True

    body: list[ft.Control] = [
        ft.Icon(ft.Icons.ASSIGNMENT_TURNED_IN, size=56, color=ft.Colors.PRIMARY),
        ft.Text(app.t("app.name"), size=28, weight=ft.FontWeight.BOLD),
        ft.Text(app.t("login.subtitle"), text_align=ft.TextAlign.CENTER),
        ft.Semantics(
            identifier="login-server",
            content=ft.Text(
                app.t("login.server", url=session.device.profile.server_url),
                size=12,
                color=ft.Colors.ON_SURFACE_VARIANT,
            ),
        ),
        ft.Semantics(
            identifier="login-username",
            content=ft.TextField(
                label=app.t("login.username"),
                value=model.username if first_render else KEEP_TEXT,
                autofocus=not model.username,
                prefix_icon=ft.Icons.PERSON,
                on_change=lambda e: model.set_username(e.control.value),
                on_submit=model.submit,
                disabled=model.busy,
            ),
        ),
        ft.Semantics(
            identifier="login-password",
            content=ft.TextField(
                label=app.t("login.password"),
                value=model.password if first_render else KEEP_TEXT,
                password=True,
                can_reveal_password=True,
                prefix_icon=ft.Icons.LOCK,
                on_change=lambda e: model.set_password(e.control.value),
                on_submit=model.submit,
                disabled=model.busy,
            ),
        ),
    ]
    if model.error:
        body.append(
            ft.Semantics(
                identifier="login-error",
                content=ft.Text(model.error, color=ft.Colors.ERROR, text_align=ft.TextAlign.CENTER),
            )
        )
    body.append(
        ft.Semantics(
            identifier="login-submit",
            content=ft.FilledButton(
                app.t("login.submit"),
                icon=ft.Icons.LOGIN,
                on_click=model.submit,
                disabled=model.busy,
                height=48,
                width=280,
            ),
        )
    )
    if model.busy:
        body.append(ft.ProgressBar(width=280))
    if model.can_work_offline:
        body.append(
            ft.Semantics(
                identifier="login-offline",
                content=ft.OutlinedButton(
                    app.t("login.work_offline"),
                    icon=ft.Icons.CLOUD_OFF,
                    on_click=model.work_offline,
                    height=48,
                    width=280,
                ),
            )
        )
    return ft.View(
        route="/masuk",
        scroll=ft.ScrollMode.AUTO,
        horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        vertical_alignment=ft.MainAxisAlignment.CENTER,
        controls=[
            ft.Container(
                width=360,
                padding=16,
                content=ft.Column(
                    horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                    spacing=14,
                    controls=body,
                ),
            )
        ],
    )
