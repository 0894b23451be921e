"""Who sees what, and what never leaves the server (the reporter's identity)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from domain import Actor, Role
from server.schema import reports, units, users
from server.scope import Audiences, audience_of, can_see_report, sees
from tests.server.kit import (
    COORDINATOR,
    OFFICER_A1,
    OFFICER_A2,
    OFFICER_B1,
    PUBLIC_REPORTER,
    REPORTER,
    SUPERVISOR_A,
    SUPERVISOR_B,
    VALIDATOR,
    ApiClient,
    RunningServer,
    World,
    make_jpeg,
    sha256,
    visible_reports,
)

Api = Callable[..., ApiClient]


def seen(client: ApiClient) -> set[str]:
    return set(visible_reports(client.pull_all()[0]))


def test_supervisor_sees_exactly_their_unit(server: RunningServer, world: World, api: Api) -> None:
    assert seen(api(SUPERVISOR_A)) == {world.rid(x) for x in ("a_private", "a_public", "a_new")}
    assert seen(api(SUPERVISOR_B)) == {world.rid("b_new"), world.rid("b_new2")}


def test_officers_see_assignments_and_only_an_open_queue_their_unit_shares(
    server: RunningServer, world: World, api: Api
) -> None:
    # Unit A keeps its undispatched queue from officers; unit B shares it.
    assert seen(api(OFFICER_A1)) == set()
    assert seen(api(OFFICER_B1)) == {world.rid("b_new"), world.rid("b_new2")}
    api(SUPERVISOR_A).act("dispatch", world.rid("a_new"), assignee_id=world.uid(OFFICER_A1))
    assert seen(api(OFFICER_A1)) == {world.rid("a_new")}
    assert seen(api(OFFICER_A2)) == set()
    # An officer of another unit gets nothing of unit A.
    assert not seen(api(OFFICER_B1)) & {world.rid(x) for x in ("a_private", "a_public", "a_new")}


def test_validator_sees_only_what_waits_for_validation(
    server: RunningServer, world: World, api: Api
) -> None:
    validator = api(VALIDATOR)
    assert seen(validator) == set()
    rid = world.rid("a_new")
    officer = api(OFFICER_A1)
    api(SUPERVISOR_A).act("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    for action in ("accept", "start"):
        officer.act(action, rid)
    after = make_jpeg(seed=31)
    officer.upload(after)
    officer.act("complete", rid, photo={"sha256": sha256(after), "kind": "after"})
    assert seen(validator) == {rid}
    # The validator may fetch the completion photo of what they validate.
    content = validator.request("GET", f"/v1/photos/{sha256(after)}/content")
    assert content.status_code == 200 and content.content == after
    assert content.headers["content-type"] == "image/jpeg"
    validator.act("approve", rid)
    assert seen(validator) == set()


def test_coordinator_sees_the_coordination_queue(
    server: RunningServer, world: World, api: Api
) -> None:
    coordinator = api(COORDINATOR)
    assert seen(coordinator) == set()
    api(SUPERVISOR_B).act("return_not_our_duty", world.rid("b_new"), reason="Tupoksi Dinas SDA")
    assert seen(coordinator) == {world.rid("b_new")}


def test_supervisor_sees_the_officers_of_their_unit(
    server: RunningServer, world: World, api: Api
) -> None:
    changes, _ = api(SUPERVISOR_A).pull_all()
    people = {c["id"]: c["data"] for c in changes if c["entity"] == "user"}
    assert set(people) == {world.uid(OFFICER_A1), world.uid(OFFICER_A2)}
    assert people[world.uid(OFFICER_A1)]["name"] == "Andi Petugas"
    assert people[world.uid(OFFICER_A1)]["role"] == "officer"
    assert "password_hash" not in people[world.uid(OFFICER_A1)]
    officer_changes, _ = api(OFFICER_A1).pull_all()
    assert not [c for c in officer_changes if c["entity"] == "user"]


def test_no_reporter_identity_in_any_response(
    server: RunningServer, world: World, api: Api
) -> None:
    """Scan every body any role received through a whole workflow for the reporters."""
    clients = {u: api(u) for u in (SUPERVISOR_A, OFFICER_A1, VALIDATOR, COORDINATOR)}
    rid = world.rid("a_private")
    sup, officer = clients[SUPERVISOR_A], clients[OFFICER_A1]
    sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    officer.act("accept", rid)
    officer.act("start", rid)
    after = make_jpeg(seed=41)
    officer.upload(after)
    officer.act("complete", rid, photo={"sha256": sha256(after), "kind": "after"})
    for client in clients.values():
        client.pull_all(limit=2)
        client.request("GET", f"/v1/photos/{world.reporter_photos['a_private']}")
    clients[VALIDATOR].act("send_back", rid, note="Ulangi")
    officer.act("return_not_our_duty", rid, reason="Bukan wewenang")
    for client in clients.values():
        client.pull_all()
    blob = b"\n".join(b for c in clients.values() for b in c.bodies).decode("utf-8")
    assert "Andi Petugas" in blob  # the scan does see the report data
    for name, email, phone in (REPORTER, PUBLIC_REPORTER):
        for secret in (name, email, phone, phone.replace(" ", "").replace("-", "")):
            assert secret not in blob
    assert "reporter_id" not in blob


def test_private_reports_hide_the_reporter_photo(
    server: RunningServer, world: World, api: Api
) -> None:
    sup = api(SUPERVISOR_A)
    reports = visible_reports(sup.pull_all()[0])
    private, public = reports[world.rid("a_private")], reports[world.rid("a_public")]
    assert private["is_public"] is False and private["photos"] == []
    assert [p["kind"] for p in public["photos"]] == ["reporter"]
    assert public["photos"][0]["sha256"] == world.reporter_photos["a_public"]
    assert public["photos"][0]["taken_by"] == ""
    hidden = sup.request("GET", f"/v1/photos/{world.reporter_photos['a_private']}/content")
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
    shown = sup.request("GET", f"/v1/photos/{world.reporter_photos['a_public']}/content")
    assert shown.status_code == 200


def test_photo_content_is_scoped(server: RunningServer, world: World, api: Api) -> None:
    rid = world.rid("a_new")
    officer = api(OFFICER_A1)
    api(SUPERVISOR_A).act("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    officer.act("accept", rid)
    data = make_jpeg(seed=51)
    officer.upload(data)
    officer.act("add_photo", rid, photo={"sha256": sha256(data), "kind": "before"})
    url = f"/v1/photos/{sha256(data)}/content"
    assert officer.request("GET", url).content == data
    assert api(SUPERVISOR_A).request("GET", url).status_code == 200
    for outsider in (OFFICER_B1, SUPERVISOR_B, OFFICER_A2, VALIDATOR):
        assert api(outsider).request("GET", url).status_code == 404
    # An uploader sees their own upload before it is attached to anything.
    lone = make_jpeg(seed=52)
    other = api(OFFICER_A2)
    other.upload(lone)
    assert other.request("GET", f"/v1/photos/{sha256(lone)}/content").content == lone
    assert officer.request("GET", f"/v1/photos/{sha256(lone)}/content").status_code == 404


def test_snapshot_carries_what_the_device_shows(
    server: RunningServer, world: World, api: Api
) -> None:
    snap = visible_reports(api(SUPERVISOR_A).pull_all()[0])[world.rid("a_new")]
    assert snap["tracking_id"].startswith("CRM-2026-")
    assert snap["unit_name"] == "Kelurahan Menteng"
    assert (snap["kelurahan"], snap["kecamatan"], snap["kota"]) == (
        "Kelurahan Menteng",
        "Menteng",
        "Jakarta Pusat",
    )
    assert snap["timeline"][0]["event"] == "received"
    assert snap["timeline"][0]["note"] == "JAKI"
    assert snap["deadline"] == "2026-11-26T23:00:00+00:00"  # received 23:00 UTC + 7 days


def _agreement(server: RunningServer) -> list[str]:
    """Every (user, report) pair on which the three forms of the rules disagree: the SQL
    condition (`can_see_report`), the check on a row already read (`sees`, used by push)
    and the audiences (`audience_of`, and the batch's cached `Audiences`)."""
    disagreements: list[str] = []
    with server.engine.connect() as conn:
        people = conn.execute(select(users.c.id, users.c.role, users.c.unit_id)).all()
        rows = conn.execute(
            select(reports.c.id, reports.c.status, reports.c.unit_id, reports.c.assignee_id)
        ).all()
        flags = dict(conn.execute(select(units.c.id, units.c.officers_see_open_queue)).all())
        cached = Audiences(conn)
        for report in rows:
            row = report._mapping
            audience = audience_of(conn, row)
            if cached.of(row) != audience:
                disagreements.append(f"cached audience of {report.id}")
            for person in people:
                actor = Actor(person.id, Role(person.role), person.unit_id)
                by_sql = can_see_report(conn, actor, report.id)
                by_row = sees(actor, row, open_queue=bool(flags.get(report.unit_id)))
                if by_sql != by_row or by_sql != (person.id in audience):
                    disagreements.append(f"{person.id} {report.id} {report.status}")
    return disagreements


def test_the_rules_agree_in_every_form(server: RunningServer, world: World, api: Api) -> None:
    assert _agreement(server) == []
    sup_a, sup_b, officer = api(SUPERVISOR_A), api(SUPERVISOR_B), api(OFFICER_A1)
    # Through the states that change who sees a report: assigned, waiting for
    # validation, in coordination; unit B shares its open queue, unit A does not.
    sup_a.act("dispatch", world.rid("a_new"), assignee_id=world.uid(OFFICER_A1))
    officer.act("accept", world.rid("a_new"))
    sup_b.act("return_not_our_duty", world.rid("b_new"), reason="Tupoksi Dinas SDA")
    assert _agreement(server) == []
    officer.act("start", world.rid("a_new"))
    after = make_jpeg(seed=61)
    officer.upload(after)
    officer.act("complete", world.rid("a_new"), photo={"sha256": sha256(after), "kind": "after"})
    assert _agreement(server) == []
