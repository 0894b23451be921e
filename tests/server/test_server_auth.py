"""Login, refresh rotation (and its grace for a lost answer), logout, device revocation
(`device_revoked`) against every other end of a session (`session_revoked`), throttling
and token expiry."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest

from server.admin import deactivate_user, revoke_device
from server.db import write_tx
from tests.server.kit import OFFICER_A1, SUPERVISOR_A, ApiClient, RunningServer, World

Api = Callable[..., ApiClient]


def error_code(response: object) -> str:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body["error"]) == {"code", "message_id", "message_en"}
    return str(body["error"]["code"])


def test_login_returns_tokens_and_user(server: RunningServer, world: World, api: Api) -> None:
    client = api()
    response = client.login(OFFICER_A1)
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 15 * 60
    assert body["user"] == {
        "id": world.uid(OFFICER_A1),
        "username": OFFICER_A1,
        "name": "Andi Petugas",
        "role": "officer",
        "unit_id": world.unit_a,
        "unit_name": "Kelurahan Menteng",
    }
    assert body["access_token"] != body["refresh_token"]
    assert client.pull()["changes"] is not None


def test_tokens_are_stored_only_as_hashes(server: RunningServer, world: World, api: Api) -> None:
    client = api(OFFICER_A1)
    with server.engine.connect() as conn:
        dump = repr(conn.exec_driver_sql("SELECT * FROM sessions").all())
    assert client.access is not None and client.refresh_token is not None
    assert client.access not in dump and client.refresh_token not in dump


def test_wrong_password_and_unknown_user_look_the_same(
    server: RunningServer, world: World, api: Api
) -> None:
    client = api()
    wrong = client.login(OFFICER_A1, "salah")
    unknown = client.login("tidak.ada", "salah")
    assert wrong.status_code == unknown.status_code == 401
    assert error_code(wrong) == error_code(unknown) == "invalid_credentials"
    assert wrong.json() == unknown.json()


def test_throttling_after_five_failures(server: RunningServer, world: World, api: Api) -> None:
    client = api()
    for _ in range(5):
        assert client.login(SUPERVISOR_A, "salah").status_code == 401
    blocked = client.login(SUPERVISOR_A)  # even the right password
    assert blocked.status_code == 429
    assert error_code(blocked) == "too_many_attempts"
    retry_after = int(blocked.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    # Another username is not affected.
    assert api().login(OFFICER_A1).status_code == 200
    server.clock.advance(timedelta(seconds=retry_after))
    assert client.login(SUPERVISOR_A).status_code == 200


def test_success_resets_the_failure_count(server: RunningServer, world: World, api: Api) -> None:
    client = api()
    for _ in range(4):
        assert client.login(OFFICER_A1, "salah").status_code == 401
    assert client.login(OFFICER_A1).status_code == 200
    for _ in range(4):
        assert client.login(OFFICER_A1, "salah").status_code == 401
    assert client.login(OFFICER_A1).status_code == 200


def test_access_token_expires_and_refresh_rotates(
    server: RunningServer, world: World, api: Api
) -> None:
    client = api(OFFICER_A1)
    server.clock.advance(timedelta(minutes=15))
    expired = client.request("GET", "/v1/sync/pull")
    assert expired.status_code == 401 and error_code(expired) == "token_expired"
    old_access, old_refresh = client.access, client.refresh_token
    assert client.do_refresh().status_code == 200
    assert client.access != old_access and client.refresh_token != old_refresh
    assert client.request("GET", "/v1/sync/pull").status_code == 200
    # A request that raced the rotation with the old token is told to refresh, not to log out.
    stale = client.request(
        "GET", "/v1/sync/pull", headers={"Authorization": f"Bearer {old_access}"}
    )
    assert stale.status_code == 401 and error_code(stale) == "token_expired"


def refresh_with(client: ApiClient, refresh_token: str | None) -> httpx.Response:
    """A refresh whose answer the caller may drop (a lost answer): `client` keeps its
    tokens either way."""
    return client.request("POST", "/v1/auth/refresh", json={"refresh_token": refresh_token})


def pull_with(client: ApiClient, access_token: str | None) -> httpx.Response:
    return client.request(
        "GET", "/v1/sync/pull", headers={"Authorization": f"Bearer {access_token}"}
    )


def test_reusing_a_rotated_refresh_token_after_the_grace_ends_the_session(
    server: RunningServer, world: World, api: Api
) -> None:
    client = api(OFFICER_A1)
    stolen = client.refresh_token
    assert client.do_refresh().status_code == 200
    server.clock.advance(server.settings.refresh_grace + timedelta(seconds=1))
    replay = refresh_with(client, stolen)
    assert replay.status_code == 401 and error_code(replay) == "session_revoked"
    # The legitimate holder's new tokens are dead too: log in again (never a wipe).
    after = client.request("GET", "/v1/sync/pull")
    assert after.status_code == 401 and error_code(after) == "session_revoked"
    again = client.do_refresh()
    assert again.status_code == 401 and error_code(again) == "session_revoked"
    assert client.login(OFFICER_A1).status_code == 200
    assert client.request("GET", "/v1/sync/pull").status_code == 200


def test_a_lost_refresh_answer_is_exchanged_again_within_the_grace(
    server: RunningServer, world: World, api: Api
) -> None:
    client = api(OFFICER_A1)
    server.clock.advance(timedelta(minutes=16))
    old_access, old_refresh = client.access, client.refresh_token
    lost = refresh_with(client, old_refresh)  # rotated on the server, never received
    assert lost.status_code == 200
    server.clock.advance(server.settings.refresh_grace - timedelta(seconds=1))
    # The device still holds the old pair: its access token says "refresh" ...
    stale = client.request("GET", "/v1/sync/pull")
    assert stale.status_code == 401 and error_code(stale) == "token_expired"
    # ... and the refresh it retries with the old token gets a fresh pair.
    assert client.do_refresh().status_code == 200
    assert client.access not in (old_access, lost.json()["access_token"])
    assert client.refresh_token not in (old_refresh, lost.json()["refresh_token"])
    assert client.request("GET", "/v1/sync/pull").status_code == 200
    # The pair the lost answer carried is retired: its access token is unknown.
    retired = pull_with(client, lost.json()["access_token"])
    assert retired.status_code == 401 and error_code(retired) == "token_invalid"
    # The grace is spent: the normal rotation goes on.
    server.clock.advance(timedelta(minutes=16))
    assert client.do_refresh().status_code == 200
    assert client.request("GET", "/v1/sync/pull").status_code == 200


@pytest.mark.parametrize("replayed", ["the old token again", "the lost answer's token"])
def test_after_the_grace_exchange_any_old_refresh_token_ends_the_session(
    server: RunningServer, world: World, api: Api, replayed: str
) -> None:
    client = api(OFFICER_A1)
    old_refresh = client.refresh_token
    lost = refresh_with(client, old_refresh)
    assert lost.status_code == 200
    assert client.do_refresh().status_code == 200  # the grace exchange
    token = old_refresh if replayed == "the old token again" else lost.json()["refresh_token"]
    replay = refresh_with(client, token)
    assert replay.status_code == 401 and error_code(replay) == "session_revoked"
    after = client.request("GET", "/v1/sync/pull")
    assert after.status_code == 401 and error_code(after) == "session_revoked"


RACERS = 6


def test_retries_racing_within_the_grace_get_one_pair(
    server: RunningServer, world: World, api: Api
) -> None:
    client = api(OFFICER_A1)
    old_refresh = client.refresh_token
    assert refresh_with(client, old_refresh).status_code == 200  # the lost answer
    racers = [server.client() for _ in range(RACERS)]
    try:
        for racer in racers:  # connections open, so the requests leave together
            assert racer.request("GET", "/v1/health").status_code == 200
        with ThreadPoolExecutor(RACERS) as pool:
            answers = list(pool.map(lambda c: refresh_with(c, old_refresh), racers))
    finally:
        for racer in racers:
            racer.close()
    # The grace serves once; every other exchange is a reuse and ends the session.
    assert sorted(a.status_code for a in answers) == [200] + [401] * (RACERS - 1)
    assert {error_code(a) for a in answers if a.status_code == 401} == {"session_revoked"}
    granted = next(a for a in answers if a.status_code == 200)
    after = pull_with(client, granted.json()["access_token"])
    assert after.status_code == 401 and error_code(after) == "session_revoked"


def test_refresh_token_expires_after_thirty_days(
    server: RunningServer, world: World, api: Api
) -> None:
    client = api(OFFICER_A1)
    server.clock.advance(timedelta(days=30, seconds=1))
    response = client.do_refresh()
    assert response.status_code == 401 and error_code(response) == "token_invalid"


def test_logout_ends_only_this_device(server: RunningServer, world: World, api: Api) -> None:
    phone, tablet = api(OFFICER_A1), api(OFFICER_A1)
    assert phone.request("POST", "/v1/auth/logout").status_code == 204
    after = phone.request("GET", "/v1/sync/pull")
    assert after.status_code == 401 and error_code(after) == "session_revoked"
    assert tablet.request("GET", "/v1/sync/pull").status_code == 200


def test_login_again_on_a_device_replaces_its_session(
    server: RunningServer, world: World, api: Api
) -> None:
    client = api(OFFICER_A1)
    first = client.access
    assert client.login(OFFICER_A1).status_code == 200
    old = client.request("GET", "/v1/sync/pull", headers={"Authorization": f"Bearer {first}"})
    assert old.status_code == 401 and error_code(old) == "session_revoked"


def test_admin_revokes_a_device(server: RunningServer, world: World, api: Api) -> None:
    lost_phone, other = api(OFFICER_A1), api(OFFICER_A1)
    with write_tx(server.engine) as conn:
        assert revoke_device(conn, OFFICER_A1, lost_phone.device_id) == 1
        assert revoke_device(conn, OFFICER_A1, lost_phone.device_id) == 0
        assert revoke_device(conn, "tidak.ada", lost_phone.device_id) == 0
    pull = lost_phone.request("GET", "/v1/sync/pull")
    assert pull.status_code == 401 and error_code(pull) == "device_revoked"
    assert pull.json()["error"]["message_id"] != pull.json()["error"]["message_en"]
    refresh = lost_phone.do_refresh()
    assert refresh.status_code == 401 and error_code(refresh) == "device_revoked"
    assert other.request("GET", "/v1/sync/pull").status_code == 200


def test_a_revoked_device_learns_it_with_any_of_its_tokens(
    server: RunningServer, world: World, api: Api
) -> None:
    phone = api(OFFICER_A1)
    first_access, first_refresh = phone.access, phone.refresh_token
    server.clock.advance(timedelta(minutes=16))
    assert phone.do_refresh().status_code == 200
    server.clock.advance(timedelta(minutes=16))  # the current access token expired too
    with write_tx(server.engine) as conn:
        assert revoke_device(conn, OFFICER_A1, phone.device_id, now=server.clock()) == 1
    # Expired, rotated away, current: every token says "revoked", never "refresh" or
    # "log in again", so the device stops and wipes whichever call it makes first.
    for access in (phone.access, first_access):
        answer = pull_with(phone, access)
        assert answer.status_code == 401 and error_code(answer) == "device_revoked"
    for refresh in (phone.refresh_token, first_refresh):
        answer = refresh_with(phone, refresh)
        assert answer.status_code == 401 and error_code(answer) == "device_revoked"


def test_revoking_a_device_reaches_a_session_already_ended_otherwise(
    server: RunningServer, world: World, api: Api
) -> None:
    phone = api(OFFICER_A1)
    stolen = phone.refresh_token
    assert phone.do_refresh().status_code == 200
    server.clock.advance(server.settings.refresh_grace + timedelta(seconds=1))
    reuse = refresh_with(phone, stolen)
    assert reuse.status_code == 401 and error_code(reuse) == "session_revoked"
    with write_tx(server.engine) as conn:
        # No live session to end, but the phone still holds tokens: it must wipe too.
        assert revoke_device(conn, OFFICER_A1, phone.device_id) == 0
    after = phone.request("GET", "/v1/sync/pull")
    assert after.status_code == 401 and error_code(after) == "device_revoked"


def test_deactivated_user_cannot_log_in_or_sync(
    server: RunningServer, world: World, api: Api
) -> None:
    client = api(OFFICER_A1)
    with write_tx(server.engine) as conn:
        assert deactivate_user(conn, OFFICER_A1)
    after = client.request("GET", "/v1/sync/pull")
    assert after.status_code == 401 and error_code(after) == "session_revoked"
    assert client.login(OFFICER_A1).status_code == 401


def test_missing_or_garbage_token(server: RunningServer, world: World, api: Api) -> None:
    client = api()
    missing = client.request("GET", "/v1/sync/pull")
    assert missing.status_code == 401 and error_code(missing) == "token_invalid"
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    garbage = client.request(
        "GET", "/v1/sync/pull", headers={"Authorization": "Bearer not-a-token"}
    )
    assert garbage.status_code == 401 and error_code(garbage) == "token_invalid"
