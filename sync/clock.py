"""The server clock as the device estimates it (NTP-style, from response headers).

Every server response carries `X-Server-Time`. For one exchange sent at device time
`t0` whose answer arrived `rtt` later, the server's clock read `S` somewhere inside the
round trip; the best guess is the midpoint, so `offset = S - (t0 + rtt / 2)` with an
error of at most `rtt / 2`. Of the samples of one sync the one with the smallest round
trip wins (least uncertainty) and is stored in the database, so `now_server()` works
offline and across restarts. A wrong phone clock therefore cannot hide an SLA breach.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

HEADER = "X-Server-Time"


@dataclass(frozen=True, slots=True)
class ClockSample:
    offset: timedelta  # server - device
    rtt: timedelta
    at: datetime  # device time of the sample


def parse_server_time(value: str) -> datetime | None:
    """ISO-8601 (what the reference server sends) or an HTTP date; None if neither."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


def sample(sent_at: datetime, rtt: timedelta, server_time: datetime) -> ClockSample:
    midpoint = sent_at + rtt / 2
    return ClockSample(server_time - midpoint, rtt, sent_at)


class ServerClock:
    """The current offset estimate; thread-safe."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._lock = threading.Lock()
        self._offset = offset
        self._round: ClockSample | None = None  # best sample of the current sync

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def observe(self, s: ClockSample) -> None:
        with self._lock:
            if self._round is None or s.rtt < self._round.rtt:
                self._round = s
                # Use it at once (a first sync needs it before the round ends).
                self._offset = s.offset

    def end_round(self) -> ClockSample | None:
        """The best sample of the round just finished (to store), and start a new one."""
        with self._lock:
            best, self._round = self._round, None
            return best
