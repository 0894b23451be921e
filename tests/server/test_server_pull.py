"""Pull: snapshot paging, the switch to the feed, removals, cursors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import update

from server.admin import create_user, deactivate_user, set_open_queue
from server.db import write_tx
from server.reports import create_report
from server.schema import reports
from tests.server.kit import (
    OFFICER_A1,
    OFFICER_A2,
    OFFICER_B1,
    PASSWORD,
    SUPERVISOR_A,
    ApiClient,
    RunningServer,
    World,
    current,
    visible_reports,
)

Api = Callable[..., ApiClient]


def add_reports(server: RunningServer, unit: str, count: int) -> list[str]:
    now = server.clock()
    ids = []
    with write_tx(server.engine) as conn:
        for i in range(count):
            ids.append(
                create_report(
                    conn,
                    report_id=None,
                    tracking_id=None,
                    category="sampah",
                    channel="twitter",
                    unit_id=unit,
                    received_at=now - timedelta(minutes=i),
                    title=f"Sampah menumpuk {i}",
                    description="",
                    address="",
                    latitude=None,
                    longitude=None,
                    kelurahan_code=None,
                    is_public=False,
                    reporter=None,
                    reporter_photo=None,
                    now=now,
                )
            )
    return ids


def test_first_sync_pages_through_the_visible_set(
    server: RunningServer, world: World, api: Api
) -> None:
    extra = add_reports(server, world.unit_a, 7)
    sup = api(SUPERVISOR_A)
    pages = []
    cursor = ""
    while True:
        page = sup.pull(cursor, limit=3)
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert all(len(p["changes"]) <= 3 for p in pages)
    assert len(pages) >= 4
    got = [c for p in pages for c in p["changes"]]
    report_ids = [c["id"] for c in got if c["entity"] == "report"]
    assert len(report_ids) == len(set(report_ids))  # no report twice in a first sync
    expected = set(extra) | {world.rid(x) for x in ("a_private", "a_public", "a_new")}
    assert set(report_ids) == expected
    users = {c["id"] for c in got if c["entity"] == "user"}
    assert users == {world.uid(OFFICER_A1), world.uid(OFFICER_A2)}
    assert cursor.startswith("f:")
    assert pages[-1]["server_time"] == "2026-11-20T01:00:00+00:00"
    # Nothing changed since: an empty page with the same cursor.
    again = sup.pull(cursor)
    assert again == {**again, "changes": [], "cursor": cursor, "has_more": False}


def test_changes_during_a_first_sync_are_not_lost(
    server: RunningServer, world: World, api: Api
) -> None:
    add_reports(server, world.unit_a, 5)
    sup, other = api(SUPERVISOR_A), api(SUPERVISOR_A)
    first = sup.pull("", limit=2)  # the snapshot starts
    late = add_reports(server, world.unit_a, 1)[0]  # created mid-snapshot
    other.act("dispatch", world.rid("a_new"), assignee_id=world.uid(OFFICER_A1))
    changes, _ = sup.pull_all(first["cursor"], limit=2)
    view = visible_reports(first["changes"] + changes)
    assert late in view
    assert view[world.rid("a_new")]["status"] == "didisposisikan"


def test_feed_is_squashed_and_paged(server: RunningServer, world: World, api: Api) -> None:
    officer = api(OFFICER_A1)
    _, cursor = officer.pull_all()
    sup = api(SUPERVISOR_A)
    rid = world.rid("a_new")
    sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    officer.act("accept", rid)
    officer.act("start", rid)
    for pct in (10, 20, 30):
        officer.act("progress", rid, percent=pct)
    page = officer.pull(cursor)
    assert [(c["op"], c["id"]) for c in page["changes"]] == [("upsert", rid)]
    assert page["changes"][0]["data"]["progress_pct"] == 30
    # With a limit of 1 feed row per page the client walks every row, never skipping.
    pages = 0
    while True:
        small = officer.pull(cursor, limit=1)
        pages += 1
        cursor = small["cursor"]
        assert len(small["changes"]) <= 1
        if not small["has_more"]:
            break
    assert pages == 6
    assert small["changes"][0]["data"]["progress_pct"] == 30


def test_reassigned_away_is_a_removal(server: RunningServer, world: World, api: Api) -> None:
    rid = world.rid("a_new")
    sup = api(SUPERVISOR_A)
    sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    first, second = api(OFFICER_A1), api(OFFICER_A2)
    changes, cursor1 = first.pull_all()
    assert rid in visible_reports(changes)
    _, cursor2 = second.pull_all()
    sup.act("reassign", rid, assignee_id=world.uid(OFFICER_A2))
    page = first.pull(cursor1)
    assert page["changes"] == [{"op": "remove", "entity": "report", "id": rid, "data": None}]
    gained = second.pull(cursor2)["changes"]
    assert [(c["op"], c["id"]) for c in gained] == [("upsert", rid)]


def test_leaving_scope_by_status_is_a_removal(
    server: RunningServer, world: World, api: Api
) -> None:
    officer_b = api(OFFICER_B1)  # sees unit B's open queue
    changes, cursor = officer_b.pull_all()
    rid = world.rid("b_new")
    assert rid in visible_reports(changes)
    api("kasi.b").act("return_not_our_duty", rid, reason="Bukan tupoksi kelurahan")
    removed = officer_b.pull(cursor)["changes"]
    assert removed == [{"op": "remove", "entity": "report", "id": rid, "data": None}]


def test_unit_policy_and_people_changes_reach_devices(
    server: RunningServer, world: World, api: Api
) -> None:
    officer, sup = api(OFFICER_A1), api(SUPERVISOR_A)
    _, officer_cursor = officer.pull_all()
    _, sup_cursor = sup.pull_all()
    with write_tx(server.engine) as conn:
        set_open_queue(conn, world.unit_a, True, now=server.clock())
        new_id = create_user(
            conn,
            "petugas.a3",
            PASSWORD,
            "Asih Petugas",
            "officer",
            world.unit_a,
            settings=server.settings,
            now=server.clock(),
        )
        deactivate_user(conn, OFFICER_A2, now=server.clock())
    changes, officer_cursor = officer.pull_all(officer_cursor)
    assert set(visible_reports(changes)) == {
        world.rid(x) for x in ("a_private", "a_public", "a_new")
    }
    people = current(sup.pull_all(sup_cursor)[0])
    assert people[("user", new_id)] is not None
    assert people[("user", world.uid(OFFICER_A2))] is None
    with write_tx(server.engine) as conn:
        set_open_queue(conn, world.unit_a, False, now=server.clock())
    view = current(officer.pull_all(officer_cursor)[0])
    assert all(v is None for k, v in view.items() if k[0] == "report")


def test_invalid_cursors_are_refused(server: RunningServer, world: World, api: Api) -> None:
    sup = api(SUPERVISOR_A)
    for bad in ("x", "f:", "f:-1", "f:abc", "s:1", "s:1:z:", "f:" + "9" * 40, "s:x:r:"):
        response = sup.request("GET", "/v1/sync/pull", params={"cursor": bad})
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "invalid_cursor"


def test_pull_limit_is_bounded(server: RunningServer, world: World, api: Api) -> None:
    sup = api(SUPERVISOR_A)
    for bad in ("0", "1001", "-5", "abc", "1e3"):
        response = sup.request("GET", "/v1/sync/pull", params={"limit": bad})
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "invalid_request"


def test_pull_responses_are_compressed(server: RunningServer, world: World, api: Api) -> None:
    add_reports(server, world.unit_a, 20)
    sup = api(SUPERVISOR_A)
    response = sup.request("GET", "/v1/sync/pull", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["changes"]) == 25
    assert response.headers["x-server-time"] == "2026-11-20T01:00:00+00:00"


def test_officer_of_other_unit_never_gets_feed_rows(
    server: RunningServer, world: World, api: Api
) -> None:
    officer_b = api(OFFICER_B1)
    _, cursor = officer_b.pull_all()
    sup = api(SUPERVISOR_A)
    sup.act("dispatch", world.rid("a_new"), assignee_id=world.uid(OFFICER_A1))
    add_reports(server, world.unit_a, 3)
    assert officer_b.pull(cursor)["changes"] == []


def test_an_open_queue_officer_gets_both_branches_once_in_id_order(
    server: RunningServer, world: World, api: Api
) -> None:
    """Own reports and the unit's open queue are two keyset reads merged per page."""
    extra = add_reports(server, world.unit_b, 6)
    kasi_b = api("kasi.b")
    for rid in extra[:2]:
        assert kasi_b.act("dispatch", rid, assignee_id=world.uid(OFFICER_B1))["outcome"] == (
            "applied"
        )
    with write_tx(server.engine) as conn:  # in both branches: assigned and still `baru`
        conn.execute(
            update(reports)
            .where(reports.c.id == extra[2])
            .values(assignee_id=world.uid(OFFICER_B1))
        )
    officer = api(OFFICER_B1)
    ids: list[str] = []
    cursor = ""
    while True:
        page = officer.pull(cursor, limit=2)
        ids += [c["id"] for c in page["changes"] if c["entity"] == "report"]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert ids == sorted(set(extra) | {world.rid("b_new"), world.rid("b_new2")})
