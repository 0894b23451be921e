"""The signed-in session: login, authorised calls with one silent refresh, logout.

Invariants:
- the tokens live only in the `TokenStore`; the database holds who is signed in;
- an expired access token is refreshed once (the refresh token rotates) and the call
  retried once; a second expiry, or a refused refresh, is `SessionExpired` (the user
  logs in again; nothing on the device is lost);
- `DeviceRevoked` (`device_revoked`, from any call, the refresh included) is never
  retried: the engine stops and the app reports the unsent work before calling `wipe`;
- `session_revoked` / `token_invalid` from any call is `SessionExpired`: the user logs
  in again and keeps every piece of data. The server tells the two apart; nothing here
  guesses from which call answered (a refresh retried after its answer was lost in a
  cut is exchanged within the server's grace window, or refused `session_revoked`);
- one refresh at a time (a rotated refresh token must not be used twice).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import local_db
from domain.protocol import UserInfo

from .errors import AccountConflict, SessionExpired, SyncError, TokenExpired
from .tokens import Tokens, TokenStore
from .transport import Transport

T = TypeVar("T")


class Session:
    def __init__(self, db: local_db.LocalDb, transport: Transport, store: TokenStore) -> None:
        self.db = db
        self.transport = transport
        self.store = store
        self._refresh_lock = threading.Lock()

    @property
    def server(self) -> str:
        return self.transport.base_url

    def username(self) -> str | None:
        acc = local_db.account(self.db)
        return None if acc is None else acc.user.username

    def login(self, username: str, password: str, device_name: str, now: datetime) -> UserInfo:
        acc = local_db.account(self.db)
        other = acc is not None and acc.user.username != username
        if acc is not None and other and not local_db.unsent_work(self.db).empty:
            raise AccountConflict(f"unsent work of {acc.user.username!r}")
        device_id = local_db.sync_state(self.db).device_id
        result = self.transport.login(username, password, device_id, device_name)
        if acc is not None and acc.user.id != result.user.id:
            # Another user on this device: the previous user's reports must not show.
            self.store.clear(self.server, acc.user.username)
            local_db.wipe(self.db, new_device_id=False)
        self.store.set(self.server, username, result.tokens)
        local_db.sign_in(self.db, result.user, self.server, now)
        return result.user

    def tokens(self) -> Tokens:
        username = self.username()
        tokens = None if username is None else self.store.get(self.server, username)
        if tokens is None:
            raise SessionExpired("no tokens for the signed-in user")
        return tokens

    def call(self, fn: Callable[[str], T]) -> T:
        """Run `fn(access_token)`, refreshing once if the access token expired."""
        used = self.tokens()
        try:
            return fn(used.access_token)
        except TokenExpired:
            fresh = self._refresh(used)
        try:
            return fn(fresh.access_token)
        except TokenExpired as exc:
            raise SessionExpired("token expired right after a refresh") from exc

    def _refresh(self, used: Tokens) -> Tokens:
        with self._refresh_lock:
            current = self.tokens()
            if current.access_token != used.access_token:
                return current  # another thread refreshed meanwhile
            username = self.username()
            assert username is not None
            try:
                result = self.transport.refresh(current.refresh_token)
            except (SessionExpired, TokenExpired) as exc:
                # DeviceRevoked passes through untouched: the wipe forgets the tokens.
                self.store.clear(self.server, username)
                raise SessionExpired(f"refresh refused ({exc.code})", code=exc.code) from exc
            self.store.set(self.server, username, result.tokens)
            return result.tokens

    def logout(self) -> None:
        """End the session on the server (best effort) and forget the tokens; the
        device's data stays for the next login of the same user."""
        username = self.username()
        if username is None:
            return
        tokens = self.store.get(self.server, username)
        if tokens is not None:
            # Best effort: an offline logout still forgets the tokens.
            with contextlib.suppress(SyncError):
                self.transport.logout(tokens.access_token)
        self.store.clear(self.server, username)
        local_db.sign_out(self.db)

    def forget(self) -> None:
        """Drop the tokens without calling the server (after a revocation)."""
        username = self.username()
        if username is not None:
            self.store.clear(self.server, username)
