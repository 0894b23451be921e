"""How long the reliability scenarios run, and with which seed (environment knobs).

- `TINDAK_RELIABILITY_SCALE` (default 1) multiplies every iteration count and time
  budget, for a long local soak (e.g. 20);
- `TINDAK_RELIABILITY_SEED` fixes the base random seed (default: a fresh one per run).
"""

from __future__ import annotations

import os
import random

SCALE = float(os.environ.get("TINDAK_RELIABILITY_SCALE", "1"))
BASE_SEED = int(os.environ.get("TINDAK_RELIABILITY_SEED", random.randrange(2**31)))


def scaled(n: float) -> int:
    return max(1, round(n * SCALE))
