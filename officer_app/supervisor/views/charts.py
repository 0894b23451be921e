"""Bar charts with their numbers beside them.

`bar_chart` (flet-charts) for short labels on an axis (statuses, days). A canvas chart
says nothing to a screen reader or a test, so it comes with its largest values as text
under it (`legend_top` of them). `ranked_bars` for long names (categories, kelurahan):
plain rows of label, bar and number, whose labels cannot overlap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import flet as ft
import flet_charts as fch


def bar_chart(
    bars: Sequence[tuple[str, int]],
    *,
    identifier: str,
    colour: str = ft.Colors.TEAL_400,
    label_every: int = 1,
    label_chars: int = 10,
    height: float = 220,
    legend_top: int = 0,
) -> ft.Control:
    """One rod per (label, value); every `label_every`-th label under the axis."""
    top = max((v for _, v in bars), default=0)
    chart = fch.BarChart(
        height=height,
        expand=True,
        interactive=True,
        max_y=math.ceil(max(1, top) * 1.15),
        group_spacing=4 if len(bars) > 15 else 12,
        left_axis=fch.ChartAxis(label_size=36, show_max=False),
        bottom_axis=fch.ChartAxis(
            label_size=28,
            labels=[
                fch.ChartAxisLabel(
                    value=i,
                    label=ft.Text(_short(label, label_chars), size=10, no_wrap=True),
                )
                for i, (label, _) in enumerate(bars)
                if i % label_every == 0
            ],
        ),
        horizontal_grid_lines=fch.ChartGridLines(color=ft.Colors.OUTLINE_VARIANT, width=0.5),
        groups=[
            fch.BarChartGroup(
                x=i,
                rods=[
                    fch.BarChartRod(
                        to_y=value,
                        width=8 if len(bars) > 15 else 18,
                        color=colour,
                        border_radius=2,
                        tooltip=f"{label}: {value}",
                    )
                ],
            )
            for i, (label, value) in enumerate(bars)
        ],
    )
    controls: list[ft.Control] = [chart]
    if legend_top:
        best = sorted(bars, key=lambda b: -b[1])[:legend_top]
        controls.append(ft.Text(" · ".join(f"{label} {value}" for label, value in best), size=12))
    return ft.Semantics(
        identifier=identifier,
        container=True,
        content=ft.Column(controls=controls, spacing=4),
    )


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def bar_shares(bars: Sequence[tuple[str, int]]) -> list[tuple[str, int, float]]:
    """(label, value, share of the largest value) per bar, largest first."""
    top = max((v for _, v in bars), default=0)
    ranked = sorted(bars, key=lambda b: -b[1])
    return [(label, value, value / top if top else 0.0) for label, value in ranked]


def ranked_bars(
    bars: Sequence[tuple[str, int]],
    *,
    identifier: str,
    colour: str = ft.Colors.TEAL_400,
    label_width: float = 150,
) -> ft.Control:
    """Horizontal bars, one row per (label, value), largest first: the whole label on
    its own line start, so long names (categories, kelurahan) never overlap as they did
    under a vertical chart's axis."""
    rows: list[ft.Control] = []
    for label, value, share in bar_shares(bars):
        rows.append(
            ft.Row(
                spacing=8,
                controls=[
                    ft.Text(label, size=12, width=label_width, max_lines=2),
                    ft.Container(
                        expand=True,
                        content=ft.Row(
                            spacing=0,
                            controls=[
                                ft.Container(
                                    expand=max(1, round(share * 100)),
                                    height=14,
                                    border_radius=2,
                                    bgcolor=colour,
                                ),
                                ft.Container(expand=max(0, 100 - round(share * 100))),
                            ],
                        ),
                    ),
                    ft.Text(str(value), size=12, width=40, text_align=ft.TextAlign.RIGHT),
                ],
            )
        )
    return ft.Semantics(
        identifier=identifier,
        container=True,
        content=ft.Column(controls=rows, spacing=6),
    )
