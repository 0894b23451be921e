"""Antrian validasi: what waits, most urgent by SLA first, with how long it has waited,
its red flags, a search by tracking id and filters."""

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


def waiting_line(w: WaitingItem, tr: Translator, session: Session, red: int) -> ft.Control:
    r = w.item.report
    extra = " · ".join(
        p
        for p in (
            w.item.view.assignee_name,
            tr.t("validator.queue.waited", time=duration_text(w.waited, tr)),
            tr.t("validator.queue.rework", n=r.rework_count) if r.rework_count else "",
            "⚠ " + tr.t("validator.queue.flags", n=red) if red else "",
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

    officer_choice = ft.Dropdown(
        width=220,
        dense=True,
        value=queue.officer or "",
        options=[ft.DropdownOption(key="", text=tr.t("validator.queue.all_officers"))]
        + [ft.DropdownOption(key=name, text=name) for name in queue.officers],
        on_select=lambda e: queue.set_officer(e.control.value or ""),
    )
    tools = ft.Row(
        wrap=True,
        vertical_alignment=ft.CrossAxisAlignment.CENTER,
        controls=[
            ft.Semantics(
                identifier="queue-search",
                content=ft.TextField(
                    width=240,
                    dense=True,
                    prefix_icon=ft.Icons.SEARCH,
                    hint_text=tr.t("validator.queue.search"),
                    value=queue.search,
                    on_change=lambda e: queue.set_search(e.control.value or ""),
                ),
            ),
            ft.Semantics(
                identifier="filter-flagged",
                content=ft.Chip(
                    label=ft.Text(tr.t("validator.queue.only_flagged")),
                    selected=queue.only_flagged,
                    on_select=lambda: queue.toggle_flagged(),
                ),
            ),
            ft.Semantics(
                identifier="filter-waiting",
                content=ft.Chip(
                    label=ft.Text(tr.t("validator.queue.waiting_long")),
                    selected=queue.waiting_long,
                    on_select=lambda: queue.toggle_waiting_long(),
                ),
            ),
            ft.Semantics(identifier="filter-officer", content=officer_choice),
        ],
    )
    body: list[ft.Control] = [
        ft.Semantics(
            identifier="queue-count",
            content=ft.Text(
                tr.t("validator.queue.title", n=queue.total), weight=ft.FontWeight.W_600
            ),
        ),
        tools,
        ft.Text(
            tr.t("validator.queue.sorted")
            + (
                " · " + tr.t("validator.queue.shown", shown=len(queue.rows), n=queue.total)
                if len(queue.rows) != queue.total
                else ""
            ),
            size=12,
            color=ft.Colors.ON_SURFACE_VARIANT,
        ),
        *[waiting_line(w, tr, session, queue.red.get(w.item.report.id, 0)) for w in queue.rows],
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
