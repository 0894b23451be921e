"""Where this app keeps the sign-in tokens, by platform (never in SQLite, never logged).

    Android / iOS     SecureStorageTokenStore  flet-secure-storage (Android keystore,
                                               iOS keychain), bound to the app's page
    desktop           sync.KeyringTokenStore   the OS keyring (Secret Service, Keychain,
                                               Credential Locker)
    no usable keyring sync.MemoryTokenStore    tokens live as long as the process: the
                                               officer signs in again after a restart
                                               (headless servers, CI, the browser tests)

`SecureStorageTokenStore` bridges the engine's blocking `TokenStore` protocol (called
from the sync thread) to the async storage service on the page's event loop. Reads are
served from a cache filled once by `load()` before the engine starts, so the engine
never waits on the loop for a read; writes go through to the storage (waited for when
called from a worker thread, scheduled when called on the loop itself).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from concurrent.futures import Future
from typing import Any

from sync import KeyringTokenStore, MemoryTokenStore, Tokens, TokenStore

log = logging.getLogger(__name__)

PREFIX = "tindak|"
WRITE_TIMEOUT_S = 10.0


def _key(server: str, username: str) -> str:
    return f"{PREFIX}{server.rstrip('/')}|{username}"


class SecureStorageTokenStore:
    """Tokens in flet-secure-storage; create and `await load()` on the page's loop."""

    def __init__(self, storage: Any, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._storage = storage  # flet_secure_storage.SecureStorage
        self._loop = loop or asyncio.get_running_loop()
        self._cache: dict[str, Tokens] = {}
        self._lock = threading.Lock()

    async def load(self) -> None:
        values = await self._storage.get_all()
        with self._lock:
            for key, raw in (values or {}).items():
                if not str(key).startswith(PREFIX):
                    continue
                tokens = _parse(raw)
                if tokens is not None:
                    self._cache[str(key)] = tokens

    def get(self, server: str, username: str) -> Tokens | None:
        with self._lock:
            return self._cache.get(_key(server, username))

    def set(self, server: str, username: str, tokens: Tokens) -> None:
        key = _key(server, username)
        with self._lock:
            self._cache[key] = tokens
        raw = json.dumps({"access": tokens.access_token, "refresh": tokens.refresh_token})
        self._write(self._storage.set(key, raw))

    def clear(self, server: str, username: str) -> None:
        key = _key(server, username)
        with self._lock:
            self._cache.pop(key, None)
        self._write(self._storage.remove(key))

    def _write(self, coro: Any) -> None:
        try:
            on_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            task = self._loop.create_task(coro)
            task.add_done_callback(_log_failure)
            return
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            future.result(WRITE_TIMEOUT_S)
        except Exception as exc:  # the cache still holds the tokens for this run
            log.warning("secure storage write failed: %s", type(exc).__name__)


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("secure storage write failed: %s", type(task.exception()).__name__)


def _parse(raw: object) -> Tokens | None:
    try:
        data = json.loads(str(raw))
        return Tokens(str(data["access"]), str(data["refresh"]))
    except (ValueError, KeyError, TypeError):
        return None


def keyring_usable() -> bool:
    """A real keyring backend is installed (not keyring's 'fail' or 'null' backend)."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:
        return False
    if isinstance(backend, fail.Keyring):
        return False
    priority = getattr(backend, "priority", 0)
    return bool(priority and priority > 0)


def desktop_token_store() -> TokenStore:
    """The keyring when usable, else memory (with a warning: sign in after a restart)."""
    if keyring_usable():
        return KeyringTokenStore()
    log.warning(
        "no usable OS keyring: tokens are kept in memory only; "
        "the officer signs in again after the app restarts"
    )
    return MemoryTokenStore()
