"""Antrian validasi: what waits, longest waiting first, with how long it has waited."""

from __future__ import annotations

import flet as ft

from local_db.figures import WaitingItem

from ...i18n import Translator
from ...state.session import Session
from ...supervisor.texts import duration_text
from ...supervisor.views.report_line import report_line
from ...supervisor.views.shell import VALIDATOR_NAV, role_view
from ...views.context import use_session
from ..state import validator_state


def waiting_line(w: WaitingItem, tr: Translator, session: Session) -> ft.Control:
    r = w.item.report
    extra = " · ".join(
        p
        for p in (
            w.item.view.assignee_name,
            tr.t("validator.queue.waited", time=duration_text(w.waited, tr)),
            tr.t("validator.queue.rework", n=r.rework_count) if r.rework_count else "",
        )
        if p
    )
    return ft.Container(
        on_click=lambda: session.navigate(f"/validasi/{r.id}"),
        ink=True,
        border_radius=8,
        content=report_line(w.item, tr, identifier=f"waiting-{r.tracking_id}", extra=extra),
    )


@ft.component
def ValidationQueueView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    state = validator_state(session)
    queue, _ = ft.use_state(state.queue)
    tr = app.tr

    async def load() -> None:
        await queue.refresh()
        await queue.prefetch()

    ft.on_mounted(load)

    body: list[ft.Control] = [
        ft.Text(tr.t("validator.queue.title", n=len(queue.rows)), weight=ft.FontWeight.W_600),
        *[waiting_line(w, tr, session) for w in queue.rows],
    ]
    if not queue.rows:
        body.append(ft.Text(tr.t("validator.queue.empty"), color=ft.Colors.ON_SURFACE_VARIANT))
    return role_view(
        session,
        route="/",
        title=tr.t("validator.nav.queue"),
        body=body,
        nav=VALIDATOR_NAV,
        selected=0,
        actions=[
            ft.IconButton(ft.Icons.REFRESH, tooltip=tr.t("supervisor.refresh"), on_click=load)
        ],
    )
