"""Where the access and refresh tokens live: the OS keyring, secure storage, or memory.

Invariants:
- tokens are never written to the device database, a log line or an exception message
  (`Tokens.__repr__` hides them);
- a store is keyed by (server URL, username): one device may know several servers.

The Android secure-storage store lives in the app (it needs Flet); it implements the
same `TokenStore` protocol.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass
from typing import Protocol

import keyring
import keyring.errors

SERVICE = "tindak"


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    refresh_token: str

    def __repr__(self) -> str:
        return "Tokens(access_token=***, refresh_token=***)"

    __str__ = __repr__


class TokenStore(Protocol):
    def get(self, server: str, username: str) -> Tokens | None: ...

    def set(self, server: str, username: str, tokens: Tokens) -> None: ...

    def clear(self, server: str, username: str) -> None: ...


def _key(server: str, username: str) -> str:
    return f"{server.rstrip('/')}|{username}"


class MemoryTokenStore:
    """Tokens kept only in this process (tests, or a kiosk that logs in each start)."""

    def __init__(self) -> None:
        self._tokens: dict[str, Tokens] = {}
        self._lock = threading.Lock()

    def get(self, server: str, username: str) -> Tokens | None:
        with self._lock:
            return self._tokens.get(_key(server, username))

    def set(self, server: str, username: str, tokens: Tokens) -> None:
        with self._lock:
            self._tokens[_key(server, username)] = tokens

    def clear(self, server: str, username: str) -> None:
        with self._lock:
            self._tokens.pop(_key(server, username), None)


class KeyringTokenStore:
    """The desktop OS keyring (Secret Service, macOS Keychain, Windows Credential Locker)."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def get(self, server: str, username: str) -> Tokens | None:
        raw = keyring.get_password(self.service, _key(server, username))
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return Tokens(str(data["access"]), str(data["refresh"]))
        except (ValueError, KeyError, TypeError):
            return None  # unreadable entry: as good as none (the user logs in again)

    def set(self, server: str, username: str, tokens: Tokens) -> None:
        raw = json.dumps({"access": tokens.access_token, "refresh": tokens.refresh_token})
        keyring.set_password(self.service, _key(server, username), raw)

    def clear(self, server: str, username: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(self.service, _key(server, username))
