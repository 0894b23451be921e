"""Photos are capabilities of their uploader and of who may see their report, never of
whoever knows their sha256 (over real HTTP, on SQLite and PostgreSQL).

Covers: attaching another user's photo by hash, the upload status and the bytes per
role x scope, and another user's requests against an upload in progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from server.schema import photos, report_photos
from tests.server.kit import (
    COORDINATOR,
    OFFICER_A1,
    OFFICER_A2,
    OFFICER_B1,
    SUPERVISOR_A,
    SUPERVISOR_B,
    VALIDATOR,
    ApiClient,
    RunningServer,
    World,
    make_jpeg,
    sha256,
)

Api = Callable[..., ApiClient]
EVERYONE = (OFFICER_A1, OFFICER_A2, OFFICER_B1, SUPERVISOR_A, SUPERVISOR_B, VALIDATOR, COORDINATOR)


def photo_ref(sha: str, kind: str = "during") -> dict[str, object]:
    return {"sha256": sha, "kind": kind, "latitude": -6.19, "longitude": 106.83}


def working(api: Api, world: World, label: str, supervisor: str, officer: str) -> str:
    """Report `label` dispatched to `officer` and in progress."""
    rid = world.rid(label)
    dispatched = api(supervisor).act("dispatch", rid, assignee_id=world.uid(officer))
    assert dispatched["outcome"] == "applied", dispatched
    client = api(officer)
    for action in ("accept", "start"):
        assert client.act(action, rid)["outcome"] == "applied"
    return rid


def links(server: RunningServer, sha: str) -> list[str]:
    with server.engine.connect() as conn:
        return list(
            conn.execute(
                select(report_photos.c.report_id).where(report_photos.c.sha256 == sha)
            ).scalars()
        )


def test_attaching_another_users_photo_by_hash_is_refused(
    server: RunningServer, world: World, api: Api
) -> None:
    a_new = working(api, world, "a_new", SUPERVISOR_A, OFFICER_A1)
    b_new = working(api, world, "b_new", SUPERVISOR_B, OFFICER_B1)
    victim, thief = api(OFFICER_A1), api(OFFICER_B1)
    data = make_jpeg(seed=901)
    sha = sha256(data)
    assert victim.upload(data)["complete"]
    assert victim.act("add_photo", a_new, photo=photo_ref(sha))["outcome"] == "applied"

    stolen = thief.act("add_photo", b_new, photo=photo_ref(sha))
    assert (stolen["outcome"], stolen["code"]) == ("rejected", "photo_not_owned")
    assert "tidak diunggah oleh Anda" in stolen["message_id"]
    # The same through complete (a photo carried by another action) is refused too.
    done = thief.act("complete", b_new, note="selesai", photo=photo_ref(sha, "after"))
    assert (done["outcome"], done["code"]) == ("rejected", "photo_not_owned")
    assert links(server, sha) == [a_new]
    assert thief.request("GET", f"/v1/photos/{sha}/content").status_code == 404
    assert thief.request("GET", f"/v1/photos/{sha}").status_code == 404
    # The owner's own photo still attaches to another report of theirs... by the owner.
    own = make_jpeg(seed=902)
    assert thief.upload(own)["complete"]
    mine = thief.act("add_photo", b_new, photo=photo_ref(sha256(own)))
    assert mine["outcome"] == "applied", mine


@dataclass(frozen=True)
class Photos:
    in_progress: str  # officer A1's upload, half done
    evidence: str  # officer A1's photo on a_new (unit A, in progress, assigned to A1)
    private_reporter: str  # the reporter's photo of a private report of unit A
    public_reporter: str  # the reporter's photo of a public report of unit A


def _photos(server: RunningServer, world: World, api: Api) -> Photos:
    a_new = working(api, world, "a_new", SUPERVISOR_A, OFFICER_A1)
    officer = api(OFFICER_A1)
    evidence = make_jpeg(seed=903)
    assert officer.upload(evidence)["complete"]
    assert officer.act("add_photo", a_new, photo=photo_ref(sha256(evidence)))["outcome"] == (
        "applied"
    )
    partial = make_jpeg(300, 200, seed=904)
    assert officer.put_chunk(sha256(partial), 0, len(partial), partial[:1000]).status_code == 200
    return Photos(
        sha256(partial),
        sha256(evidence),
        world.reporter_photos["a_private"],
        world.reporter_photos["a_public"],
    )


# Who may read what (role x scope). The evidence is on a report of unit A assigned to
# officer A1 and in progress: neither the validator (menunggu_validasi only), nor the
# coordinator (koordinasi only), nor unit A's other officer (unit A hides its queue and
# the report is not theirs), nor anyone of unit B sees it. A private report's reporter
# photo is served to no one; a public one to who sees its report (unit A's supervisor:
# the report is still `baru`, so no officer of unit A has it).
READERS = {
    "in_progress": {OFFICER_A1},  # status only: the uploader, while it uploads
    "evidence": {OFFICER_A1, SUPERVISOR_A},
    "private_reporter": set(),
    "public_reporter": {SUPERVISOR_A},
}


@pytest.mark.parametrize("who", EVERYONE)
def test_photo_status_and_content_by_role_and_scope(
    server: RunningServer, world: World, api: Api, who: str
) -> None:
    shas = _photos(server, world, api)
    client = api(who)
    unknown = "0" * 64
    for name, readers in READERS.items():
        sha = getattr(shas, name)
        status = client.request("GET", f"/v1/photos/{sha}")
        content = client.request("GET", f"/v1/photos/{sha}/content")
        if who in readers:
            assert status.status_code == 200, (name, status.text)
            assert status.json()["sha256"] == sha
            expected = 404 if name == "in_progress" else 200
            assert content.status_code == expected, (name, content.text)
        else:
            # The same answer as for a hash the server never heard of.
            for response in (status, content):
                assert response.status_code == 404, (name, response.text)
                assert response.json()["error"]["code"] == "not_found"
    never = client.request("GET", f"/v1/photos/{unknown}")
    assert never.status_code == 404 and never.json()["error"]["code"] == "not_found"


def _row(server: RunningServer, sha: str) -> tuple[int, int, bool, str | None]:
    with server.engine.connect() as conn:
        row = conn.execute(select(photos).where(photos.c.sha256 == sha)).one()
    return row.size, row.received, row.complete, row.uploaded_by


def test_another_user_cannot_reset_or_take_over_an_upload(
    server: RunningServer, world: World, api: Api
) -> None:
    data = make_jpeg(300, 200, seed=905)
    sha, size = sha256(data), len(data)
    owner = api(OFFICER_A1)
    assert owner.put_chunk(sha, 0, size, data[:1000]).json()["received"] == 1000
    before = _row(server, sha)
    other = api(OFFICER_B1)
    attempts = [
        (0, size + 7, b"\xff\xd8 not it"),  # a conflicting size: used to reset the upload
        (0, size, data[:500]),  # a restart
        (1000, size, data[1000:2000]),  # a continuation at the right offset
    ]
    for offset, declared, chunk in attempts:
        response = other.put_chunk(sha, offset, declared, chunk)
        assert response.status_code == 409, response.text
        body = response.json()
        assert body["error"]["code"] == "upload_owned"
        assert "received" not in body  # the progress is not revealed
        assert _row(server, sha) == before
    assert other.request("GET", f"/v1/photos/{sha}").status_code == 404
    # The owner's own refused request changes nothing either.
    refused = owner.put_chunk(sha, 500, size + 7, data[500:600])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "offset_mismatch"
    assert _row(server, sha) == before
    done = owner.put_chunk(sha, 1000, size, data[1000:])
    assert done.status_code == 200 and done.json()["complete"] is True
    assert owner.request("GET", f"/v1/photos/{sha}/content").content == data
    # A complete photo: another user outside its scope still learns nothing.
    late = other.put_chunk(sha, 0, size, data)
    assert late.status_code == 409 and late.json()["error"]["code"] == "upload_owned"
    assert _row(server, sha) == (size, size, True, world.uid(OFFICER_A1))
