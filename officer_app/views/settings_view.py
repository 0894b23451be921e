"""Pengaturan: language, theme, photo upload and size, sign out, about."""

from __future__ import annotations

import flet as ft

from .confirm_host import ConfirmHost
from .context import use_session
from .frame import screen


@ft.component
def SettingsView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    ft.use_state(session.attention)  # the navigation badge
    model, _ = ft.use_state(session.settings)
    account = app.account

    def section(title: str) -> ft.Control:
        return ft.Text(title, weight=ft.FontWeight.W_600, size=14, color=ft.Colors.PRIMARY)

    def segmented(
        ident: str, value: str, choices: list[tuple[str, str]], on_pick: object
    ) -> ft.Control:
        def changed(e: ft.Event[ft.SegmentedButton]) -> None:
            picked = e.control.selected
            if picked:
                on_pick(picked[0])  # type: ignore[operator]

        return ft.Semantics(
            identifier=ident,
            content=ft.SegmentedButton(
                selected=[value],
                allow_empty_selection=False,
                allow_multiple_selection=False,
                on_change=changed,
                segments=[ft.Segment(value=v, label=ft.Text(label)) for v, label in choices],
            ),
        )

    body: list[ft.Control] = []
    if account is not None:
        body.append(
            ft.ListTile(
                leading=ft.Icon(ft.Icons.ACCOUNT_CIRCLE, size=36),
                title=ft.Text(account.user.name),
                subtitle=ft.Text(
                    f"{account.user.username} · {app.t('role.' + account.user.role.value)}"
                    + (f" · {account.user.unit_name}" if account.user.unit_name else "")
                ),
            )
        )
    body += [
        section(app.t("settings.language")),
        segmented(
            "settings-language",
            model.language,
            [("id", app.t("lang.id")), ("en", app.t("lang.en"))],
            model.set_language,
        ),
        section(app.t("settings.theme")),
        segmented(
            "settings-theme",
            model.theme,
            [
                ("light", app.t("settings.theme.light")),
                ("dark", app.t("settings.theme.dark")),
                ("system", app.t("settings.theme.system")),
            ],
            model.set_theme,
        ),
        section(app.t("settings.photos")),
        ft.Semantics(
            identifier="settings-wifi-only",
            content=ft.Switch(
                label=app.t("settings.wifi_only"),
                value=model.wifi_only,
                on_change=lambda e: model.set_wifi_only(bool(e.control.value)),
            ),
        ),
        ft.Text(app.t("settings.photo_size"), size=13),
        segmented(
            "settings-photo-size",
            str(model.photo_long_edge),
            [(str(s), app.t("settings.photo_size.px", n=s)) for s in model.photo_sizes],
            lambda v: model.set_photo_long_edge(int(v)),
        ),
        section(app.t("settings.storage")),
        ft.Semantics(
            identifier="settings-storage",
            content=ft.ListTile(
                leading=ft.Icon(ft.Icons.STORAGE),
                title=ft.Text(app.t("settings.storage_open")),
                trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                on_click=lambda: session.navigate("/pengaturan/penyimpanan"),
            ),
        ),
        ft.Divider(),
        section(app.t("settings.account")),
        ft.Semantics(
            identifier="settings-sign-out",
            content=ft.OutlinedButton(
                app.t("settings.sign_out"),
                icon=ft.Icons.LOGOUT,
                on_click=model.ask_sign_out,
                disabled=model.signing_out,
                height=48,
            ),
        ),
        ft.Divider(),
        section(app.t("settings.about")),
        ft.Semantics(
            identifier="settings-about",
            content=ft.Column(
                spacing=2,
                controls=[
                    ft.Text(app.t("settings.version", v=model.version), size=13),
                    ft.Text(app.t("settings.server", url=model.server_url), size=13),
                    ft.Text(
                        app.t("settings.data_note"), size=12, color=ft.Colors.ON_SURFACE_VARIANT
                    ),
                ],
            ),
        ),
    ]
    if model.confirm_sign_out is not None:
        items, photos, attention = model.confirm_sign_out
        body.append(
            ConfirmHost(
                title=app.t("settings.sign_out_title"),
                message=app.t(
                    "settings.sign_out_warning", items=items, photos=photos, attention=attention
                ),
                confirm=app.t("settings.sign_out"),
                on_confirm=model.confirm_sign_out_now,
                on_cancel=model.cancel_sign_out,
                ident="sign-out",
            )
        )
    return screen(
        session,
        route="/pengaturan",
        title=app.t("settings.title"),
        body=body,
        nav_index=3,
    )
