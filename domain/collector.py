"""Settings of Python's cyclic garbage collector for a long-running Tindak process
(the app's and the server's), applied once per process at its start.

Why: a sync page is hundreds of reports decoded into dicts, domain objects and rows
that all live until the page is stored (device) or sent (server). With the default
thresholds (700 allocations) the collector runs dozens of times per page and walks
those live objects again each time; measured on a 10,000-report initial sync, that was
15-25 % of the CPU on each side. Almost nothing in Tindak forms reference cycles (its
objects are frozen dataclasses, rows and JSON values, freed by reference counting), so
collecting ten times less often frees the same garbage a little later.

`gc.freeze()` moves everything alive after start-up (modules, the web framework, the
translations) out of the collector's view, so the full collections that still happen
do not walk it. It is done once per process: freezing again later would also freeze
the garbage of sessions that have ended.
"""

from __future__ import annotations

import gc
import threading

# Allocations between young collections (Python's default is 700); the older
# generations keep their default ratios.
YOUNG_THRESHOLD = 10_000

_lock = threading.Lock()
_frozen = False


def tune_collector() -> None:
    """Apply the settings above to this process (idempotent)."""
    global _frozen
    with _lock:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, middle, old)
        if not _frozen:
            gc.freeze()
            _frozen = True
