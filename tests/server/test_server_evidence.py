"""Evidence flags over HTTP: found when a photo is linked, sent with it, never refusing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import inspect, text

from server.api import warm_up
from server.migrations import head, migrate
from server.phash import photo_hash
from server.photo_index import index_for
from server.schema import photo_hashes
from tests.server.kit import (
    OFFICER_A1,
    SUPERVISOR_A,
    VALIDATOR,
    ApiClient,
    RunningServer,
    World,
    make_pre_alembic,
    sha256,
    visible_reports,
)
from tests.support.scenes import brightness, crop, jpeg, street_scene

Api = Callable[..., ApiClient]


def _ref(data: bytes, kind: str, source: str) -> dict[str, Any]:
    return {
        "sha256": sha256(data),
        "kind": kind,
        "captured_at": "2026-11-20T00:30:00+00:00",
        "source": source,
    }


def _attach(officer: ApiClient, rid: str, data: bytes, kind: str, source: str = "camera") -> None:
    officer.upload(data)
    result = officer.act("add_photo", rid, photo=_ref(data, kind, source))
    assert result["outcome"] == "applied", result


def test_same_as_before_and_reused_on_another_report_reach_the_validator(
    server: RunningServer, world: World, api: Api
) -> None:
    sup, officer, validator = api(SUPERVISOR_A), api(OFFICER_A1), api(VALIDATOR)
    first, second = world.rid("a_new"), world.rid("a_private")
    for rid in (first, second):
        sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
        officer.act("accept", rid)
        officer.act("start", rid)
    street, other = street_scene(1, 800, 600), street_scene(2, 800, 600)
    before = jpeg(street, 90)
    same_again = jpeg(brightness(street, 1.2), 70)  # the before photo, brightened
    honest = jpeg(other, 85)
    reused = jpeg(crop(other, 0.1, "corner"), 80)  # the honest photo, cropped
    _attach(officer, first, before, "before")
    _attach(officer, first, same_again, "after", source="gallery")
    _attach(officer, first, honest, "after")
    _attach(officer, second, reused, "after", source="gallery")  # flags never refuse
    assert officer.act("complete", second)["outcome"] == "applied"

    changes, _ = officer.pull_all()
    first_tid = visible_reports(changes)[first]["tracking_id"]
    changes, _ = validator.pull_all()
    photos = {p["sha256"]: p for p in visible_reports(changes)[second]["photos"]}
    assert photos[sha256(reused)]["flags"] == [f"reused:{first_tid}"]
    assert photos[sha256(reused)]["source"] == "gallery"
    assert photos[sha256(reused)]["added_at"] == server.clock().isoformat()

    changes, _ = officer.pull_all()
    photos = {p["sha256"]: p for p in visible_reports(changes)[first]["photos"]}
    assert photos[sha256(same_again)]["flags"] == ["same_as_before"]
    assert photos[sha256(same_again)]["source"] == "gallery"
    assert photos[sha256(honest)]["flags"] == []
    assert photos[sha256(honest)]["source"] == "camera"
    assert photos[sha256(before)]["flags"] == []


def test_an_unknown_source_is_not_stored(server: RunningServer, world: World, api: Api) -> None:
    sup, officer = api(SUPERVISOR_A), api(OFFICER_A1)
    rid = world.rid("a_new")
    sup.act("dispatch", rid, assignee_id=world.uid(OFFICER_A1))
    officer.act("accept", rid)
    data = jpeg(street_scene(3, 400, 300))
    _attach(officer, rid, data, "before", source="<script>")
    changes, _ = officer.pull_all()
    (photo,) = visible_reports(changes)[rid]["photos"]
    assert photo["source"] == ""


def test_an_older_database_gains_the_evidence_columns(server: RunningServer) -> None:
    """Migration 4 on a database made before it: the columns and the hash table appear."""
    with server.engine.begin() as conn:
        conn.execute(text("DROP TABLE photo_hashes"))
        for column in ("source", "flags"):
            conn.execute(text(f"ALTER TABLE report_photos DROP COLUMN {column}"))
    make_pre_alembic(server.engine, 3)
    assert migrate(server.engine) == head()
    with server.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("report_photos")}
        assert {"source", "flags"} <= columns
        assert inspect(conn).has_table("photo_hashes")


def test_the_index_warms_up_from_the_table(server: RunningServer) -> None:
    """A fresh process reads the stored hashes before its first lookup needs them."""
    hashes = photo_hash(jpeg(street_scene(9, 400, 300)))
    with server.engine.begin() as conn:
        conn.execute(photo_hashes.insert().values(sha256="9" * 64, hashes=hashes.to_text()))
    index = index_for(server.engine)
    warm_up(server.engine)
    assert "9" * 64 in index.near(hashes)
