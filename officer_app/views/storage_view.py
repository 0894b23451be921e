"""Pengaturan → Penyimpanan: space used, what waits to be sent, "Bersihkan sekarang"."""

from __future__ import annotations

import flet as ft

from ..state.storage import StorageModel
from .context import use_model, use_session
from .frame import screen

ROUTE = "/pengaturan/penyimpanan"


@ft.component
def StorageView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    model = use_model(lambda: StorageModel(session))
    ft.on_mounted(model.load)

    def row(ident: str, label: str, value: str) -> ft.Control:
        return ft.Semantics(
            identifier=ident,
            content=ft.Row(
                alignment=ft.MainAxisAlignment.SPACE_BETWEEN,
                controls=[ft.Text(label, expand=True), ft.Text(value, weight=ft.FontWeight.W_600)],
            ),
        )

    def section(title: str) -> ft.Control:
        return ft.Text(title, weight=ft.FontWeight.W_600, size=14, color=ft.Colors.PRIMARY)

    body: list[ft.Control] = []
    if model.loading:
        body.append(ft.ProgressBar())
    else:
        body.append(section(app.t("storage.used")))
        body += [row(*r) for r in model.rows]
        body += [
            ft.Divider(),
            section(app.t("storage.waiting")),
            ft.Semantics(
                identifier="storage-waiting",
                content=ft.Column(spacing=2, controls=[ft.Text(w) for w in model.waiting]),
            ),
            ft.Text(app.t("storage.waiting_kept"), size=12, color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Divider(),
            section(app.t("storage.policy")),
            ft.Text(
                app.t(
                    "storage.policy_text",
                    done=session.device.profile.storage.done_days,
                    days=session.device.profile.storage.full_photo_days,
                ),
                size=13,
            ),
            ft.Semantics(
                identifier="storage-clean",
                content=ft.FilledButton(
                    app.t("storage.clean_now"),
                    icon=ft.Icons.CLEANING_SERVICES,
                    on_click=model.clean,
                    disabled=model.cleaning,
                    height=48,
                ),
            ),
        ]
        if model.cleaning:
            body.append(ft.ProgressBar())
        if model.result:
            body.append(
                ft.Semantics(identifier="storage-result", content=ft.Text(model.result, size=13))
            )
    return screen(session, route=ROUTE, title=app.t("storage.title"), body=body)
