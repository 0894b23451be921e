"""The storage keeper: the retention sweep, in the background, after each good sync.

The seam with the engine is its progress listener (`SyncEngine.add_listener`): when a
pass ends without error (`last_success_at` moves, `running` is False) the keeper wakes
its own thread and runs `local_db.sweep_storage` there. The sync thread never waits
for a sweep, and a sweep never waits for the network.

Why after a successful pass: that is when the device knows the most about what the
server holds (uploads confirmed, snapshots listing the photos, removals applied), so
the sweep's "confirmed on the server" checks are as fresh as they can be.

Invariants:
- one sweep at a time: the background one and `sweep_now()` (the "Bersihkan sekarang"
  button, a capture on low storage) share one lock; requests during a sweep coalesce
  into one more sweep;
- `stop()` asks a running sweep to finish its current transaction and waits (bounded)
  for the thread, so the database can be closed right after it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import local_db
from local_db import LocalDb, OnScreen, RetentionPolicy, SweepReport
from local_db.retention import ThumbMaker

from .progress import SyncProgress

log = logging.getLogger(__name__)


class StorageKeeper:
    def __init__(
        self,
        db: LocalDb,
        photo_dir: Path,
        policy: RetentionPolicy,
        now: Callable[[], datetime],
        *,
        on_screen: OnScreen | None = None,
        make_thumb: ThumbMaker | None = None,
    ) -> None:
        self.db = db
        self.photo_dir = Path(photo_dir)
        self.policy = policy
        self.on_screen = on_screen or OnScreen()
        self._now = now
        self._make_thumb = make_thumb
        self._sweep_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen_success: datetime | None = None
        self.last: SweepReport | None = None
        self.sweeps = 0

    # --- the seam with the sync engine -----------------------------------------------

    def on_progress(self, progress: SyncProgress) -> None:
        """A sync-engine listener: a pass just succeeded -> sweep soon (never here)."""
        if progress.running or progress.last_error is not None:
            return
        if progress.last_success_at is None or progress.last_success_at == self._seen_success:
            return
        self._seen_success = progress.last_success_at
        self.request()

    # --- running ---------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="tindak-storage", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("storage sweep still running after stop()")
            self._thread = None

    def request(self) -> None:
        """Sweep soon in the background thread (a no-op when it is not started)."""
        self._wake.set()

    def sweep_now(self) -> SweepReport:
        """Sweep at once, on the calling thread (blocking)."""
        with self._sweep_lock:
            report = local_db.sweep_storage(
                self.db,
                self.photo_dir,
                self.policy,
                self._now(),
                on_screen=self.on_screen,
                make_thumb=self._make_thumb,
                stop=self._stop,
            )
            self.last = report
            self.sweeps += 1
        log.info(
            "storage sweep: %d report(s), %d photo file(s), %d orphan(s) removed, "
            "%d bytes freed, longest transaction %.1f ms",
            report.reports_removed,
            report.photos_removed,
            report.orphans_removed,
            report.bytes_freed,
            report.longest_tx_ms,
        )
        return report

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.sweep_now()
            except Exception:  # a failed sweep leaves data in place; try after the next sync
                log.exception("storage sweep failed")
