"""The sync engine: reconciles the device database with the central server.

The app calls only what is listed in `__all__`; see docs/sync.md.
"""

from .backoff import Backoff
from .clock import ClockSample, ServerClock
from .engine import SyncEngine, SyncSettings
from .errors import (
    AccountConflict,
    AuthError,
    DeviceRevoked,
    LoginRefused,
    Offline,
    PhotoUnavailable,
    ProtocolError,
    ServerError,
    SessionExpired,
    SyncError,
    TokenExpired,
)
from .housekeeping import StorageKeeper
from .progress import ErrorInfo, Phase, SessionStatus, SyncProgress, SyncReport
from .tokens import KeyringTokenStore, MemoryTokenStore, Tokens, TokenStore
from .transport import LoginResult, Transport

__all__ = [
    "AccountConflict",
    "AuthError",
    "Backoff",
    "ClockSample",
    "DeviceRevoked",
    "ErrorInfo",
    "KeyringTokenStore",
    "LoginRefused",
    "LoginResult",
    "MemoryTokenStore",
    "Offline",
    "Phase",
    "PhotoUnavailable",
    "ProtocolError",
    "ServerClock",
    "ServerError",
    "SessionExpired",
    "SessionStatus",
    "StorageKeeper",
    "SyncEngine",
    "SyncError",
    "SyncProgress",
    "SyncReport",
    "SyncSettings",
    "TokenExpired",
    "TokenStore",
    "Tokens",
    "Transport",
]
