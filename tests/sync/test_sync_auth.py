"""Tokens: silent refresh (and a lost refresh answer), expiry, an ended session (log in
again, data kept) against a revoked device (report unsent work, then wipe), secrecy.

Only the server's `device_revoked` leads to a wipe, whichever call it answers;
`session_revoked` / `token_invalid` ask for a login, whichever call they answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import keyring
import keyring.backend
import pytest

import local_db
from domain import Action, PhotoKind
from server.auth import revoke_device
from server.db import write_tx
from sync import (
    AccountConflict,
    DeviceRevoked,
    KeyringTokenStore,
    LoginRefused,
    Offline,
    SessionExpired,
    SessionStatus,
    Tokens,
)
from tests.server.kit import OFFICER_A1, OFFICER_A2, SUPERVISOR_A, RunningServer, World
from tests.sync.kit import Device, Devices


def test_wrong_password_is_refused_with_a_message(devices: Devices, world: World) -> None:
    d = devices(None, "phone", login=False)
    with pytest.raises(LoginRefused) as info:
        d.engine.login(OFFICER_A1, "salah")
    assert info.value.message_id and info.value.message_en
    assert local_db.account(d.db) is None


def test_an_expired_access_token_is_refreshed_silently(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    d = devices(SUPERVISOR_A)
    d.ok_sync()
    old = d.tokens.get(d.engine.transport.base_url, SUPERVISOR_A)
    sqlite_server.clock.advance(timedelta(minutes=20))  # past the 15 min access TTL
    d.ok_sync()
    new = d.tokens.get(d.engine.transport.base_url, SUPERVISOR_A)
    assert old is not None and new is not None
    assert new.access_token != old.access_token and new.refresh_token != old.refresh_token
    assert ("POST", "/v1/auth/refresh") in d.net.paths


def test_an_expired_session_asks_for_login_and_keeps_the_data(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    d = devices(SUPERVISOR_A)
    d.ok_sync()
    d.act(world.rid("a_new"), Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sqlite_server.clock.advance(timedelta(days=31))  # past the refresh TTL too
    report = d.sync()
    assert isinstance(report.error, SessionExpired)
    assert d.engine.progress.session is SessionStatus.EXPIRED
    assert len(local_db.unsent_work(d.db).mutations) == 1  # nothing lost
    d.engine.login(SUPERVISOR_A, "rahasia-123")
    assert d.ok_sync().applied == 1


def test_a_revoked_device_reports_its_unsent_work_then_wipes(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    sup = devices(SUPERVISOR_A)
    sup.ok_sync()
    rid = world.rid("a_new")
    sup.act(rid, Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sup.ok_sync()
    a1 = devices(OFFICER_A1)
    a1.ok_sync()
    a1.act(rid, Action.ACCEPT)
    a1.act(rid, Action.START)
    photo = a1.photo(rid, PhotoKind.BEFORE)
    with write_tx(sqlite_server.engine) as conn:
        assert revoke_device(conn, OFFICER_A1, local_db.sync_state(a1.db).device_id) == 1
    a1.engine.start(interval_s=3600)
    report = a1.sync()
    assert isinstance(report.error, DeviceRevoked)
    assert a1.engine.progress.session is SessionStatus.REVOKED
    # What the app shows before erasing: every unsent action and photo.
    work = a1.engine.unsent_work()
    assert [m.action for m in work.mutations] == [Action.ACCEPT, Action.START, Action.ADD_PHOTO]
    assert [p.sha256 for p in work.photos] == [photo.sha256]
    removed = a1.engine.wipe()
    assert removed == [photo.path] and not Path(photo.path).exists()
    assert a1.tokens.get(a1.engine.transport.base_url, OFFICER_A1) is None
    assert local_db.unsent_work(a1.db).empty
    assert local_db.queue(a1.db, now=a1.engine.now_server()) == []
    assert local_db.account(a1.db) is None
    a1.engine.stop()


def test_another_user_cannot_sign_in_over_unsent_work(devices: Devices, world: World) -> None:
    sup = devices(SUPERVISOR_A)
    sup.ok_sync()
    sup.act(world.rid("a_new"), Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sup.engine.logout()
    with pytest.raises(AccountConflict):
        sup.engine.login(OFFICER_A2, "rahasia-123")
    sup.engine.login(SUPERVISOR_A, "rahasia-123")
    sup.ok_sync()
    sup.engine.logout()
    # Nothing unsent: the next user gets a clean device, none of the previous data.
    sup.engine.login(OFFICER_A2, "rahasia-123")
    assert local_db.queue(sup.db, now=sup.engine.now_server()) == []
    sup.ok_sync()
    assert local_db.account(sup.db).user.username == OFFICER_A2  # type: ignore[union-attr]


def test_tokens_never_reach_logs_or_the_database(
    devices: Devices,
    world: World,
    sqlite_server: RunningServer,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    d = devices(SUPERVISOR_A, "secretive")
    seen: list[Tokens] = []
    first = d.tokens.get(d.engine.transport.base_url, SUPERVISOR_A)
    assert first is not None
    seen.append(first)
    d.ok_sync()
    sqlite_server.clock.advance(timedelta(minutes=20))
    d.act(world.rid("a_new"), Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    d.ok_sync()  # refreshes
    second = d.tokens.get(d.engine.transport.base_url, SUPERVISOR_A)
    assert second is not None and second != first
    seen.append(second)
    d.engine.logout()
    assert caplog.records  # logging really was captured at DEBUG
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("secretive.sqlite*"))
    for tokens in seen:
        for secret in (tokens.access_token, tokens.refresh_token):
            assert secret not in caplog.text
            assert secret.encode() not in raw
        assert tokens.access_token not in repr(tokens)


class _DictKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


def test_keyring_store_round_trip() -> None:
    previous = keyring.get_keyring()
    backend = _DictKeyring()
    keyring.set_keyring(backend)
    try:
        store = KeyringTokenStore()
        assert store.get("http://s", "budi") is None
        store.set("http://s/", "budi", Tokens("a1", "r1"))
        assert store.get("http://s", "budi") == Tokens("a1", "r1")
        assert store.get("http://s", "ani") is None
        store.clear("http://s", "budi")
        store.clear("http://s", "budi")  # clearing twice is fine
        assert store.get("http://s", "budi") is None and backend.store == {}
    finally:
        keyring.set_keyring(previous)


def lose_the_next_refresh_answer(d: Device) -> None:
    """The server rotates the refresh token, but its answer is lost in a cut."""
    d.net.lose_when = lambda r: r.url.path.endswith("/auth/refresh")
    assert isinstance(d.sync().error, Offline)
    d.net.lose_when = None


def test_a_lost_refresh_answer_retried_within_the_grace_keeps_working(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    d = devices(SUPERVISOR_A)
    d.ok_sync()
    d.act(world.rid("a_new"), Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sqlite_server.clock.advance(timedelta(minutes=20))
    lose_the_next_refresh_answer(d)
    sqlite_server.clock.advance(timedelta(seconds=30))
    # The retry with the old refresh token is within the server's grace: no login.
    assert d.ok_sync().applied == 1
    assert d.engine.progress.session is SessionStatus.ACTIVE
    assert d.net.paths.count(("POST", "/v1/auth/refresh")) == 2
    assert local_db.unsent_work(d.db).empty


def test_a_refresh_token_reused_after_the_grace_asks_for_login_never_a_wipe(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    d = devices(SUPERVISOR_A)
    d.ok_sync()
    d.act(world.rid("a_new"), Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    sqlite_server.clock.advance(timedelta(minutes=20))
    lose_the_next_refresh_answer(d)
    sqlite_server.clock.advance(sqlite_server.settings.refresh_grace + timedelta(seconds=1))
    # Too late: the server takes the old token for a stolen one and ends the session.
    report = d.sync()
    assert isinstance(report.error, SessionExpired) and report.error.code == "session_revoked"
    assert d.engine.progress.session is SessionStatus.EXPIRED
    assert len(local_db.unsent_work(d.db).mutations) == 1  # kept
    assert local_db.queue(d.db, now=d.engine.now_server()) != []
    d.engine.login(SUPERVISOR_A, "rahasia-123")
    assert d.ok_sync().applied == 1


def test_a_session_ended_by_token_theft_asks_for_login_never_a_wipe(
    devices: Devices, world: World, sqlite_server: RunningServer
) -> None:
    d = devices(SUPERVISOR_A)
    d.ok_sync()
    before = d.tokens.get(d.engine.transport.base_url, SUPERVISOR_A)
    assert before is not None
    sqlite_server.clock.advance(timedelta(minutes=20))
    d.ok_sync()  # rotates the refresh token
    sqlite_server.clock.advance(timedelta(minutes=2))
    # Someone replays the device's old refresh token: the server ends the session.
    with httpx.Client(base_url=sqlite_server.base_url) as thief:
        replay = thief.post("/v1/auth/refresh", json={"refresh_token": before.refresh_token})
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "session_revoked"
    d.act(world.rid("a_new"), Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    # The device's next (access-token) call is refused: log in again, keep everything.
    report = d.sync()
    assert isinstance(report.error, SessionExpired) and report.error.code == "session_revoked"
    assert d.engine.progress.session is SessionStatus.EXPIRED
    assert len(local_db.unsent_work(d.db).mutations) == 1
    d.engine.login(SUPERVISOR_A, "rahasia-123")
    assert d.ok_sync().applied == 1


class _RevokeBeforeRefresh(httpx.BaseTransport):
    """The admin revokes the device just as its refresh leaves (after the call that
    answered `token_expired`): the revocation is first seen by the refresh."""

    def __init__(self, inner: httpx.BaseTransport, revoke: Callable[[], None]) -> None:
        self.inner = inner
        self.revoke = revoke

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/refresh"):
            self.revoke()
        return self.inner.handle_request(request)


@pytest.mark.parametrize("revoked", ["before the pass", "just before the refresh"])
def test_a_revoked_device_with_an_expired_access_token_is_wiped(
    devices: Devices, world: World, sqlite_server: RunningServer, revoked: str
) -> None:
    d = devices(SUPERVISOR_A)
    d.ok_sync()
    d.act(world.rid("a_new"), Action.DISPATCH, assignee_id=world.uid(OFFICER_A1))
    device_id = local_db.sync_state(d.db).device_id

    def revoke() -> None:
        with write_tx(sqlite_server.engine) as conn:
            revoke_device(conn, SUPERVISOR_A, device_id, now=sqlite_server.clock())

    sqlite_server.clock.advance(timedelta(minutes=20))  # the access token expired
    if revoked == "before the pass":
        revoke()
    else:
        d.net.inner = _RevokeBeforeRefresh(d.net.inner, revoke)
    report = d.sync()
    assert isinstance(report.error, DeviceRevoked) and report.error.code == "device_revoked"
    refreshed = ("POST", "/v1/auth/refresh") in d.net.paths
    assert refreshed is (revoked == "just before the refresh")
    assert d.engine.progress.session is SessionStatus.REVOKED
    # Reported first, then wiped.
    work = d.engine.unsent_work()
    assert [m.action for m in work.mutations] == [Action.DISPATCH]
    d.engine.wipe()
    assert local_db.unsent_work(d.db).empty
    assert local_db.queue(d.db, now=d.engine.now_server()) == []
    assert local_db.account(d.db) is None
    assert d.tokens.get(d.engine.transport.base_url, SUPERVISOR_A) is None
