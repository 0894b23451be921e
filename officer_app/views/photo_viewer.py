"""A report photo full size (zoom and pan), with Hapus / Ambil ulang while it has not
left the device. Sits in the screen's tree while a photo is open, like the action
form, and shows itself through `use_dialog`."""

from __future__ import annotations

import flet as ft

from ..state.detail import DetailModel, PhotoTile
from .context import use_session


@ft.component
def PhotoViewerHost(model: DetailModel, tile: PhotoTile, key: str | None = None) -> ft.Control:
    session = use_session()
    app = session.app
    picture: ft.Control = (
        ft.InteractiveViewer(
            min_scale=1,
            max_scale=8,
            content=ft.Image(src=model.viewing_image, fit=ft.BoxFit.CONTAIN),
        )
        if model.viewing_image is not None
        else ft.Text(app.t("photo.not_downloaded"))
    )

    async def delete() -> None:
        await model.discard_photo()

    async def retake() -> None:
        await model.discard_photo(retake=True)

    actions: list[ft.Control] = []
    if model.may_take_back(tile):
        actions += [
            ft.Semantics(
                identifier="photo-delete",
                content=ft.TextButton(
                    app.t("photo.discard.delete"), icon=ft.Icons.DELETE_OUTLINE, on_click=delete
                ),
            ),
            ft.Semantics(
                identifier="photo-retake",
                content=ft.TextButton(
                    app.t("photo.discard.retake"), icon=ft.Icons.CAMERA_ALT, on_click=retake
                ),
            ),
        ]
    actions.append(
        ft.Semantics(
            identifier="photo-close",
            content=ft.FilledButton(app.t("validator.review.close"), on_click=model.close_photo),
        )
    )
    ft.use_dialog(
        ft.AlertDialog(
            modal=False,
            title=ft.Text(app.t(f"photo.kind.{tile.kind.value}") + " · " + tile.when),
            content=ft.Container(width=720, height=540, content=picture),
            actions=actions,
            on_dismiss=lambda: model.close_photo(),
        )
    )
    return ft.Container(width=0, height=0)
