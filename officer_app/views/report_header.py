"""The top of Detail laporan: what, how urgent, where (with the maps button)."""

from __future__ import annotations

import flet as ft

from ..state.detail import DetailModel
from .context import use_session
from .style import colour, icon


def _line(icon_name: ft.IconData, text: str, ident: str | None = None) -> ft.Control:
    label: ft.Control = ft.Text(text, size=13)
    if ident:
        label = ft.Semantics(identifier=ident, content=label)
    return ft.Row(
        spacing=8,
        vertical_alignment=ft.CrossAxisAlignment.START,
        controls=[
            ft.Icon(icon_name, size=18, color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Container(content=label, expand=True),
        ],
    )


@ft.component
def ReportHeader(model: DetailModel) -> ft.Control:
    session = use_session()
    app = session.app
    h = model.header
    chip = colour(h["colour"])

    async def open_maps() -> None:
        url = model.maps_url(mobile=session.platform.mobile if session.platform else False)
        if url and session.platform is not None:
            opened = await session.platform.launch(url)
            if not opened:
                app.say(app.t("detail.maps_failed"))

    rows: list[ft.Control] = [
        ft.Row(
            vertical_alignment=ft.CrossAxisAlignment.START,
            controls=[
                ft.CircleAvatar(
                    content=ft.Icon(icon(h["icon"]), color=ft.Colors.WHITE),
                    bgcolor=chip,
                    radius=22,
                ),
                ft.Column(
                    spacing=2,
                    expand=True,
                    controls=[
                        ft.Semantics(
                            identifier="detail-title",
                            content=ft.Text(h["title"], size=17, weight=ft.FontWeight.W_600),
                        ),
                        ft.Text(f"{h['category']} · {h['channel']}", size=12),
                    ],
                ),
            ],
        ),
        ft.Row(
            wrap=True,
            spacing=6,
            run_spacing=6,
            controls=[
                ft.Semantics(
                    identifier="detail-status",
                    content=ft.Container(
                        padding=ft.Padding.symmetric(horizontal=10, vertical=4),
                        border_radius=12,
                        bgcolor=ft.Colors.SECONDARY_CONTAINER,
                        content=ft.Text(h["status"], size=12),
                    ),
                ),
                ft.Semantics(
                    identifier="detail-time-left",
                    content=ft.Container(
                        padding=ft.Padding.symmetric(horizontal=10, vertical=4),
                        border_radius=12,
                        bgcolor=chip,
                        content=ft.Text(h["time_left"], size=12, color=ft.Colors.WHITE),
                    ),
                ),
                ft.Container(
                    padding=ft.Padding.symmetric(horizontal=10, vertical=4),
                    border_radius=12,
                    border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
                    content=ft.Text(h["public"], size=12),
                ),
            ],
        ),
    ]
    if model.pending:
        rows.append(
            ft.Semantics(
                identifier="detail-not-sent",
                content=ft.Container(
                    padding=8,
                    border_radius=8,
                    bgcolor=ft.Colors.ORANGE_50,
                    content=ft.Row(
                        controls=[
                            ft.Icon(ft.Icons.CLOUD_UPLOAD, color=ft.Colors.ORANGE_800, size=18),
                            ft.Text(
                                app.t("detail.not_sent", n=model.pending),
                                size=13,
                                color=ft.Colors.ORANGE_900,
                                expand=True,
                            ),
                        ]
                    ),
                ),
            )
        )
    for note in model.attention:
        rows.append(
            ft.Semantics(
                identifier="detail-attention",
                content=ft.Container(
                    padding=8,
                    border_radius=8,
                    bgcolor=ft.Colors.ERROR_CONTAINER,
                    content=ft.Row(
                        controls=[
                            ft.Icon(ft.Icons.REPORT_PROBLEM, color=ft.Colors.ERROR, size=18),
                            ft.Text(note, size=13, expand=True),
                        ]
                    ),
                ),
            )
        )
    rows += [
        _line(ft.Icons.SCHEDULE, app.t("detail.deadline", date=h["deadline"])),
        _line(ft.Icons.INBOX, app.t("detail.received", date=h["received"])),
        _line(ft.Icons.TRENDING_UP, app.t("detail.progress", pct=h["progress"]), "detail-progress"),
    ]
    if h["extension"]:
        rows.append(_line(ft.Icons.EVENT, h["extension"], "detail-extension"))
    if h["assignee"]:
        rows.append(_line(ft.Icons.BADGE, app.t("detail.assignee", name=h["assignee"])))
    if h["unit"]:
        rows.append(_line(ft.Icons.ACCOUNT_BALANCE, h["unit"]))
    rows.append(_line(ft.Icons.PLACE, h["place"] or "-", "detail-address"))
    where = h["coords"] + (
        f" · {app.t('detail.distance', d=h['distance'])}" if h["distance"] else ""
    )
    rows.append(
        ft.Row(
            controls=[
                ft.Icon(ft.Icons.MY_LOCATION, size=18, color=ft.Colors.ON_SURFACE_VARIANT),
                ft.Text(where, size=13, expand=True),
                ft.Semantics(
                    identifier="detail-maps",
                    content=ft.OutlinedButton(
                        app.t("detail.open_maps"),
                        icon=ft.Icons.MAP,
                        on_click=open_maps,
                        disabled=h["coords"] == "-",
                        height=48,
                    ),
                ),
            ]
        )
    )
    return ft.Card(content=ft.Container(padding=12, content=ft.Column(spacing=8, controls=rows)))
