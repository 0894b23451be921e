"""Interpreter settings for a long-running Tindak process (the app's and the server's),
applied once per process at its start by `tune_runtime()`.

Why, from the initial sync (`bench/bench_sync.py --scale`):

- **The cyclic garbage collector runs less often** (every 10,000 allocations instead
  of 700). A sync page is hundreds of reports decoded into dicts, domain objects and
  rows that all live until the page is stored (device) or sent (server); the collector
  ran dozens of times per page and walked those live objects again each time. Measured
  on the server's page build (in-process, a loaded machine): 184-205 µs per report
  with the default threshold, 144-171 µs with this one; the device's page apply builds
  the same kinds of objects. Tindak's objects (frozen dataclasses, rows, JSON values)
  are freed by reference counting; cycles are rare, so collecting less often frees the
  same garbage a little later.
- **`gc.freeze()`** moves everything alive after start-up (modules, the web framework,
  the translations) out of the collector's view, so the full collections that still
  happen do not walk it. Once per process: freezing again later would also freeze the
  garbage of sessions that have ended.
- **Threads take turns every 1 ms instead of 5 ms** (`sys.setswitchinterval`). The
  device fetches the next page in one thread while it stores the current one in
  another; each time the fetching thread came back from the network it waited up to
  5 ms for the interpreter. A 30,000-report sync, runs alternated: 3,785 and 3,758
  reports/s at 5 ms, 4,135 and 4,121 at 0.5 ms (1 ms: 3,652 and 4,015, the first of
  those the process's first sync). 1 ms is the value kept: it takes most of the gain
  with half the switches of 0.5 ms.
"""

from __future__ import annotations

import gc
import sys
import threading

# Allocations between young collections (Python's default is 700); the older
# generations keep their default ratios.
YOUNG_THRESHOLD = 10_000
SWITCH_INTERVAL_S = 0.001

_lock = threading.Lock()
_frozen = False


def tune_runtime() -> None:
    """Apply the settings above to this process (idempotent)."""
    global _frozen
    with _lock:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, middle, old)
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        if not _frozen:
            gc.freeze()
            _frozen = True
