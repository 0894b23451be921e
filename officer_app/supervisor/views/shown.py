"""`use_refresh_when_shown`: a list reloads whenever its own route is the one shown.

A list stays mounted under a report opened from it (the view stack), so a mount hook
alone would leave it stale after the supervisor acted on the report: the list reloads
on mount and again each time the location comes back to its route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft


def use_refresh_when_shown(route: str, refresh: Callable[[], Awaitable[None]]) -> None:
    location = ft.use_route_location()

    async def shown() -> None:
        if location.rstrip("/") == route:
            await refresh()

    ft.use_effect(shown, [location])
