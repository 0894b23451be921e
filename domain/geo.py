"""Plain geometry on WGS84 coordinates: distances and point-in-polygon.

Pure Python: the server routes a report to the kelurahan containing it, the app shows
the distance to a report, and the validator's screen flags photos taken far away.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

EARTH_RADIUS_M = 6_371_008.8

Point = tuple[float, float]  # (longitude, latitude), GeoJSON order
Ring = Sequence[Point]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting; the ring may or may not repeat its first point."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def in_polygon(lon: float, lat: float, rings: Sequence[Ring]) -> bool:
    """GeoJSON polygon: the first ring is the shell, the others are holes."""
    if not rings or not in_ring(lon, lat, rings[0]):
        return False
    return not any(in_ring(lon, lat, hole) for hole in rings[1:])


def distance_to_ring_m(lon: float, lat: float, ring: Ring) -> float:
    """Approximate distance from a point to a ring's edges (equirectangular, metres)."""
    k = math.cos(math.radians(lat))
    px, py = lon * k, lat
    best = math.inf
    for (ax, ay), (bx, by) in zip(ring, [*ring[1:], ring[0]], strict=True):
        ax, bx = ax * k, bx * k
        dx, dy = bx - ax, by - ay
        seg = dx * dx + dy * dy
        t = 0.0 if seg == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / seg))
        cx, cy = ax + t * dx, ay + t * dy
        best = min(best, math.hypot(px - cx, py - cy))
    return math.radians(best) * EARTH_RADIUS_M
