"""Detail laporan: the report, where it is, what can be done now, photos, timeline."""

from __future__ import annotations

import flet as ft

from ..state.detail import DetailModel
from .action_form import ActionFormHost
from .action_panel import ActionPanel
from .context import use_model, use_session
from .frame import screen
from .photo_strip import PhotoStrip
from .report_header import ReportHeader
from .timeline_list import TimelineList


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

    async def reload() -> None:
        await model.reload_if_changed(queue.loaded_at)

    # Load on open, and again whenever the queue reloads (after a sync or an action).
    ft.use_effect(reload, dependencies=[queue.loaded_at])

    route = f"/laporan/{report_id}"
    if model.loading:
        body: list[ft.Control] = [ft.ProgressBar()]
    elif model.missing or model.detail is None:
        body = [
            ft.Semantics(
                identifier="detail-missing",
                content=ft.Text(app.t("detail.missing"), color=ft.Colors.ON_SURFACE_VARIANT),
            )
        ]
    else:
        h = model.header
        body = [
            ReportHeader(model),
            ActionPanel(model),
            PhotoStrip(model),
            ft.Text(app.t("detail.description"), weight=ft.FontWeight.W_600),
            ft.Semantics(
                identifier="detail-description",
                content=ft.Text(h["description"] or "-", selectable=True),
            ),
            TimelineList(model),
        ]
    if model.form is not None:
        body.append(
            ActionFormHost(
                model.form,
                model.submit_form,
                model.cancel_form,
                model.colleagues,
                key=str(id(model.form)),
            )
        )
    title = model.header.get("tracking_id", app.t("detail.title"))
    return screen(session, route=route, title=title, body=body)
