"""Urutan kunjungan: a suggested order to visit the open reports, by urgency then distance.

No routing service and no road network: a plain, explainable rule an officer can check
by looking at the map.

1. Reports fall in urgency tiers, in this order: overdue, due within 24 h, within
   72 h, on track (`domain.sla.UrgencyLevel`). A more urgent tier is always visited
   first, however far: an overdue report is never put off for a nearer one on time.
2. Within a tier, nearest first (great-circle distance): from the officer's position
   for the first stop (when it is known; otherwise the tier's most urgent report, the
   first given, starts), then from the previous stop.
3. At most `MAX_STOPS` stops are numbered (a day's work); the rest keep no number.

Greedy nearest-neighbour is not the shortest tour, but it is stable, cheap (n² for a
few dozen points) and easy to explain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .geo import distance_m
from .sla import UrgencyLevel

MAX_STOPS = 20

TIERS: tuple[UrgencyLevel, ...] = (
    UrgencyLevel.OVERDUE,
    UrgencyLevel.DUE_SOON,
    UrgencyLevel.AT_RISK,
    UrgencyLevel.ON_TRACK,
)


@dataclass(frozen=True, slots=True)
class Stop:
    key: str
    latitude: float
    longitude: float
    level: UrgencyLevel


def visit_order(
    stops: Sequence[Stop],
    start: tuple[float, float] | None = None,
    max_stops: int = MAX_STOPS,
) -> list[str]:
    """The keys of `stops` in the suggested visiting order (given in urgency order;
    closed reports are not visited)."""
    order: list[str] = []
    here = start
    for tier in TIERS:
        left = [s for s in stops if s.level is tier]
        while left and len(order) < max_stops:
            if here is None:
                nxt = left[0]
            else:
                lat, lon = here
                nxt = min(left, key=lambda s: distance_m(lat, lon, s.latitude, s.longitude))
            left.remove(nxt)
            order.append(nxt.key)
            here = (nxt.latitude, nxt.longitude)
    return order
