"""Dasbor: the unit's key figures, the period, and the charts."""

from __future__ import annotations

import flet as ft

from domain import Status
from local_db.figures import DashboardFigures

from ...format import category_name, wib
from ...i18n import Translator
from ...views.context import use_session
from ..dashboard import PERIODS
from ..state import supervisor_state
from ..texts import duration_text, share_text
from .cards import kpi, section
from .charts import bar_chart, ranked_bars
from .shell import SUPERVISOR_NAV, role_view

STATUS_ORDER = tuple(Status)


def kpis(f: DashboardFigures, tr: Translator) -> list[ft.Control]:
    within = f.within_sla
    return [
        kpi("open", tr.t("supervisor.kpi.open"), str(f.sla_active)),
        kpi("overdue", tr.t("supervisor.kpi.overdue"), str(f.overdue), colour=ft.Colors.RED_700),
        kpi(
            "due24",
            tr.t("supervisor.kpi.due_24h"),
            str(f.due_24h),
            colour=ft.Colors.DEEP_ORANGE_600,
        ),
        kpi("today", tr.t("supervisor.kpi.received_today"), str(f.received_today)),
        kpi(
            "coordination",
            tr.t("supervisor.kpi.coordination"),
            duration_text(f.coordination.value, tr),
            tr.t("supervisor.kpi.over_n", n=f.coordination.n),
        ),
        kpi(
            "completion",
            tr.t("supervisor.kpi.completion"),
            duration_text(f.completion.value, tr),
            tr.t("supervisor.kpi.over_n", n=f.completion.n),
        ),
        kpi(
            "within",
            tr.t("supervisor.kpi.within_sla"),
            share_text(within, tr),
            tr.t("supervisor.kpi.share", part=within.part, whole=within.whole),
        ),
    ]


@ft.component
def SupervisorDashboard() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    state = supervisor_state(session)
    model, _ = ft.use_state(state.dashboard)
    tr = app.tr

    ft.on_mounted(model.refresh)

    async def pick_days(e: ft.Event[ft.SegmentedButton]) -> None:
        chosen = e.control.selected
        if chosen:
            await model.set_days(int(next(iter(chosen))))

    period = ft.Semantics(
        identifier="dashboard-period",
        content=ft.SegmentedButton(
            selected=[str(model.days)],
            allow_empty_selection=False,
            on_change=pick_days,
            segments=[
                ft.Segment(value=str(d), label=ft.Text(tr.t("supervisor.dashboard.days", n=d)))
                for d in PERIODS
            ],
        ),
    )
    body: list[ft.Control] = [
        ft.Row(
            controls=[
                ft.Text(tr.t("supervisor.dashboard.period"), weight=ft.FontWeight.W_600),
                period,
                ft.Text(
                    tr.t("supervisor.as_of", time=wib(model.loaded_at, tr))
                    if model.loaded_at
                    else "",
                    size=12,
                    color=ft.Colors.ON_SURFACE_VARIANT,
                ),
            ],
            wrap=True,
        ),
        ft.ProgressBar(height=2) if model.loading else ft.Container(height=2),
    ]
    f = model.figures
    if f is not None:
        days = model.days
        body.append(ft.Row(wrap=True, spacing=10, run_spacing=10, controls=kpis(f, tr)))
        statuses = [(tr.t(f"status.{s.value}"), f.by_status.get(s, 0)) for s in STATUS_ORDER]
        body.append(
            section(
                tr.t("supervisor.dashboard.by_status"),
                bar_chart(
                    statuses,
                    identifier="chart-status",
                    colour=ft.Colors.INDIGO_400,
                    label_chars=14,
                    legend_top=8,
                ),
            )
        )
        body.append(
            section(
                tr.t("supervisor.dashboard.by_day", n=days),
                bar_chart(
                    [(d.day.strftime("%d/%m"), d.count) for d in f.by_day],
                    identifier="chart-day",
                    label_every=max(1, len(f.by_day) // 6),
                ),
            )
        )
        cats = [(category_name(c.key, app.lang), c.count) for c in f.by_category[:10]]
        kels = [
            (c.label or tr.t("supervisor.dashboard.no_kelurahan"), c.count)
            for c in f.by_kelurahan[:10]
        ]
        body.append(
            ft.ResponsiveRow(
                controls=[
                    ft.Container(
                        col={"xs": 12, "lg": 6},
                        content=section(
                            tr.t("supervisor.dashboard.by_category", n=days),
                            ranked_bars(
                                cats, identifier="chart-category", colour=ft.Colors.AMBER_700
                            ),
                        ),
                    ),
                    ft.Container(
                        col={"xs": 12, "lg": 6},
                        content=section(
                            tr.t("supervisor.dashboard.by_kelurahan", n=days),
                            ranked_bars(
                                kels, identifier="chart-kelurahan", colour=ft.Colors.GREEN_600
                            ),
                        ),
                    ),
                ]
            )
        )
    return role_view(
        session,
        route="/",
        title=tr.t("supervisor.dashboard.title"),
        body=body,
        nav=SUPERVISOR_NAV,
        selected=0,
        actions=[
            ft.IconButton(
                ft.Icons.REFRESH, tooltip=tr.t("supervisor.refresh"), on_click=model.refresh
            )
        ],
    )
