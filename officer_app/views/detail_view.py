"""Detail laporan: the report, where it is, what can be done now, photos, timeline.

Two passes: the first render of a newly opened report sends the frame and the header
(status, time left, place) only; the actions, photos, description and timeline follow
`SECOND_PASS_S` later, once the client has painted the header. Most of the time to open
a report is the client's layout of what the patch carries (the server's part, click to
patch sent, is ~40-60 ms), so a smaller first patch shows the status sooner
(bench/bench_app.py: ~260-300 ms in one pass, ~200-250 ms in two). Every later render
(a reload, a form) is complete.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import flet as ft

from ..state.detail import DetailModel
from .action_form import ActionFormHost
from .action_panel import ActionPanel
from .context import use_model, use_session
from .frame import screen
from .photo_strip import PhotoStrip
from .photo_viewer import PhotoViewerHost
from .report_header import ReportHeader
from .timeline_list import TimelineList

# Long enough for the web client to finish the header's frame (~150 ms in the benchmark)
# before the rest arrives: with 0.1 s the second patch landed inside that frame and the
# status showed no sooner than in one pass. Short enough not to be seen as a wait.
SECOND_PASS_S = 0.25


@ft.component
def DetailView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    params = ft.use_route_params()
    report_id = params.get("rid", "")

    queue, _ = ft.use_state(session.queue)

    def opened() -> DetailModel:
        model = DetailModel(session, report_id=report_id)
        model.load_now(queue.loaded_at)  # the first paint already shows the report
        return model

    model = use_model(opened)
    ft.on_unmounted(model.close)  # the retention sweep may touch it again

    async def reload() -> None:
        await model.reload_if_changed(queue.loaded_at)

    # Load on open, and again whenever the queue reloads (after a sync or an action).
    ft.use_effect(reload, dependencies=[queue.loaded_at])

    complete, set_complete = ft.use_state(False)

    async def second_pass() -> None:
        await asyncio.sleep(SECOND_PASS_S)
        set_complete(True)

    ft.on_mounted(second_pass)

    route = f"/laporan/{report_id}"
    if model.loading:
        body: list[ft.Control] = [ft.ProgressBar()]
    elif model.missing or model.detail is None:
        body = [
            ft.Semantics(
                identifier="detail-missing",
                content=ft.Text(model.gone or app.t("detail.missing")),
            ),
            ft.Row(
                wrap=True,
                controls=[
                    ft.Semantics(
                        identifier="detail-missing-queue",
                        content=ft.FilledButton(
                            app.t("detail.to_queue"),
                            icon=ft.Icons.LIST_ALT,
                            on_click=lambda: session.navigate("/"),
                            height=48,
                        ),
                    ),
                    ft.Semantics(
                        identifier="detail-missing-attention",
                        content=ft.OutlinedButton(
                            app.t("nav.attention"),
                            icon=ft.Icons.REPORT_PROBLEM_OUTLINED,
                            on_click=lambda: session.navigate("/perhatian"),
                            height=48,
                        ),
                    ),
                ],
            ),
        ]
    else:
        body = [ReportHeader(model)]
        if model.returned is not None:
            body.insert(0, _returned_banner(model, app.t))
        if complete:
            body += _lower_half(model, app.t)
    if model.form is not None and complete:
        body.append(
            ActionFormHost(
                model.form,
                model.submit_form,
                model.cancel_form,
                model.colleagues,
                key=str(id(model.form)),
            )
        )
    if model.viewing is not None and complete:
        body.append(PhotoViewerHost(model, model.viewing, key=model.viewing.sha256))
    title = model.header.get("tracking_id", app.t("detail.title"))
    return screen(session, route=route, title=title, body=body)


def _returned_banner(model: DetailModel, t: Callable[..., str]) -> ft.Control:
    """Dikembalikan: the validator's note, who and when, and what is needed now."""
    back = model.returned
    assert back is not None
    return ft.Semantics(
        identifier="detail-returned",
        content=ft.Container(
            bgcolor=ft.Colors.ORANGE_50,
            border=ft.Border.all(1, ft.Colors.ORANGE_700),
            border_radius=8,
            padding=10,
            content=ft.Column(
                spacing=4,
                controls=[
                    ft.Row(
                        spacing=6,
                        controls=[
                            ft.Icon(ft.Icons.UNDO, color=ft.Colors.ORANGE_800, size=18),
                            ft.Text(t("detail.returned.title"), weight=ft.FontWeight.W_600),
                        ],
                    ),
                    ft.Text(back.note or "-"),
                    ft.Text(
                        t("detail.returned.by", name=back.by, time=back.at),
                        size=12,
                        color=ft.Colors.ON_SURFACE_VARIANT,
                    ),
                    ft.Text(
                        t(
                            "detail.returned.new_photo"
                            if back.needs_photo
                            else "detail.returned.ready"
                        ),
                        size=12,
                        weight=ft.FontWeight.W_600,
                        color=ft.Colors.ORANGE_900 if back.needs_photo else ft.Colors.GREEN_800,
                    ),
                ],
            ),
        ),
    )


def _lower_half(model: DetailModel, t: Callable[..., str]) -> list[ft.Control]:
    """What follows the header: actions, photos, description, timeline."""
    return [
        ActionPanel(model),
        PhotoStrip(model),
        ft.Text(t("detail.description"), weight=ft.FontWeight.W_600),
        ft.Semantics(
            identifier="detail-description",
            content=ft.Text(model.header["description"] or "-", selectable=True),
        ),
        TimelineList(model),
    ]
