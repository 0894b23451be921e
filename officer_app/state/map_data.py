"""What a map screen draws, computed away from the view: markers, kelurahan outlines,
the frame to show, and whether the tiles can load.

Shared by the officer's Peta and the supervisor's. Offline first: the markers and the
kelurahan outlines (`domain.boundaries`) are drawn by the app and need no network, so
the map is a map with no tiles at all. Tiles (the profile's `[map] tiles`) are added
only when their host answers a short TCP probe, and dropped again when the map reports
a tile that failed to load.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

from domain import UrgencyLevel
from domain.boundaries import LatLon, box_of, shapes_near

from ..format import URGENCY_COLOURS

JAKARTA_CENTRE: LatLon = (-6.2, 106.82)
PROBE_TIMEOUT_S = 2.0


@dataclass(frozen=True, slots=True)
class MapMarker:
    report_id: str
    tracking_id: str
    title: str
    latitude: float
    longitude: float
    level: UrgencyLevel
    colour: str
    order: int | None = None  # 1-based place in the visiting order, when suggested

    @property
    def label(self) -> str:
        """What the marker itself reads: its visiting number, else nothing."""
        return str(self.order) if self.order is not None else ""


@dataclass(frozen=True, slots=True)
class MapArea:
    code: str
    name: str
    parts: tuple[tuple[LatLon, ...], ...]


def marker(
    report_id: str,
    tracking_id: str,
    title: str,
    latitude: float,
    longitude: float,
    level: UrgencyLevel,
    order: int | None = None,
) -> MapMarker:
    return MapMarker(
        report_id, tracking_id, title, latitude, longitude, level, URGENCY_COLOURS[level], order
    )


def areas_around(points: Sequence[LatLon]) -> list[MapArea]:
    """The kelurahan outlines a map of these points shows (around Jakarta's centre when
    there is no point)."""
    return [MapArea(s.code, s.name, s.parts) for s in shapes_near(points or [JAKARTA_CENTRE])]


def frame_of(points: Sequence[LatLon]) -> tuple[LatLon, LatLon] | None:
    """The two corners of the smallest box holding the points (None without points);
    a single point gets a box ~500 m wide so the map does not zoom to its maximum."""
    box = box_of(points)
    if box is None:
        return None
    if box.north - box.south < 0.004 and box.east - box.west < 0.004:
        box = box.grown(0.0025)
    return (box.south, box.west), (box.north, box.east)


# The smallest map the screens show (a 360 px phone, less the margins): a view fitted
# for it holds every point on a desktop too. The camera is set from Python (centre and
# zoom), not left to the map's own fit, so the view is the same on every client.
VIEW_PX = (300, 340)
MAX_ZOOM = 17.0


def view_of(frame: tuple[LatLon, LatLon] | None) -> tuple[LatLon, float]:
    """Centre and zoom (Web Mercator, 256 px tiles) showing the whole frame."""
    if frame is None:
        return JAKARTA_CENTRE, 12.0
    (south, west), (north, east) = frame

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(east - west, 1e-6)
    y_span = max(merc(north) - merc(south), 1e-8)
    zoom_x = math.log2(VIEW_PX[0] * 360 / (256 * lon_span))
    zoom_y = math.log2(VIEW_PX[1] * 2 * math.pi / (256 * y_span))
    zoom = math.floor(min(zoom_x, zoom_y, MAX_ZOOM) * 2) / 2  # half steps, rounded down
    centre_y = (merc(north) + merc(south)) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return (centre_lat, (west + east) / 2), zoom


def tile_host(url: str) -> tuple[str, int] | None:
    """The (host, port) a tile URL template is fetched from (None: no tiles)."""
    if not url:
        return None
    parsed = urlparse(url.replace("{s}", "a"))
    if not parsed.hostname:
        return None
    return parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80)


async def reachable(host: str, port: int, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """Whether a TCP connection to (host, port) opens within the time limit."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def tiles_reachable(url: str) -> bool:
    host = tile_host(url)
    return host is not None and await reachable(*host)
