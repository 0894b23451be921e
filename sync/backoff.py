"""The one home of the back-off formula, for sync passes, probes and photo retries.

`Backoff(base_s, max_s).delay(failures, rng)`: no wait before the first failure; after
`n` failures a ceiling of `min(max_s, base_s * 2^(n-1))` and a delay drawn uniformly in
the upper half of it. The jitter spreads a fleet of phones that lost the same cell
tower, and it stays *inside* the ceiling: the delay never exceeds `max_s`, whatever the
count (a huge count cannot overflow: the exponent is clamped first).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# 2^60 times any sensible base is far past any cap; clamping keeps floats finite.
_MAX_EXPONENT = 60


@dataclass(frozen=True, slots=True)
class Backoff:
    base_s: float = 10.0
    max_s: float = 1800.0

    def ceiling(self, failures: int) -> float:
        """The longest wait after `failures` consecutive failures (0 for none)."""
        if failures <= 0:
            return 0.0
        exponent = min(failures - 1, _MAX_EXPONENT)
        return float(min(self.max_s, self.base_s * 2.0**exponent))

    def delay(self, failures: int, rng: random.Random) -> float:
        """Seconds to wait: jittered in [ceiling / 2, ceiling], never above `max_s`."""
        top = self.ceiling(failures)
        return min(top, top * rng.uniform(0.5, 1.0))
