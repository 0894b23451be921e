"""The demo data generator: realistic mix, legal timelines, and the seeded database."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select

from domain import CATEGORIES, CHANNELS, RULES, Action, ExtensionState, PhotoKind, Role, Status
from server import routing, schema
from server.db import read_tx, write_tx
from server.demo import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    AlreadySeeded,
    Dataset,
    category_weights,
    generate,
    seed_demo,
)
from server.demo.seed import API_KEY_CHANNELS, issue_demo_keys
from server.reports import new_tracking_id
from server.scope import report_audience
from tests.server.kit import ApiClient, RunningServer, sha256, visible_reports

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
N = 5000


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return generate(reports=N, seed=11, now=NOW)


def shares(counter: Counter[str]) -> dict[str, float]:
    total = sum(counter.values())
    return {k: v / total for k, v in counter.items()}


def test_category_mix_follows_2024(dataset: Dataset) -> None:
    got = Counter(d.report.category for d in dataset.reports)
    top = {c.code: c.reports_2024 for c in CATEGORIES.values() if c.reports_2024}
    top_total = sum(top.values())
    top_got = sum(got[c] for c in top)
    for code, volume in top.items():  # shares among the ten 2024 categories
        assert got[code] / top_got == pytest.approx(volume / top_total, abs=0.015), code
    expected = category_weights()
    for code, share in shares(got).items():
        assert share == pytest.approx(expected[code], abs=0.015), code
    assert set(got) == set(CATEGORIES)  # the smaller 2021 categories appear too
    assert got.most_common(1)[0][0] == "jalan"


def test_channel_mix_follows_2024(dataset: Dataset) -> None:
    got = shares(Counter(d.report.channel for d in dataset.reports))
    total = sum(c.reports_2024 for c in CHANNELS.values())
    for c in CHANNELS.values():
        assert got.get(c.code, 0.0) == pytest.approx(c.reports_2024 / total, abs=0.01), c.code
    assert got["jaki"] > 0.9


def test_statuses_cover_the_whole_workflow(dataset: Dataset) -> None:
    reports = [d.report for d in dataset.reports]
    assert {r.status for r in reports} == set(Status)
    by_status = Counter(r.status for r in reports)
    assert by_status[Status.SELESAI] > 0.8 * N  # most of two months' reports are done
    assert any(r.rework_count > 0 for r in reports)
    states = {r.extension.state for r in reports}
    assert {ExtensionState.REQUESTED, ExtensionState.APPROVED, ExtensionState.REFUSED} <= states
    assert any(r.extended_deadline is not None for r in reports)
    assert any(r.unit_id.startswith("sudin-") for r in reports)  # re-routed to a suku dinas
    assert any(r.status is Status.DALAM_PROSES and 0 < r.progress_pct < 100 for r in reports)
    overdue = [r for r in reports if r.status.is_open and r.deadline < NOW]
    assert 0.005 * N < len(overdue) < 0.1 * N
    ratings = [d.outcome.rating for d in dataset.reports]
    assert all(
        (rating is None) or (d.report.status is Status.SELESAI and 1 <= rating <= 5)
        for rating, d in zip(ratings, dataset.reports, strict=True)
    )
    assert {r for r in ratings if r is not None} == {1, 2, 3, 4, 5}
    assert sum(1 for r in reports if r.is_public) / N == pytest.approx(0.3, abs=0.03)


def test_daily_volume_covers_the_last_two_months(dataset: Dataset) -> None:
    days = Counter(d.report.received_at.date() for d in dataset.reports)
    assert 59 <= len(days) <= 61
    assert max(d.report.received_at for d in dataset.reports) <= NOW
    per_day = sorted(days.values())
    assert per_day[len(per_day) // 2] == pytest.approx(N / 60, rel=0.3)


def test_every_report_lies_inside_its_kelurahan(dataset: Dataset) -> None:
    for d in dataset.reports:
        r = d.report
        assert r.latitude is not None and r.longitude is not None
        match = routing.route(r.latitude, r.longitude)
        assert match.inside and match.code == r.kelurahan_code
        assert r.unit_id == match.unit_id or r.unit_id.startswith("sudin-")
        assert f"Kel. {match.kelurahan}," in r.address


def test_timelines_follow_the_workflow_rules(dataset: Dataset) -> None:
    for d in dataset.reports:
        r, timeline = d.report, d.outcome.timeline
        assert timeline[0].event == "received" and timeline[0].status_to == "baru"
        assert timeline[0].at == r.received_at
        status = Status.BARU
        last = r.received_at
        for entry in timeline[1:]:
            rule = RULES[Action(entry.event)]
            assert entry.at >= last and entry.at <= NOW
            assert Role(entry.actor_role) in rule.roles, entry
            assert status in rule.from_statuses, (r.id, entry)
            assert entry.status_from == status.value
            expected = rule.to_status or status
            assert entry.status_to == expected.value
            status, last = expected, entry.at
        assert status is r.status
        assert r.version == len(timeline) - 1
        kinds = {p.kind for p in d.outcome.photos}
        if r.status in (Status.MENUNGGU_VALIDASI, Status.SELESAI):
            assert PhotoKind.AFTER in kinds
            assert d.outcome.completed_at is not None
        if r.status is Status.SELESAI:
            assert d.outcome.validated_at is not None
        assert len({p.sha256 for p in d.outcome.photos}) == len(d.outcome.photos)


def test_the_demo_officer_has_a_realistic_queue(dataset: Dataset) -> None:
    officer = dataset.world.demo["petugas.demo"]
    mine = [d.report for d in dataset.reports if d.report.assignee_id == officer.id]
    open_ = [r for r in mine if r.status.is_open]
    assert 30 <= len(open_) <= 60
    assert sum(1 for r in open_ if r.deadline < NOW) >= 3
    assert {r.status for r in open_} >= {
        Status.DIDISPOSISIKAN,
        Status.DITERIMA,
        Status.DALAM_PROSES,
    }
    assert any(r.extension.state is ExtensionState.REQUESTED for r in open_)
    assert all(r.unit_id == officer.unit_id for r in mine)
    supervisor = dataset.world.demo["supervisor.demo"]
    assert supervisor.unit_id == officer.unit_id
    assert any(
        d.report.status is Status.BARU and d.report.unit_id == supervisor.unit_id
        for d in dataset.reports
    )


def test_the_world(dataset: Dataset) -> None:
    staff = dataset.world.staff
    assert len({s.username for s in staff}) == len(staff)
    per_unit = Counter(s.unit_id for s in staff if s.role is Role.OFFICER)
    kelurahan_units = [u.id for u in routing.wilayah_units() if u.id.startswith("kel-")]
    assert all(2 <= per_unit[u] <= 4 for u in kelurahan_units)
    assert {login.username for login in DEMO_LOGINS} == set(dataset.world.demo)
    assert len(dataset.reporters) == pytest.approx(N * 41_528 / 185_852, rel=0.01)


def test_the_same_seed_gives_the_same_data(dataset: Dataset) -> None:
    def fingerprint(ds: Dataset) -> list[tuple[object, ...]]:
        return [
            (d.report.id, d.report.status, d.ordinal, d.report.latitude, d.report.title)
            for d in ds.reports
        ]

    small = generate(reports=300, seed=11, now=NOW)
    assert fingerprint(small) == fingerprint(generate(reports=300, seed=11, now=NOW))
    assert fingerprint(small) != fingerprint(generate(reports=300, seed=12, now=NOW))
    assert [p.sha256 for p in small.photos] == [p.sha256 for p in dataset.photos]


# --- the seeded database, over real HTTP ------------------------------------------------


def test_seeded_database_serves_the_demo_logins(
    server: RunningServer, api: Callable[..., ApiClient]
) -> None:
    now = server.clock()
    summary = seed_demo(server.engine, reports=800, seed=3, settings=server.settings, now=now)
    assert summary.reports == 800 and summary.password == DEMO_PASSWORD == "tindak123"
    assert set(summary.by_status) == {s.value for s in Status}
    with read_tx(server.engine) as conn:
        assert conn.execute(select(func.count()).select_from(schema.reports)).scalar_one() == 800
        assert (
            conn.execute(select(func.count()).select_from(schema.reporters)).scalar_one()
            == summary.reporters
        )
        tracking = list(conn.execute(select(schema.reports.c.tracking_id)).scalars())
        # Every report and officer reached the feed of exactly those who see it.
        ids = list(conn.execute(select(schema.reports.c.id)).scalars())
        for rid in random.Random(1).sample(ids, 60):
            fed = set(
                conn.execute(
                    select(schema.feed.c.user_id).where(schema.feed.c.entity_id == rid)
                ).scalars()
            )
            assert fed == report_audience(conn, rid), rid
    assert len(set(tracking)) == 800
    with write_tx(server.engine) as conn:  # the counters moved past the seeded ids
        assert new_tracking_id(conn, now) not in tracking

    clients = {}
    for login in DEMO_LOGINS:
        client = clients[login.username] = api()
        response = client.login(login.username, DEMO_PASSWORD)
        assert response.status_code == 200, response.text
        assert client.user["role"] == login.role.value
    officer = clients["petugas.demo"]
    changes, _ = officer.pull_all()
    visible = visible_reports(changes).values()
    queue = [r for r in visible if r["status"] not in ("selesai", "ditutup")]
    assert 30 <= len(queue) <= 60
    assert sum(1 for r in queue if r["deadline"] < now.isoformat()) >= 3
    assert summary.demo_queue == len(queue)
    # Evidence photos are real images the officer may fetch; no reporter identity leaks.
    photo = next(p for r in visible_reports(changes).values() for p in r["photos"])
    content = officer.request("GET", f"/v1/photos/{photo['sha256']}/content")
    assert content.status_code == 200 and sha256(content.content) == photo["sha256"]
    text = b"\n".join(officer.bodies)
    assert b"@surel.example" not in text and b"0812-00" not in text

    with pytest.raises(AlreadySeeded):
        seed_demo(server.engine, reports=10, seed=3, settings=server.settings, now=now)


def test_demo_api_keys_work_with_open311(server: RunningServer) -> None:
    summary = seed_demo(server.engine, reports=100, seed=5, settings=server.settings)
    with httpx.Client(base_url=server.base_url) as http:
        response = http.post(
            "/open311/v2/requests.json",
            data={
                "api_key": summary.api_keys["whatsapp_sms"],
                "service_code": "sampah",
                "lat": "-6.2443",
                "long": "106.7990",
            },
        )
        assert response.status_code == 201, response.text
        tracking = response.json()[0]["service_request_id"]
    with read_tx(server.engine) as conn:
        row = conn.execute(
            select(schema.reports.c.channel, schema.reports.c.unit_id).where(
                schema.reports.c.tracking_id == tracking
            )
        ).one()
    assert row.channel == "whatsapp_sms" and row.unit_id == "kel-31.74.07.1001"  # Melawai


def test_demo_api_keys_come_from_secrets_not_from_the_seed(server: RunningServer) -> None:
    summary = seed_demo(server.engine, reports=20, seed=5, settings=server.settings)
    seeded = random.Random("keys-5")  # what a key derived from the (public) seed would be
    guessed = {c: f"t311_demo_{c}_{seeded.getrandbits(64):016x}" for c in API_KEY_CHANNELS}
    assert set(summary.api_keys) == set(API_KEY_CHANNELS)
    for channel, key in summary.api_keys.items():
        assert key != guessed[channel]
        assert key.startswith(f"t311_demo_{channel}_") and len(key) >= 40
    # A restarted demo issues fresh keys (only hashes are stored) and revokes the old.
    with write_tx(server.engine) as conn:
        fresh = issue_demo_keys(conn, server.clock())
    assert set(fresh.values()).isdisjoint(summary.api_keys.values())
    with httpx.Client(base_url=server.base_url) as http:
        for key, status in ((summary.api_keys["jaki"], 403), (fresh["jaki"], 201)):
            response = http.post(
                "/open311/v2/requests.json",
                data={
                    "api_key": key,
                    "service_code": "sampah",
                    "lat": "-6.2443",
                    "long": "106.7990",
                },
            )
            assert response.status_code == status, response.text
