"""Dasbor kota: period, filters, key figures, month chart, tables, choropleth, drill-down.

Layout, top to bottom: the period (month / quarter / year / custom, with previous and
next), the filters (area of the current level, category, channel, status) and the
breadcrumb of the drill-down (Jakarta › kota › kecamatan › kelurahan); the key figures;
the month chart; the areas of the current level (a row opens it) beside the choropleth
of the kelurahan by late share; the category and channel tables; at a kelurahan, the
list of its reports. Every table can be downloaded (CSV), all of them at once as XLSX.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from functools import partial

import flet as ft

from domain import Status
from domain.categories import CATEGORIES, CHANNELS
from domain.city import AreaLevel, AreaRow, CityFigures, CountRow, PeriodKind

from ...i18n import Translator
from ...supervisor.views.cards import kpi as card
from ...supervisor.views.cards import section
from ...supervisor.views.charts import bar_chart
from ...supervisor.views.shell import CITY_NAV, role_view
from ...views.context import use_session
from ..model import CityModel
from ..state import city_model
from ..texts import category_label, channel_label, day, hours, month, number, share
from .choropleth import choropleth

log = logging.getLogger(__name__)

KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR, PeriodKind.CUSTOM)


def tap(
    intent: Callable[..., Awaitable[object]], *args: object
) -> Callable[[object], Awaitable[None]]:
    """A click handler that awaits an async intent (Flet awaits only async handlers;
    a lambda returning a coroutine would be dropped unawaited)."""

    async def handler(_e: object) -> None:
        await intent(*args)

    return handler


def kpis(f: CityFigures, tr: Translator) -> list[ft.Control]:
    t, lang = f.totals, tr.lang
    kpi = partial(card, prefix="city-kpi")
    return [
        kpi("reports", tr.t("city.kpi.reports"), number(t.reports, lang)),
        kpi("reporters", tr.t("city.kpi.reporters"), number(t.reporters, lang)),
        kpi(
            "per-day",
            tr.t("city.kpi.per_day"),
            number(t.per_day, lang, 1),
            tr.t("city.kpi.over_days", n=t.days),
        ),
        kpi(
            "peak",
            tr.t("city.kpi.peak"),
            day(t.peak_day, lang),
            tr.t(
                "city.kpi.peak_sub",
                reports=number(t.peak_reports, lang),
                reporters=number(t.peak_reporters, lang),
            ),
        ),
        kpi(
            "resolved",
            tr.t("city.kpi.resolved"),
            share(t.resolved_share, lang),
            tr.t("city.kpi.of", part=number(t.resolved, lang), whole=number(t.reports, lang)),
        ),
        kpi("coordination", tr.t("city.kpi.coordination"), hours(t.coordination_hours, tr)),
        kpi("completion", tr.t("city.kpi.completion"), hours(t.completion_hours, tr)),
        kpi(
            "on-time",
            tr.t("city.kpi.on_time"),
            share(t.on_time_share, lang),
            tr.t("city.kpi.of", part=number(t.on_time, lang), whole=number(t.played_out, lang)),
        ),
    ]


def data_table(headers: Sequence[tuple[str, bool]], rows: Sequence[ft.DataRow]) -> ft.Control:
    """A compact table, scrolled sideways when wider than the screen; (label, numeric)."""
    return ft.Row(
        scroll=ft.ScrollMode.AUTO,
        controls=[
            ft.DataTable(
                heading_row_height=36,
                data_row_min_height=32,
                data_row_max_height=36,
                columns=[ft.DataColumn(label=ft.Text(h), numeric=n) for h, n in headers],
                rows=list(rows),
            )
        ],
    )


def cell(text: str, colour: str | None = None) -> ft.DataCell:
    return ft.DataCell(content=ft.Text(text, color=colour))


def count_table(
    rows: Sequence[CountRow], label: Callable[[str], str], tr: Translator
) -> ft.Control:
    lang = tr.lang
    return data_table(
        [
            (tr.t("city.col.name"), False),
            (tr.t("city.col.reports"), True),
            (tr.t("city.col.reporters"), True),
            (tr.t("city.col.resolved"), True),
        ],
        [
            ft.DataRow(
                cells=[
                    cell(label(r.code)),
                    cell(number(r.reports, lang)),
                    cell(number(r.reporters, lang)),
                    cell(number(r.resolved, lang)),
                ]
            )
            for r in rows
        ],
    )


def area_list(
    rows: Sequence[AreaRow], model: CityModel, tr: Translator, openable: bool
) -> ft.Control:
    lang = tr.lang
    lines: list[ft.Control] = []
    for r in rows:
        name = r.name or tr.t("city.no_kelurahan")
        late = share(r.late_share, lang)
        text = ft.Text(
            f"{name} · {tr.t('city.area_line', reports=number(r.reports, lang), late=late)}"
        )
        if openable and r.code:
            lines.append(
                ft.Semantics(
                    identifier=f"city-area-{r.code}",
                    content=ft.TextButton(content=text, on_click=tap(model.drill, r.code)),
                )
            )
        else:
            lines.append(ft.Container(padding=ft.Padding.symmetric(horizontal=12), content=text))
    return ft.Column(spacing=0, controls=lines)


def report_table(model: CityModel, tr: Translator) -> ft.Control:
    page = model.reports
    if page is None:
        return ft.Container()
    lang = tr.lang
    rows = [
        ft.DataRow(
            cells=[
                cell(r.tracking_id),
                cell(category_label(r.category, lang)),
                cell(tr.t(f"status.{r.status}")),
                cell(day(datetime.fromisoformat(r.received_at).date(), lang)),
                cell(
                    tr.t("city.late") if r.late else tr.t("city.not_late"),
                    ft.Colors.RED_700 if r.late else None,
                ),
            ]
        )
        for r in page.reports
    ]
    controls: list[ft.Control] = [
        ft.Text(tr.t("city.reports_shown", shown=len(page.reports), total=page.total)),
        data_table(
            [
                (tr.t(f"city.col.{key}"), False)
                for key in ("tracking", "category", "status", "received", "sla")
            ],
            rows,
        ),
    ]
    if len(page.reports) < page.total:
        controls.append(
            ft.Semantics(
                identifier="city-more",
                content=ft.OutlinedButton(tr.t("city.more"), on_click=model.more_reports),
            )
        )
    return ft.Column(spacing=6, controls=controls)


def breadcrumb(model: CityModel, tr: Translator) -> ft.Control:
    crumbs: list[tuple[str | None, str]] = [(None, tr.t("city.jakarta"))]
    area = model.area or ""
    names = model.area_names
    parts = area.split(".")
    for depth in range(2, len(parts) + 1):
        prefix = ".".join(parts[:depth])
        crumbs.append((prefix, names.get(prefix, prefix)))
    controls: list[ft.Control] = []
    for i, (code, name) in enumerate(crumbs):
        if i:
            controls.append(ft.Icon(ft.Icons.CHEVRON_RIGHT, size=16))
        last = i == len(crumbs) - 1
        controls.append(
            ft.Semantics(
                identifier=f"city-crumb-{code or 'jakarta'}",
                content=ft.TextButton(
                    content=ft.Text(name, weight=ft.FontWeight.BOLD if last else None),
                    disabled=last,
                    on_click=tap(model.drill, code),
                ),
            )
        )
    return ft.Row(spacing=0, wrap=True, controls=controls)


def _dropdown(
    identifier: str,
    label: str,
    value: str | None,
    options: Sequence[tuple[str, str]],
    on_pick: Callable[[str | None], Awaitable[None]],
    tr: Translator,
    width: int = 220,
) -> ft.Control:
    async def picked(e: ft.Event[ft.Dropdown]) -> None:
        chosen = e.control.value or ""
        await on_pick(chosen if chosen != "*" else None)

    return ft.Semantics(
        identifier=identifier,
        content=ft.Dropdown(
            label=label,
            value=value or "*",
            width=width,
            dense=True,
            options=[ft.DropdownOption(key="*", text=tr.t("city.all"))]
            + [ft.DropdownOption(key=k, text=t) for k, t in options],
            on_select=picked,
        ),
    )


def period_row(model: CityModel, tr: Translator, page: ft.Page) -> ft.Control:
    async def pick_kind(e: ft.Event[ft.SegmentedButton]) -> None:
        chosen = e.control.selected
        if chosen:
            await model.set_kind(PeriodKind(next(iter(chosen))))

    def pick_date(which: str) -> None:
        current = model.period.start if which == "start" else model.period.end

        async def changed(e: ft.Event[ft.DatePicker]) -> None:
            value = e.control.value
            if value is None:
                return
            chosen = value.date() if isinstance(value, datetime) else value
            start, end = model.period.start, model.period.end
            if which == "start":
                start = chosen
            else:
                end = chosen
            await model.set_custom(start, end)

        page.show_dialog(
            ft.DatePicker(
                value=datetime.combine(current, datetime.min.time()),
                first_date=datetime(2016, 1, 1),
                last_date=datetime(date.today().year + 1, 12, 31),
                on_change=changed,
            )
        )

    lang = tr.lang
    label = f"{day(model.period.start, lang)} – {day(model.period.end, lang)}"
    controls: list[ft.Control] = [
        ft.Semantics(
            identifier="city-period-kind",
            content=ft.SegmentedButton(
                selected=[model.kind.value],
                allow_empty_selection=False,
                on_change=pick_kind,
                segments=[
                    ft.Segment(value=k.value, label=ft.Text(tr.t(f"city.period.{k.value}")))
                    for k in KINDS
                ],
            ),
        ),
        ft.Semantics(
            identifier="city-period-prev",
            content=ft.IconButton(
                ft.Icons.CHEVRON_LEFT,
                tooltip=tr.t("city.period.prev"),
                on_click=tap(model.shift, -1),
            ),
        ),
        ft.Semantics(
            identifier="city-period",
            content=ft.Text(label, weight=ft.FontWeight.W_600),
        ),
        ft.Semantics(
            identifier="city-period-next",
            content=ft.IconButton(
                ft.Icons.CHEVRON_RIGHT,
                tooltip=tr.t("city.period.next"),
                on_click=tap(model.shift, 1),
            ),
        ),
    ]
    if model.kind is PeriodKind.CUSTOM:
        controls += [
            ft.OutlinedButton(
                tr.t("city.period.from", day=day(model.period.start, lang)),
                icon=ft.Icons.CALENDAR_MONTH,
                on_click=lambda _e: pick_date("start"),
            ),
            ft.OutlinedButton(
                tr.t("city.period.to", day=day(model.period.end, lang)),
                icon=ft.Icons.CALENDAR_MONTH,
                on_click=lambda _e: pick_date("end"),
            ),
        ]
    return ft.Row(wrap=True, controls=controls)


def filter_row(model: CityModel, tr: Translator) -> ft.Control:
    lang = tr.lang
    f = model.figures
    level_key = {
        AreaLevel.KOTA: "city.filter.kota",
        AreaLevel.KECAMATAN: "city.filter.kecamatan",
        AreaLevel.KELURAHAN: "city.filter.kelurahan",
    }[model.query.area_level]
    areas = [(r.code, r.name) for r in (f.areas if f else ()) if r.code]

    async def pick_area(code: str | None) -> None:
        if code:
            await model.drill(code)

    controls: list[ft.Control] = []
    if not model.at_kelurahan:
        controls.append(
            _dropdown(
                "city-filter-area",
                tr.t(level_key),
                None,
                sorted(areas, key=lambda a: a[1]),
                pick_area,
                tr,
            )
        )
    controls += [
        _dropdown(
            "city-filter-category",
            tr.t("city.filter.category"),
            model.category,
            sorted(((c, category_label(c, lang)) for c in CATEGORIES), key=lambda a: a[1]),
            lambda v: model.set_filter("category", v),
            tr,
            260,
        ),
        _dropdown(
            "city-filter-channel",
            tr.t("city.filter.channel"),
            model.channel,
            [(c, channel_label(c)) for c in CHANNELS],
            lambda v: model.set_filter("channel", v),
            tr,
        ),
        _dropdown(
            "city-filter-status",
            tr.t("city.filter.status"),
            model.status,
            [(s.value, tr.t(f"status.{s.value}")) for s in Status],
            lambda v: model.set_filter("status", v),
            tr,
            200,
        ),
    ]
    return ft.Row(wrap=True, controls=controls)


@ft.component
def CityDashboard() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    model = city_model(session)
    ft.use_state(model)
    tr = app.tr
    page = ft.context.page

    ft.on_mounted(model.refresh)

    async def download(fmt: str, table: str | None = None) -> None:
        result = await model.export(fmt, table)
        if result is None:
            return
        data, name = result
        try:
            saved = await ft.FilePicker().save_file(
                dialog_title=tr.t("city.export.title"), file_name=name, src_bytes=data
            )
        except Exception as exc:  # no save dialog on this platform
            log.info("save dialog failed: %s", exc)
            model.save_failed()
            return
        # The browser's download has no path to report; a cancelled dialog gives None.
        shown = name if page.web else saved
        if shown:
            app.say(tr.t("city.export.saved", name=shown))

    def csv_button(table: str) -> ft.Control:
        return ft.Semantics(
            identifier=f"city-csv-{table}",
            content=ft.TextButton(
                tr.t("city.export.csv"),
                icon=ft.Icons.DOWNLOAD,
                on_click=tap(download, "csv", table),
            ),
        )

    body: list[ft.Control] = [
        period_row(model, tr, page),
        filter_row(model, tr),
        ft.Row(
            controls=[
                breadcrumb(model, tr),
                ft.Container(expand=True),
                ft.Semantics(
                    identifier="city-xlsx",
                    content=ft.OutlinedButton(
                        tr.t("city.export.xlsx"),
                        icon=ft.Icons.TABLE_VIEW,
                        on_click=tap(download, "xlsx"),
                    ),
                ),
            ]
        ),
        ft.ProgressBar(height=2) if model.loading else ft.Container(height=2),
    ]
    if model.error:
        body.append(
            ft.Semantics(
                identifier="city-error",
                content=ft.Container(
                    padding=10,
                    border_radius=8,
                    bgcolor=ft.Colors.ERROR_CONTAINER,
                    content=ft.Text(model.error, color=ft.Colors.ON_ERROR_CONTAINER),
                ),
            )
        )
    f = model.figures
    if f is not None:
        lang = tr.lang
        if f.query != model.query:
            # The answer on screen is for an earlier question (the last one failed or is
            # still on its way): say which, so no figure is read against the wrong period.
            shown = f"{day(f.query.period.start, lang)} – {day(f.query.period.end, lang)}"
            body.append(
                ft.Semantics(
                    identifier="city-stale",
                    content=ft.Text(
                        tr.t("city.stale", period=shown), color=ft.Colors.DEEP_ORANGE_700
                    ),
                )
            )
        body.append(ft.Row(wrap=True, spacing=10, run_spacing=10, controls=kpis(f, tr)))
        body.append(
            section(
                tr.t("city.months"),
                bar_chart(
                    [(month(m.month, lang), m.reports) for m in f.months],
                    identifier="city-chart-months",
                    colour=ft.Colors.INDIGO_400,
                    label_chars=8,
                ),
                identifier="city-months",
                trailing=csv_button("bulan"),
            )
        )
        level = tr.t(f"city.level.{f.query.area_level.value}")
        body.append(
            ft.ResponsiveRow(
                controls=[
                    ft.Container(
                        col={"xs": 12, "lg": 5},
                        content=section(
                            tr.t("city.areas", level=level),
                            area_list(f.areas, model, tr, openable=not model.at_kelurahan),
                            identifier="city-areas",
                            trailing=csv_button("wilayah"),
                        ),
                    ),
                    ft.Container(
                        col={"xs": 12, "lg": 7},
                        content=section(
                            tr.t("city.map"),
                            choropleth(f, model, tr),
                            identifier="city-map",
                        ),
                    ),
                ]
            )
        )
        body.append(
            ft.ResponsiveRow(
                controls=[
                    ft.Container(
                        col={"xs": 12, "lg": 6},
                        content=section(
                            tr.t("city.categories"),
                            count_table(f.categories, lambda c: category_label(c, lang), tr),
                            identifier="city-categories",
                            trailing=csv_button("kategori"),
                        ),
                    ),
                    ft.Container(
                        col={"xs": 12, "lg": 6},
                        content=section(
                            tr.t("city.channels"),
                            count_table(f.channels, channel_label, tr),
                            identifier="city-channels",
                            trailing=csv_button("kanal"),
                        ),
                    ),
                ]
            )
        )
        if model.reports is not None:
            body.append(
                section(
                    tr.t("city.reports"),
                    report_table(model, tr),
                    identifier="city-reports",
                    trailing=csv_button("laporan"),
                )
            )
    return role_view(
        session,
        route="/",
        title=tr.t("city.title"),
        body=body,
        nav=CITY_NAV,
        selected=0,
        actions=[
            ft.IconButton(ft.Icons.REFRESH, tooltip=tr.t("city.refresh"), on_click=model.refresh)
        ],
    )
