"""The dashboards' building blocks: a key-figure card and a titled section.

Shared by the supervisor's Dasbor and the data team's Dasbor kota, so both read alike.
Every card has a stable semantics identifier (`<prefix>-<name>`) for the browser tests.
"""

from __future__ import annotations

import flet as ft


def kpi(
    identifier: str,
    label: str,
    value: str,
    sub: str = "",
    colour: str | None = None,
    *,
    prefix: str = "kpi",
) -> ft.Control:
    return ft.Semantics(
        identifier=f"{prefix}-{identifier}",
        container=True,
        content=ft.Container(
            width=230,
            padding=12,
            border_radius=8,
            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
            content=ft.Column(
                spacing=2,
                controls=[
                    ft.Text(label, size=12, color=ft.Colors.ON_SURFACE_VARIANT),
                    ft.Text(value, size=22, weight=ft.FontWeight.BOLD, color=colour),
                    ft.Text(sub, size=11, color=ft.Colors.ON_SURFACE_VARIANT),
                ],
            ),
        ),
    )


def section(
    title: str,
    content: ft.Control,
    *,
    identifier: str | None = None,
    trailing: ft.Control | None = None,
) -> ft.Control:
    """A bordered block with its title (and, say, a download button beside it)."""
    head: ft.Control = ft.Text(title, weight=ft.FontWeight.W_600)
    if trailing is not None:
        head = ft.Row(controls=[ft.Text(title, weight=ft.FontWeight.W_600, expand=True), trailing])
    block = ft.Container(
        padding=12,
        border_radius=8,
        border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
        content=ft.Column(spacing=6, controls=[head, content]),
    )
    if identifier is None:
        return block
    return ft.Semantics(identifier=identifier, container=True, content=block)
