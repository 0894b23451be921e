"""Pantauan SLA: reports past the deadline and reports at risk, with who holds each."""

from __future__ import annotations

from functools import partial

import flet as ft

from local_db.figures import WatchItem

from ...i18n import Translator
from ...state.session import Session
from ...views.context import use_session
from ..open_report import open_report
from ..state import supervisor_state
from ..texts import holder_text
from .report_line import report_line
from .shell import SUPERVISOR_NAV, role_view
from .shown import use_refresh_when_shown

ROUTE = "/sla"


def watch_list(
    session: Session, items: list[WatchItem], tr: Translator, prefix: str, empty: str
) -> list[ft.Control]:
    if not items:
        return [ft.Text(empty, color=ft.Colors.ON_SURFACE_VARIANT)]
    return [
        report_line(
            w.item,
            tr,
            identifier=f"{prefix}-{w.item.report.tracking_id}",
            extra=holder_text(w, tr),
            on_open=partial(open_report, session, ROUTE, w.item.report.id),
        )
        for w in items
    ]


@ft.component
def SlaWatchView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    model, _ = ft.use_state(supervisor_state(session).sla)
    tr = app.tr
    use_refresh_when_shown(ROUTE, model.refresh)

    body: list[ft.Control] = [
        ft.Semantics(
            identifier="sla-breaches",
            content=ft.Text(
                tr.t("supervisor.sla.breaches", n=len(model.breaches)),
                weight=ft.FontWeight.W_600,
                color=ft.Colors.RED_700,
            ),
        ),
        *watch_list(session, model.breaches, tr, "breach", tr.t("supervisor.sla.empty_breaches")),
        ft.Divider(),
        ft.Semantics(
            identifier="sla-at-risk",
            content=ft.Text(
                tr.t("supervisor.sla.at_risk", n=len(model.at_risk)),
                weight=ft.FontWeight.W_600,
                color=ft.Colors.DEEP_ORANGE_700,
            ),
        ),
        *watch_list(session, model.at_risk, tr, "risk", tr.t("supervisor.sla.empty_at_risk")),
    ]
    return role_view(
        session,
        route=ROUTE,
        title=tr.t("supervisor.sla.title"),
        body=body,
        nav=SUPERVISOR_NAV,
        selected=3,
        actions=[
            ft.IconButton(
                ft.Icons.REFRESH, tooltip=tr.t("supervisor.refresh"), on_click=model.refresh
            )
        ],
    )
