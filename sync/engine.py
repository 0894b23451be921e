"""The sync engine: one pass = push, photos (pushing as they land), pull; one pass at a
time; a background loop that retries fast when the network comes back.

Order of a pass, and why:
1. push every action that waits for no photo first: a START or an ACCEPT is a few
   hundred bytes and the supervisor is watching for it; it must not queue behind
   megabytes of evidence, nor be lost to a cut in the photo phase;
2. photos next, in the order of the actions waiting for them, on a few concurrent
   chunk streams; each confirmed photo frees the actions held behind it, and they are
   pushed at once, while the other photos still upload;
3. pull last, so it already contains the pass's work (the overlay settles in one pass,
   no flicker). With nothing to upload or push the pass is just the pull: one round trip.

Invariants:
- at most one pass runs at a time; a request while one runs is coalesced into exactly
  one more pass after it (callers of `sync_once` wait for a pass that started after
  their call, so their latest action is included);
- failures back off exponentially with jitter, never above the cap (`sync.backoff`, the
  one home of the formula); a pass that fails while the device already knows it is
  offline does not count (recording actions offline must not push the retry away);
  while offline with unsent work a cheap health probe runs on its own backing-off timer
  and a success (or `network_changed(True)` from the platform) resets the back-off and
  runs a pass at once; `SessionExpired` / `DeviceRevoked` stop the loop until a login;
- the server clock offset is re-estimated on every exchange and the best sample of a
  pass (shortest round trip) is stored in the database;
- the engine never touches the UI: it publishes `SyncProgress` values to listeners;
- `stop()` waits (bounded) for every thread the engine started, the loop's and an
  on-demand pass's alike, so the database can be closed right after it;
- photos the device did not take are fetched on demand (`fetch_photo`) into the
  photo folder, content-addressed; `wipe()` removes them with the rest.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import local_db
from domain.protocol import MAX_PUSH_BATCH, UserInfo
from local_db import LocalDb, UnsentWork
from local_db import state as db_state

from .backoff import Backoff
from .clock import ServerClock
from .errors import AuthError, DeviceRevoked, Offline, SessionExpired, SyncError
from .photo_fetch import fetch_photo, remove_fetched
from .photos import PhotoStats
from .photos import upload_photos as upload_photo_files
from .progress import ErrorInfo, Phase, SessionStatus, SyncProgress, SyncReport
from .pull import pull_changes
from .push import has_unsent, push_outbox
from .session import Session
from .tokens import TokenStore
from .transport import Transport

log = logging.getLogger(__name__)

Listener = Callable[[SyncProgress], None]


@dataclass(frozen=True, slots=True)
class SyncSettings:
    device_name: str = "Tindak"
    interval_s: float = 60.0
    upload_photos: bool = True  # the app turns it off e.g. when Wi-Fi-only and on mobile data
    pull_limit: int = 500
    push_batch: int = MAX_PUSH_BATCH
    retry_base_s: float = 5.0
    retry_max_s: float = 300.0  # the cap: no automatic retry ever waits longer
    # The health probe while offline with unsent work: first after ~base, then
    # backing off to its own cap (a probe is one small GET).
    probe_base_s: float = 2.0
    probe_max_s: float = 30.0
    photo_backoff: Backoff = field(default_factory=Backoff)
    # Concurrent photo chunk streams (one connection each); 2-3 fill a weak mobile link.
    photo_streams: int = 2
    # Where fetched photos are kept; None: `photos/` next to the database file.
    photo_dir: Path | None = None


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SyncEngine:
    def __init__(
        self,
        db: LocalDb,
        transport: Transport,
        token_store: TokenStore,
        settings: SyncSettings | None = None,
    ) -> None:
        self.db = db
        self.transport = transport
        self.settings = settings or SyncSettings()
        self.session = Session(db, transport, token_store)
        self.photo_dir = self.settings.photo_dir or Path(db.path).parent / "photos"
        state = local_db.sync_state(db)
        self.clock = ServerClock(timedelta(milliseconds=state.clock_offset_ms))
        transport.on_clock_sample = self.clock.observe
        self._rng = random.Random()
        self._upload_photos = self.settings.upload_photos
        # Pass coordination.
        self._cond = threading.Condition()
        self._wanted = 0  # passes requested
        self._done = 0  # requests covered by finished passes
        self._running = False
        self._last_report: SyncReport | None = None
        # Background loop.
        self._thread: threading.Thread | None = None
        self._once_threads: list[threading.Thread] = []  # request_sync without the loop
        self._threads_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._failures = 0  # failed passes that count for the back-off
        self._offline = False  # the last exchange found no network
        self._probes = 0  # failed health probes since the network went away
        # Observation.
        self._listeners: list[Listener] = []
        self._progress = SyncProgress(
            session=self._session_status(),
            last_success_at=state.last_success_at,
        )
        self._refresh_counts()

    # --- observation ---------------------------------------------------------------

    @property
    def progress(self) -> SyncProgress:
        return self._progress

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(progress)` on every change; returns the unsubscribe function."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def _publish(self, **changes: object) -> None:
        self._progress = replace(self._progress, **changes)  # type: ignore[arg-type]
        for listener in list(self._listeners):
            try:
                listener(self._progress)
            except Exception:  # a broken listener must not break the sync
                log.exception("sync progress listener failed")

    def _refresh_counts(self) -> None:
        c = local_db.pending_counts(self.db)
        self._publish(pending_mutations=c.mutations, pending_photos=c.photos, attention=c.attention)

    def _session_status(self) -> SessionStatus:
        acc = local_db.account(self.db)
        return (
            SessionStatus.ACTIVE if acc is not None and acc.signed_in else SessionStatus.SIGNED_OUT
        )

    # --- clock ---------------------------------------------------------------------

    def now_server(self) -> datetime:
        """The server-corrected clock: pass it to SLA computations and actions."""
        return self.clock.now()

    # --- session -------------------------------------------------------------------

    def login(self, username: str, password: str) -> UserInfo:
        user = self.session.login(username, password, self.settings.device_name, self.now_server())
        self._failures = 0
        self._publish(session=SessionStatus.ACTIVE, last_error=None, online=True)
        self._wake.set()
        return user

    def logout(self) -> None:
        self.session.logout()
        self._publish(session=SessionStatus.SIGNED_OUT)

    def unsent_work(self) -> UnsentWork:
        return local_db.unsent_work(self.db)

    def wipe(self) -> list[str]:
        """Erase the device's data and tokens (after the app showed `unsent_work()`)."""
        self.session.forget()
        removed = local_db.wipe(self.db)
        removed += [p for p in remove_fetched(self.photo_dir) if p not in removed]
        self._publish(session=SessionStatus.SIGNED_OUT, last_error=None)
        self._refresh_counts()
        return removed

    def set_photo_uploads(self, enabled: bool) -> None:
        self._upload_photos = enabled

    # --- photos from the server ------------------------------------------------------

    def fetch_photo(self, sha256: str) -> Path:
        """The local file of photo `sha256` (blocking): the cached one without any
        network, else downloaded through the signed-in session, its hash checked and
        stored atomically. Raises `PhotoUnavailable` (not on the server, outside the
        user's scope, or damaged bytes), `Offline`, or an `AuthError`."""
        return fetch_photo(self.session, self.photo_dir, sha256)

    # --- one pass ------------------------------------------------------------------

    def sync_once(self, upload_photos: bool | None = None) -> SyncReport:
        """Run a pass now (blocking). If one is running, wait for the next one instead,
        which is shared with every other caller that arrived meanwhile."""
        with self._cond:
            self._wanted += 1
            target = self._wanted
            while self._running and self._done < target:
                self._cond.wait()
            if self._done >= target:
                assert self._last_report is not None
                return self._last_report
            self._running = True
        report: SyncReport | None = None
        try:
            while True:
                with self._cond:
                    covered = self._wanted
                report = self._pass(upload_photos)
                with self._cond:
                    self._done = covered
                    self._last_report = report
                    self._cond.notify_all()
                    if self._wanted == covered:
                        break
        finally:
            with self._cond:
                self._running = False
                self._cond.notify_all()
        assert report is not None
        return report

    def _push(self, stats: dict[str, int], *, quiet: bool = False) -> None:
        """Push everything sendable now (actions waiting for a photo stay held)."""
        if not has_unsent(self.db):
            return
        if not quiet:
            self._publish(phase=Phase.PUSHING, done=0, total=0)
        pu = push_outbox(
            self.db,
            self.session,
            self.now_server,
            (lambda d, t: None) if quiet else (lambda d, t: self._publish(done=d, total=t)),
            self.settings.push_batch,
        )
        for key, value in (("pushed", pu.sent), ("applied", pu.applied), ("rejected", pu.rejected)):
            stats[key] = stats.get(key, 0) + value

    def _pass(self, upload_photos: bool | None) -> SyncReport:
        started = _utcnow()
        requests_before = self.transport.requests
        self._publish(running=True, phase=Phase.IDLE, done=0, total=0, bytes_sent=0, bytes_total=0)
        stats: dict[str, int] = {}
        skipped: list[str] = []
        error: SyncError | None = None
        try:
            if self._session_status() is not SessionStatus.ACTIVE:
                raise SessionExpired("nobody is signed in")
            self._push(stats)
            photos_on = self._upload_photos if upload_photos is None else upload_photos
            if photos_on:
                self._publish(phase=Phase.UPLOADING_PHOTOS, done=0, total=0)
                ps: PhotoStats = upload_photo_files(
                    self.db,
                    self.session,
                    self.now_server,
                    lambda d, t, b, bt: self._publish(
                        done=d, total=t, bytes_sent=b, bytes_total=bt
                    ),
                    self.settings.photo_backoff,
                    self._rng,
                    streams=self.settings.photo_streams,
                    # The actions held behind a photo go as soon as it is confirmed.
                    on_confirmed=lambda sha: self._push(stats, quiet=True),
                )
                stats.update(photos_uploaded=ps.uploaded, photo_bytes=ps.bytes_sent)
                self._push(stats)
            else:
                skipped.append("photos")
            self._publish(phase=Phase.PULLING, done=0, total=0)
            pl = pull_changes(
                self.db,
                self.session,
                self.now_server,
                lambda d, t: self._publish(done=d, total=t),
                self.settings.pull_limit,
            )
            stats.update(
                pages=pl.pages,
                pulled_upserts=pl.upserts,
                pulled_removals=pl.removals,
                kept_out_of_scope=pl.kept_out_of_scope,
            )
        except SyncError as exc:
            error = exc
        finally:
            self._store_clock()
        finished = _utcnow()
        self._record_outcome(error, finished)
        return SyncReport(
            started_at=started,
            finished_at=finished,
            requests=self.transport.requests - requests_before,
            error=error,
            skipped_phases=tuple(skipped),
            **stats,
        )

    def _store_clock(self) -> None:
        best = self.clock.end_round()
        if best is None:
            return
        with self.db.write() as conn:
            db_state.set_clock(
                conn,
                best.offset / timedelta(milliseconds=1),
                best.rtt / timedelta(milliseconds=1),
                best.at,
            )

    def _record_outcome(self, error: SyncError | None, at: datetime) -> None:
        with self.db.write() as conn:
            db_state.record_attempt(conn, at)
            if error is None:
                db_state.record_success(conn, at)
            else:
                db_state.record_error(conn, error.code, error.message_id, error.message_en)
        changes: dict[str, object] = {"running": False, "phase": Phase.IDLE}
        if error is None:
            self._failures = 0
            self._offline = False
            self._probes = 0
            changes.update(online=True, last_error=None, last_success_at=at)
        else:
            offline = isinstance(error, Offline)
            if not (offline and self._offline):
                # A failure while the device already knew it was offline says nothing
                # new: counting it would push the retry away for every offline action.
                self._failures += 1
            self._offline = offline
            changes["last_error"] = ErrorInfo.of(error, at)
            changes["online"] = not isinstance(error, Offline)
            if isinstance(error, DeviceRevoked):
                changes["session"] = SessionStatus.REVOKED
            elif isinstance(error, AuthError) and self._session_status() is SessionStatus.ACTIVE:
                changes["session"] = SessionStatus.EXPIRED
            log.info("sync pass failed: %s", error.code)
        self._publish(**changes)
        self._refresh_counts()

    # --- background loop -----------------------------------------------------------

    def start(self, interval_s: float | None = None) -> None:
        """Sync every `interval_s` seconds (and on `request_sync`) in a daemon thread."""
        if self._thread is not None and self._thread.is_alive():
            return
        interval = self.settings.interval_s if interval_s is None else interval_s
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, args=(interval,), name="tindak-sync", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop and wait, at most `timeout` seconds in all, for every thread
        the engine started (an on-demand pass included): a pass must not outlive the
        database it writes to."""
        self._stop.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        with self._threads_lock:
            threads = [t for t in (self._thread, *self._once_threads) if t is not None]
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._threads_lock:
            self._thread = None
            self._once_threads = [t for t in self._once_threads if t.is_alive()]
            left = [t.name for t in self._once_threads]
        if left:
            log.warning("sync threads still running after stop(): %s", ", ".join(left))

    def request_sync(self) -> None:
        """Sync soon, without blocking: wakes the loop, or runs one pass in a thread
        that `stop()` waits for."""
        if self._thread is not None and self._thread.is_alive():
            self._wake.set()
            return
        with self._threads_lock:
            self._once_threads = [t for t in self._once_threads if t.is_alive()]
            thread = threading.Thread(
                target=self._sync_on_demand, name="tindak-sync-once", daemon=True
            )
            self._once_threads.append(thread)
            thread.start()

    def _sync_on_demand(self) -> None:
        if self._stop.is_set():
            return  # stopped before the thread got going: leave the database alone
        self.sync_once()

    # --- network and back-off --------------------------------------------------------

    @property
    def retry_backoff(self) -> Backoff:
        return Backoff(self.settings.retry_base_s, self.settings.retry_max_s)

    @property
    def probe_backoff(self) -> Backoff:
        return Backoff(self.settings.probe_base_s, self.settings.probe_max_s)

    def network_changed(self, available: bool) -> None:
        """The platform says the network came back (or went away): connectivity
        events and app resume call this. Coming back resets the back-off and syncs at
        once; going away only marks the device offline (nothing to try)."""
        if not available:
            self._offline = True
            self._publish(online=False)
            return
        self._failures = 0
        self._probes = 0
        self.request_sync()

    def next_delay(self, interval: float) -> float:
        """Seconds until the next pass: the interval, or a jittered back-off after
        failures, never above `retry_max_s`. Offline, the interval: the health probe
        (or a connectivity event) brings the next pass as soon as the link is back."""
        if self._failures == 0 or self._offline:
            return interval
        return self.retry_backoff.delay(self._failures, self._rng)

    def next_probe_delay(self) -> float:
        """Seconds until the next health probe while offline with unsent work."""
        return self.probe_backoff.delay(self._probes + 1, self._rng)

    def probe(self) -> bool:
        """One cheap `GET /health`: True resets the back-off (the link is back)."""
        if self.transport.health():
            self._failures = 0
            self._probes = 0
            self._offline = False
            self._publish(online=True)
            return True
        self._probes += 1
        return False

    def _wait_for_next(self, interval: float) -> None:
        """Sleep until the next pass is due, a wake-up, or a successful probe."""
        deadline = time.monotonic() + self.next_delay(interval)
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if not (self._offline and has_unsent(self.db)):
                self._wake.wait(remaining)
                return
            if self._wake.wait(min(remaining, self.next_probe_delay())):
                return
            if self._stop.is_set() or self.probe():
                return

    def _loop(self, interval: float) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            if self._progress.session is SessionStatus.ACTIVE:
                self.sync_once()
            if self._stop.is_set():
                break
            if self._progress.session is not SessionStatus.ACTIVE:
                self._wake.wait()  # until a login (or stop) wakes us
                continue
            self._wait_for_next(interval)
