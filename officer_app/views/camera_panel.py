"""The live camera (flet-camera) with a shutter button; the shot goes to the capture model.

The `Camera` control is created once per panel (kept in a state hook, so every render
returns the same mounted control) and initialised when the panel mounts with the back
camera. A platform without a camera (a desktop, a headless browser) says so and the
officer uses the gallery instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import flet as ft
import flet_camera as fc

from .context import use_session

log = logging.getLogger(__name__)

INIT_TIMEOUT_S = 15


@ft.component
def CameraPanel(
    on_shot: Callable[[bytes], Awaitable[None]],
    on_close: Callable[[], None],
    on_unavailable: Callable[[], None],
) -> ft.Control:
    session = use_session()
    app = session.app
    camera, _ = ft.use_state(lambda: fc.Camera(expand=True, preview_enabled=True))
    ready, set_ready = ft.use_state(False)
    busy, set_busy = ft.use_state(False)

    async def start() -> None:
        try:
            cameras = await asyncio.wait_for(camera.get_available_cameras(), INIT_TIMEOUT_S)
            if not cameras:
                raise RuntimeError("no camera")
            back = next(
                (c for c in cameras if c.lens_direction == fc.CameraLensDirection.BACK),
                cameras[0],
            )
            await asyncio.wait_for(
                camera.initialize(
                    back,
                    fc.ResolutionPreset.VERY_HIGH,
                    enable_audio=False,
                    image_format_group=fc.ImageFormatGroup.JPEG,
                ),
                INIT_TIMEOUT_S,
            )
        except Exception as exc:  # no camera, no permission, no plugin on this platform
            log.info("camera unavailable: %s", exc)
            on_unavailable()
            return
        set_ready(True)

    ft.on_mounted(start)

    async def shoot() -> None:
        set_busy(True)
        try:
            data = await camera.take_picture()
        except Exception as exc:
            log.info("take_picture failed: %s", exc)
            app.say(app.t("capture.camera_failed"))
            return
        finally:
            set_busy(False)
        await on_shot(data)

    return ft.Column(
        spacing=8,
        controls=[
            ft.Container(height=360, border_radius=8, content=camera),
            ft.Row(
                alignment=ft.MainAxisAlignment.CENTER,
                controls=[
                    ft.TextButton(app.t("common.cancel"), on_click=on_close, height=48),
                    ft.Semantics(
                        identifier="camera-shoot",
                        content=ft.FilledButton(
                            app.t("capture.shoot"),
                            icon=ft.Icons.CAMERA,
                            on_click=shoot,
                            disabled=not ready or busy,
                            height=56,
                        ),
                    ),
                ],
            ),
        ],
    )
