"""Reading and changing the signed-in account and the sync state (database side only).

The tokens live in the OS keyring or secure storage (`sync.tokens`), never here.
"""

from __future__ import annotations

from datetime import datetime

from domain import Actor
from domain.protocol import UserInfo

from .connection import LocalDb
from .rows import Account, SyncState
from .state import account_actor, get_account, get_state, mark_signed_out, set_account


def account(db: LocalDb) -> Account | None:
    with db.read() as conn:
        return get_account(conn)


def actor(db: LocalDb) -> Actor | None:
    """The signed-in user as the domain rules see them (for `record_action`)."""
    with db.read() as conn:
        return account_actor(conn)


def sync_state(db: LocalDb) -> SyncState:
    with db.read() as conn:
        return get_state(conn)


def sign_in(db: LocalDb, user: UserInfo, server_url: str, at: datetime) -> None:
    with db.write() as conn:
        set_account(conn, user, server_url, at)


def sign_out(db: LocalDb) -> None:
    """Mark the user signed out. The data stays on the device and still belongs to
    them: another user can only log in once nothing of theirs is unsent."""
    with db.write() as conn:
        mark_signed_out(conn)
