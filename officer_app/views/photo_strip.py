"""The report's photos by kind (reporter's only where allowed, before, during, after)."""

from __future__ import annotations

import flet as ft

from domain import Action

from ..state.detail import DetailModel, PhotoTile
from .context import use_session

TILE = 112


@ft.component
def PhotoStrip(model: DetailModel) -> ft.Control:
    session = use_session()
    app = session.app

    def tile(p: PhotoTile) -> ft.Control:
        picture: ft.Control = (
            ft.Image(src=p.thumb, width=TILE, height=TILE, fit=ft.BoxFit.COVER, border_radius=8)
            if p.thumb
            else ft.Container(
                width=TILE,
                height=TILE,
                border_radius=8,
                bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
                alignment=ft.Alignment.CENTER,
                content=ft.Icon(ft.Icons.CLOUD_OUTLINED, color=ft.Colors.ON_SURFACE_VARIANT),
                tooltip=app.t("photo.on_server"),
            )
        )
        if p.uploaded:
            status, color = app.t("photo.uploaded"), ft.Colors.GREEN_800
        elif p.refused:
            status, color = app.t("photo.refused"), ft.Colors.ERROR
        else:
            status, color = app.t("photo.waiting_upload"), ft.Colors.ORANGE_800
        missing: list[ft.Control] = (
            [ft.Text(app.t("photo.not_downloaded"), size=11, italic=True)]
            if p.not_downloaded
            else []
        )

        async def view() -> None:
            await model.open_photo(p.sha256)

        return ft.Semantics(
            identifier=f"photo-{p.kind.value}-{p.sha256[:12]}",
            content=ft.Column(
                spacing=2,
                width=TILE,
                controls=[
                    ft.Container(
                        content=picture, on_click=view, ink=True, tooltip=app.t("photo.view")
                    ),
                    *missing,
                    ft.Text(
                        app.t(f"photo.kind.{p.kind.value}"), size=12, weight=ft.FontWeight.W_600
                    ),
                    ft.Text(p.where, size=11, color=ft.Colors.ON_SURFACE_VARIANT),
                    ft.Text(p.when, size=11, color=ft.Colors.ON_SURFACE_VARIANT),
                    ft.Text(status, size=11, color=color),
                ],
            ),
        )

    can_add = any(o.action is Action.ADD_PHOTO and o.allowed for o in model.actions)
    header = ft.Row(
        controls=[
            ft.Text(
                app.t("detail.photos", n=len(model.photos)), weight=ft.FontWeight.W_600, expand=True
            ),
            ft.Semantics(
                identifier="detail-add-photo",
                content=ft.TextButton(
                    app.t("action.add_photo"),
                    icon=ft.Icons.ADD_A_PHOTO,
                    on_click=lambda: session.navigate(f"/laporan/{model.report_id}/foto"),
                    disabled=not can_add,
                    height=48,
                ),
            ),
        ]
    )
    body: ft.Control = (
        ft.Row(scroll=ft.ScrollMode.AUTO, spacing=10, controls=[tile(p) for p in model.photos])
        if model.photos
        else ft.Text(app.t("detail.no_photos"), size=13, color=ft.Colors.ON_SURFACE_VARIANT)
    )
    return ft.Card(
        content=ft.Container(padding=12, content=ft.Column(spacing=8, controls=[header, body]))
    )
