"""Kamera / Galeri: choose the kind, take or pick, preview with location, save."""

from __future__ import annotations

import flet as ft

from ..photos import PhotoSource
from ..picked_file import PickedFileError
from ..state.capture import KINDS, CaptureModel
from .camera_panel import CameraPanel
from .context import use_model, use_session
from .frame import screen


@ft.component
def CaptureView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    report_id = ft.use_route_params().get("rid", "")
    model = use_model(lambda: CaptureModel(session, report_id=report_id))
    platform = session.platform

    async def current_fix() -> None:
        model.locating = True
        fix = await platform.position() if platform else None
        if fix is not None:
            session.location.update(
                fix.latitude, fix.longitude, fix.accuracy_m, fix.altitude_m, fix.timestamp
            )
        model.locating = False
        if model.has_photo:
            model.set_fix(fix)

    async def pick() -> None:
        if platform is None:
            return
        try:
            data = await platform.pick_image(model.max_pick_bytes)
        except PickedFileError as exc:
            model.pick_failed(exc)
            return
        if data is None:
            return
        fix = await platform.position()
        await model.got_photo(data, PhotoSource.GALLERY, fix)

    async def shot(data: bytes) -> None:
        fix = await platform.position() if platform else None
        await model.got_photo(data, PhotoSource.CAMERA, fix)

    async def save() -> None:
        if await model.save():
            session.navigate(f"/laporan/{report_id}")

    kind_row = ft.Row(
        wrap=True,
        spacing=8,
        controls=[
            ft.Semantics(
                identifier=f"kind-{k.value}",
                content=ft.Chip(
                    label=ft.Text(app.t(f"photo.kind.{k.value}")),
                    selected=model.kind is k,
                    on_select=lambda e, k=k: model.set_kind(k),
                    show_checkmark=True,
                    disabled=model.processing,
                ),
            )
            for k in KINDS
        ],
    )
    body: list[ft.Control] = [
        ft.Text(app.t("capture.kind"), weight=ft.FontWeight.W_600),
        kind_row,
    ]
    if model.camera_open:
        body.append(CameraPanel(shot, model.close_camera, model.camera_failed))
    elif not model.has_photo:
        if model.camera_unavailable:
            body.append(
                ft.Semantics(
                    identifier="camera-unavailable",
                    content=ft.Text(app.t("capture.camera_unavailable"), color=ft.Colors.ERROR),
                )
            )
        body += [
            ft.Text(app.t("capture.hint"), size=13, color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Row(
                wrap=True,
                spacing=12,
                controls=[
                    ft.Semantics(
                        identifier="capture-camera",
                        content=ft.FilledButton(
                            app.t("capture.camera"),
                            icon=ft.Icons.PHOTO_CAMERA,
                            on_click=model.open_camera,
                            height=56,
                        ),
                    ),
                    ft.Semantics(
                        identifier="capture-gallery",
                        content=ft.OutlinedButton(
                            app.t("capture.gallery"),
                            icon=ft.Icons.PHOTO_LIBRARY,
                            on_click=pick,
                            height=56,
                        ),
                    ),
                ],
            ),
        ]
    else:
        preview: ft.Control = (
            ft.Image(src=model.preview, height=300, fit=ft.BoxFit.CONTAIN, border_radius=8)
            if model.preview
            else ft.Container(
                height=120,
                alignment=ft.Alignment.CENTER,
                content=ft.Text(app.t("capture.no_preview")),
            )
        )
        where: list[ft.Control] = [
            ft.Icon(
                ft.Icons.LOCATION_OFF if model.no_location else ft.Icons.LOCATION_ON,
                color=ft.Colors.ORANGE_800 if model.no_location else ft.Colors.GREEN_700,
                size=18,
            ),
            ft.Semantics(
                identifier="capture-location",
                content=ft.Text(
                    " · ".join(
                        p for p in (model.location, model.accuracy, model.location_origin) if p
                    ),
                    size=13,
                    color=ft.Colors.ORANGE_900 if model.no_location else None,
                ),
            ),
        ]
        if model.no_location:
            where.append(
                ft.TextButton(
                    app.t("capture.retry_location"),
                    on_click=current_fix,
                    disabled=model.locating,
                    height=48,
                )
            )
        body += [
            ft.Semantics(identifier="capture-preview", content=preview),
            ft.Row(wrap=True, controls=where),
        ]
        if model.no_location:
            body.append(
                ft.Semantics(
                    identifier="capture-no-location",
                    content=ft.Text(app.t("capture.no_location_warning"), size=12),
                )
            )
        body.append(
            ft.Row(
                spacing=12,
                controls=[
                    ft.Semantics(
                        identifier="capture-retake",
                        content=ft.OutlinedButton(
                            app.t("capture.retake"),
                            icon=ft.Icons.REPLAY,
                            on_click=model.retake,
                            disabled=model.processing,
                            height=48,
                        ),
                    ),
                    ft.Semantics(
                        identifier="capture-save",
                        content=ft.FilledButton(
                            app.t("capture.save"),
                            icon=ft.Icons.SAVE,
                            on_click=save,
                            disabled=model.processing or model.saved,
                            height=48,
                        ),
                    ),
                ],
            )
        )
    if model.notice:
        body.append(
            ft.Semantics(
                identifier="capture-storage-notice",
                content=ft.Text(model.notice, size=13, color=ft.Colors.ORANGE_900),
            )
        )
    if model.processing:
        body += [ft.ProgressBar(), ft.Text(app.t("capture.processing"), size=12)]
    if model.error:
        body.append(
            ft.Semantics(
                identifier="capture-error",
                content=ft.Text(model.error, color=ft.Colors.ERROR),
            )
        )
    for w in model.warnings:
        body.append(ft.Text(w, size=12, color=ft.Colors.ORANGE_900))
    return screen(
        session,
        route=f"/laporan/{report_id}/foto",
        title=app.t("capture.title"),
        body=body,
    )
