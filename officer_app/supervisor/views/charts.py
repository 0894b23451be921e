"""Bar charts (flet-charts) with their numbers beside them.

A canvas chart says nothing to a screen reader or a test, so each chart comes with
its largest values as text under it (`legend_top` of them).
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
