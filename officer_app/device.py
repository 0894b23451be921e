"""The device: one data folder, its database, token store, sync engine and preferences.

One `Device` per app process (a phone runs one app; the web build shares the device
among its browser tabs the way several windows of one app would). View-models reach
`local_db`, `sync` and the photo pipeline only through it, so this is the single seam
between the screens and the rooms below.

Invariants:
- every method may block (SQLite, the network): view-models call them from a worker
  thread, never on the UI loop;
- the acting user is always the account stored on the device (`Actor` from it), never
  something a screen passes in;
- tokens live only in the token store (keyring / secure storage / memory), never in
  the database or in the preferences file.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import local_db
from domain import Action, Actor, PhotoKind, Role
from domain.city import CityFigures, CityQuery, CityReportPage
from domain.errors import InvalidValue
from domain.protocol import UserInfo, device_photo_path
from domain.runtime import tune_runtime
from local_db import (
    Account,
    AttentionItem,
    LocalDb,
    OnScreen,
    OutboxEntry,
    PendingCounts,
    PhotoWait,
    QueueCounts,
    QueueItem,
    ReportDetail,
    Stage,
    StorageUsage,
    SweepReport,
    UnsentWork,
)
from sync import (
    StorageKeeper,
    SyncEngine,
    SyncError,
    SyncProgress,
    SyncSettings,
    TokenStore,
    Transport,
)
from sync import city as sync_city

from .errors import SetupError
from .photos import (
    CaptureResult,
    GeoFix,
    LocalDbRecorder,
    PhotoSettings,
    PhotoSource,
    capture_photo,
    sweep_partial_files,
    write_thumbnail,
)
from .preferences import Preferences, load_preferences, save_preferences
from .profile import Profile

log = logging.getLogger(__name__)

DB_FILE = "tindak.sqlite"
PREFS_FILE = "preferences.json"
PHOTO_DIR = "photos"
MB = 1024 * 1024

Listener = Callable[[SyncProgress], None]


class Device:
    def __init__(
        self,
        profile: Profile,
        data_dir: Path,
        token_store: TokenStore,
        *,
        device_name: str = "Tindak",
        transport: Transport | None = None,
    ) -> None:
        self.profile = profile
        self.data_dir = Path(data_dir)
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.db = LocalDb.open(self.data_dir / DB_FILE)
        except OSError as exc:
            raise SetupError(f"cannot prepare the data folder {self.data_dir}: {exc}") from exc
        self.photo_dir = self.data_dir / PHOTO_DIR
        self.photo_dir.mkdir(exist_ok=True)
        self.prefs_path = self.data_dir / PREFS_FILE
        self._prefs = load_preferences(self.prefs_path, profile)
        self._prefs_lock = threading.Lock()
        self.tokens = token_store
        self._started = False
        self.engine = SyncEngine(
            self.db,
            transport or Transport(profile.server_url),
            token_store,
            SyncSettings(
                device_name=device_name,
                photo_dir=self.photo_dir,
                photo_streams=profile.photo_streams,
            ),
        )
        self._apply_photo_policy()
        # The retention sweep: after each good sync, on "Bersihkan sekarang", and before
        # a capture on low storage. Screens pin the report they show (`on_screen`).
        self.on_screen = OnScreen()
        self.keeper = StorageKeeper(
            self.db,
            self.photo_dir,
            profile.storage,
            self.engine.now_server,
            on_screen=self.on_screen,
            make_thumb=write_thumbnail,
        )
        self.engine.add_listener(self.keeper.on_progress)
        self.free_space: Callable[[], int | None] = lambda: local_db.free_bytes(self.photo_dir)

    # --- lifecycle ----------------------------------------------------------------

    def start(self) -> None:
        """Background sync every `sync.interval_s` (and at once when asked), after
        removing the partial photo files a killed write left behind."""
        try:
            swept = sweep_partial_files(self.photo_dir)
        except OSError as exc:  # a leftover is harmless: never block the start on it
            log.warning("could not sweep partial photo files: %s", exc)
        else:
            if swept:
                log.info("removed %d partial photo file(s)", swept)
        tune_runtime()  # once per process; see domain/runtime.py
        self._started = True
        self.keeper.start()
        self.engine.start(interval_s=self.profile.sync_interval_s)

    def close(self) -> None:
        self._started = False
        self.engine.stop()
        self.keeper.stop()
        self.db.close()

    def request_sync(self) -> None:
        """Sync soon. Only through the background loop, which `close()` waits for: a
        device that was never started (tests, tools) does not sync behind its back."""
        if self._started:
            self.engine.request_sync()

    # --- preferences ----------------------------------------------------------------

    @property
    def prefs(self) -> Preferences:
        return self._prefs

    def save_prefs(self, prefs: Preferences) -> None:
        with self._prefs_lock:
            save_preferences(self.prefs_path, prefs)
            self._prefs = prefs
        self._apply_photo_policy()

    def _apply_photo_policy(self) -> None:
        # Wi-Fi-only: photos wait while the app knows it is on mobile data only (the
        # page's Connectivity service tells `set_network`); mutations still go, and a
        # mutation that references a waiting photo is held until it is uploaded.
        on_wifi = getattr(self, "_on_wifi", True)
        self.engine.set_photo_uploads(on_wifi or not self._prefs.wifi_only_photos)

    def set_network(self, on_wifi: bool) -> None:
        self._on_wifi = on_wifi
        self._apply_photo_policy()

    def network_changed(self, available: bool, on_wifi: bool | None = None) -> None:
        """A connectivity event or the app coming back to the foreground: a network
        that returns is tried at once (the back-off is reset), not minutes later."""
        if on_wifi is not None:
            self.set_network(on_wifi)
        if self._started:
            self.engine.network_changed(available)

    # --- account --------------------------------------------------------------------

    def account(self) -> Account | None:
        """The account the device's data belongs to (signed in or not)."""
        return local_db.account(self.db)

    def actor(self) -> Actor:
        actor = local_db.actor(self.db)
        if actor is None:
            raise SetupError("no one is signed in on this device")
        return actor

    def login(self, username: str, password: str) -> UserInfo:
        return self.engine.login(username, password)

    def logout(self) -> None:
        self.engine.logout()

    def unsent_work(self) -> UnsentWork:
        return local_db.unsent_work(self.db)

    def wipe(self) -> None:
        """Erase the device's data and tokens (after the unsent work was shown)."""
        self.engine.wipe()

    # --- reads ----------------------------------------------------------------------

    def now(self) -> datetime:
        return self.engine.now_server()

    def queue(
        self,
        *,
        stage: Stage | None,
        category: str | None,
        kelurahan_code: str | None,
        limit: int,
        offset: int,
    ) -> list[QueueItem]:
        return local_db.queue(
            self.db,
            now=self.now(),
            stage=stage,
            category=category,
            kelurahan_code=kelurahan_code,
            limit=limit,
            offset=offset,
        )

    def search(
        self,
        text: str,
        *,
        category: str | None = None,
        kelurahan_code: str | None = None,
        limit: int,
        offset: int = 0,
    ) -> list[QueueItem]:
        return local_db.search(
            self.db,
            text,
            now=self.now(),
            category=category,
            kelurahan_code=kelurahan_code,
            limit=limit,
            offset=offset,
        )

    def counts(self) -> QueueCounts:
        return local_db.counts(self.db, now=self.now())

    def photo_waits(self) -> list[PhotoWait]:
        """Photos still to upload (upload order) and the actions waiting for each."""
        return local_db.photo_waits(self.db)

    def pending(self) -> PendingCounts:
        return local_db.pending_counts(self.db)

    def report(self, report_id: str) -> ReportDetail | None:
        return local_db.get_report(self.db, report_id, now=self.now())

    def attention(self) -> list[AttentionItem]:
        return local_db.attention_items(self.db)

    def colleagues(self) -> list[tuple[str, str]]:
        """Officers of the user's unit (a supervisor dispatches to them): (id, name)."""
        return [(u.id, u.name) for u in local_db.colleagues(self.db) if u.role is Role.OFFICER]

    def photo_path(self, local_path: str | None) -> Path | None:
        if not local_path:
            return None
        path = Path(local_path)
        return path if path.is_file() else None

    def discard_photo(self, report_id: str, sha256: str) -> None:
        """Take back a photo not yet sent, with its queued action (`local_db.discard_photo`)."""
        local_db.discard_photo(self.db, report_id, sha256)

    def cached_photo(self, sha256: str, local_path: str | None = None) -> Path | None:
        """The photo's file without the network: the device's own, or one fetched before."""
        own = self.photo_path(local_path)
        if own is not None:
            return own
        try:
            path = device_photo_path(self.photo_dir, sha256)
        except InvalidValue:  # never a path from anything but a sha256
            return None
        return path if path.is_file() else None

    def preview_source(self, sha256: str, local_path: str | None = None) -> Path | None:
        """What a screen can show without the network: the full-size file, else the
        thumbnail the retention sweep kept when it removed the full-size one."""
        cached = self.cached_photo(sha256, local_path)
        if cached is not None:
            return cached
        thumb = local_db.thumb_path(self.photo_dir, sha256)
        return thumb if thumb.is_file() else None

    # --- storage --------------------------------------------------------------------

    def storage(self) -> StorageUsage:
        """Space used by reports and photos, free space, what waits to be sent."""
        return local_db.storage_usage(self.db, self.photo_dir)

    def clean_now(self) -> SweepReport:
        """Run the retention sweep now ("Bersihkan sekarang"), blocking."""
        return self.keeper.sweep_now()

    def make_room(self) -> SweepReport | None:
        """Before a capture: with free space under the policy's threshold, sweep first
        and return what it did (the screen tells the officer); None when there is room."""
        free = self.free_space()
        if free is None or free >= self.profile.storage.low_storage_mb * MB:
            return None
        log.info("low storage before a capture (%d bytes free): sweeping first", free)
        return self.keeper.sweep_now()

    # --- the city figures (analyst; live from the server, never stored) ---------------

    def city_figures(self, query: CityQuery) -> CityFigures:
        """Raises `SyncError` (`Offline` with no link, `ProtocolError` 403 for a role
        that may not read them): the Dasbor kota says which."""
        return sync_city.city_figures(self.engine.session, query)

    def city_reports(self, query: CityQuery, offset: int = 0, limit: int = 100) -> CityReportPage:
        return sync_city.city_reports(self.engine.session, query, offset=offset, limit=limit)

    def city_export(
        self, query: CityQuery, fmt: str, table: str | None = None
    ) -> tuple[bytes, str]:
        return sync_city.city_export(self.engine.session, query, fmt, table)

    def fetch_photo(self, sha256: str, local_path: str | None = None) -> Path | None:
        """The photo's file, downloading it from the server when the device does not
        hold it (blocking). None when it cannot be had now (offline, signed out,
        refused or damaged bytes): the screens keep their placeholder."""
        cached = self.cached_photo(sha256, local_path)
        if cached is not None:
            return cached
        try:
            return self.engine.fetch_photo(sha256)
        except SyncError as exc:
            log.info("photo %s not available now: %s", sha256[:12], exc.code)
            return None

    # --- writes ---------------------------------------------------------------------

    def record(self, report_id: str, action: Action, payload: Mapping[str, Any]) -> OutboxEntry:
        entry = local_db.record_action(
            self.db, self.actor(), report_id, action, dict(payload), self.now()
        )
        self.request_sync()
        return entry

    def capture(
        self,
        report_id: str,
        kind: PhotoKind,
        raw: bytes,
        source: PhotoSource,
        fix: GeoFix | None,
    ) -> CaptureResult:
        detail = self.report(report_id)
        if detail is None:
            raise local_db.ReportNotFound(report_id)
        settings = PhotoSettings.from_profile(
            replace(self.profile.photos, long_edge=self._prefs.photo_long_edge)
        )
        recorder = LocalDbRecorder(self.db, self.actor(), now=self.engine.now_server)
        result: CaptureResult[OutboxEntry] = capture_photo(
            recorder,
            detail.report,
            kind,
            raw,
            source,
            fix,
            self.engine.clock.offset,
            settings,
            self.photo_dir,
        )
        self.request_sync()
        return result

    def retry_attention(self, item_id: int) -> OutboxEntry | None:
        entry = local_db.retry_attention(self.db, item_id, self.now())
        self.request_sync()
        return entry

    def dismiss_attention(self, item_id: int) -> None:
        local_db.dismiss_attention(self.db, item_id)

    # --- sync -----------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self.engine.add_listener(listener)

    @property
    def progress(self) -> SyncProgress:
        return self.engine.progress
