"""City-wide figures for the Dasbor kota, read live from the server.

Unlike everything else the app shows, these are not synced into the device database:
the device never holds the whole city, and the figures are computed where the data is
(server/figures). So they need the network: each call goes through the signed-in
session (one silent refresh of an expired access token) and raises `Offline` when there
is no link, which the screen says in words. Only the `analyst` role may read them; the
server answers 403 to anyone else (`ProtocolError` with status 403).
"""

from __future__ import annotations

from domain.city import CityFigures, CityQuery, CityReportPage

from .session import Session


def city_figures(session: Session, query: CityQuery) -> CityFigures:
    params = query.to_params()
    return session.call(lambda token: session.transport.city_figures(token, params))


def city_reports(
    session: Session, query: CityQuery, *, offset: int = 0, limit: int = 100
) -> CityReportPage:
    params: dict[str, str | int] = {**query.to_params(), "offset": offset, "limit": limit}
    return session.call(lambda token: session.transport.city_reports(token, params))


def city_export(
    session: Session, query: CityQuery, fmt: str, table: str | None = None
) -> tuple[bytes, str]:
    """(file bytes, the file name the server suggests)."""
    params: dict[str, str | int] = {**query.to_params(), "format": fmt}
    if table:
        params["table"] = table
    return session.call(lambda token: session.transport.city_export(token, params))
