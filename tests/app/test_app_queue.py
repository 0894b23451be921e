"""QueueModel against a real device database: order, stages, search, filters, paging."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from domain import Status, UrgencyLevel
from local_db import Stage
from officer_app.state.queue import PAGE
from tests.support.waiting import until

from .kit import Phone, now, report

MakePhone = Callable[..., Phone]


def test_rows_come_in_sla_urgency_order_with_their_texts(make_phone: MakePhone) -> None:
    t = now()
    p = make_phone(
        report("later", received_at=t - timedelta(days=1)),  # 6 days left
        report("overdue", received_at=t - timedelta(days=9)),  # 2 days late
        report("soon", received_at=t - timedelta(days=6, hours=12)),  # 12 h left
        report("pohon", category="pohon", received_at=t - timedelta(days=3)),
    )
    q = p.session.queue
    asyncio.run(q.refresh())
    assert [r.report_id for r in q.rows] == ["overdue", "soon", "pohon", "later"]
    overdue, soon = q.rows[0], q.rows[1]
    assert overdue.level is UrgencyLevel.OVERDUE and overdue.colour == "red_700"
    assert overdue.time_left.startswith("terlambat 2 hari")
    assert soon.level is UrgencyLevel.DUE_SOON and soon.time_left.endswith("lagi")
    assert q.rows[2].icon == "PARK" and q.rows[2].category_name == "Pohon"
    assert q.counts[Stage.TO_ACT.value] == 4 and q.overdue == 1
    assert not any(r.pending for r in q.rows)
    assert q.rows[0].distance == ""  # no location known yet


def test_a_location_fix_adds_distances(make_phone: MakePhone) -> None:
    p = make_phone(report("a", latitude=-6.1950, longitude=106.8300))
    asyncio.run(p.session.queue.refresh())
    p.session.location.update(-6.2040, 106.8300, accuracy_m=5)  # ~1 km south
    p.session.queue.relabel()
    assert p.session.queue.rows[0].distance == "1,0 km"


def test_stages_split_the_workflow(make_phone: MakePhone) -> None:
    p = make_phone(
        report("todo"),
        report("doing", status=Status.DALAM_PROSES, progress_pct=40),
        report("again", status=Status.DALAM_PROSES, rework_count=1),
        report("waiting", status=Status.MENUNGGU_VALIDASI, progress_pct=100),
        report("done", status=Status.SELESAI, progress_pct=100),
    )
    q = p.session.queue
    asyncio.run(q.refresh())
    seen = {}
    for stage in (
        Stage.TO_ACT,
        Stage.IN_PROGRESS,
        Stage.REWORK,
        Stage.WAITING_VALIDATION,
        Stage.DONE,
    ):
        asyncio.run(q.select_stage(stage))
        seen[stage] = [r.report_id for r in q.rows]
    assert seen == {
        Stage.TO_ACT: ["todo"],
        Stage.IN_PROGRESS: ["doing"],
        Stage.REWORK: ["again"],
        Stage.WAITING_VALIDATION: ["waiting"],
        Stage.DONE: ["done"],
    }
    assert q.rows[0].time_left == "Selesai"  # no SLA clock once done


def test_search_by_tracking_id_prefix_and_words_then_filters(make_phone: MakePhone) -> None:
    a = report("a", title="Pohon tumbang menutup jalan", category="pohon")
    b = report("b", title="Sampah menumpuk di pasar", category="sampah")
    p = make_phone(a, b)
    q = p.session.queue
    asyncio.run(q.set_search(a.tracking_id[:12]))
    assert a.id in [r.report_id for r in q.rows]
    asyncio.run(q.set_search("sampah pasar"))
    assert [r.report_id for r in q.rows] == ["b"]
    asyncio.run(q.set_search(""))
    asyncio.run(q.set_category("pohon"))
    assert [r.report_id for r in q.rows] == ["a"]
    asyncio.run(q.clear_filters())
    assert len(q.rows) == 2


def test_kelurahan_filter_offers_the_kelurahan_seen(make_phone: MakePhone) -> None:
    p = make_phone(
        report("a", kelurahan_code="31.71.06.1001"),
        report("b", kelurahan_code="31.71.06.1002"),
    )
    q = p.session.queue
    asyncio.run(q.refresh())
    assert {code for code, _ in q.kelurahan_choices} == {"31.71.06.1001", "31.71.06.1002"}
    asyncio.run(q.set_kelurahan("31.71.06.1002"))
    assert [r.report_id for r in q.rows] == ["b"]


def test_pages_of_fifty_with_show_more(make_phone: MakePhone) -> None:
    t = now()
    many = [report(f"r{i:03d}", received_at=t - timedelta(hours=i)) for i in range(PAGE + 7)]
    p = make_phone(*many)
    q = p.session.queue
    asyncio.run(q.refresh())
    assert len(q.rows) == PAGE and q.has_more
    asyncio.run(q.load_more())
    assert len(q.rows) == PAGE + 7 and not q.has_more
    # Most urgent (oldest) first across both pages.
    assert [r.report_id for r in q.rows] == [f"r{i:03d}" for i in reversed(range(PAGE + 7))]


def test_typing_in_search_waits_for_a_pause(make_phone: MakePhone) -> None:
    p = make_phone(report("a", title="Pohon tumbang"), report("b", title="Lampu mati"))
    q = p.session.queue

    async def type_then_wait() -> list[str]:
        await q.refresh()
        for partial in ("l", "la", "lam", "lampu"):
            q.type_search(partial)
        assert q.typed == "lampu" and q.search == ""  # nothing searched mid-typing
        await until(lambda: [r.report_id for r in q.rows] == ["b"], "the search after the pause")
        assert q.search == "lampu"  # one search, for what was typed last
        return [r.report_id for r in q.rows]

    assert asyncio.run(type_then_wait()) == ["b"]


def test_search_with_a_category_keeps_every_match_across_pages(make_phone: MakePhone) -> None:
    """Searching "Laporan" with category pohon lists all pohon matches, page after page
    (the filter is part of the query, not applied to the first page afterwards)."""
    t = now()
    many = [
        report(
            f"r{i:03d}",
            title=f"Laporan warga {i}",
            category="pohon" if i % 3 == 0 else "jalan",
            received_at=t - timedelta(hours=i),
        )
        for i in range(3 * (PAGE + 10))
    ]
    p = make_phone(*many)
    q = p.session.queue
    asyncio.run(q.set_category("pohon"))
    asyncio.run(q.set_search("Laporan"))
    assert len(q.rows) == PAGE and q.has_more
    asyncio.run(q.load_more())
    assert len(q.rows) == PAGE + 10 and not q.has_more
    assert all(r.category == "pohon" for r in q.rows)


def test_search_by_the_last_digits_of_a_tracking_id(make_phone: MakePhone) -> None:
    p = make_phone(report("a", tracking_id="CRM-2026-004897"), report("b"))
    q = p.session.queue
    asyncio.run(q.set_search("4897"))
    assert [r.tracking_id for r in q.rows] == ["CRM-2026-004897"]


def test_overdue_beside_the_heading_counts_the_stage_shown(make_phone: MakePhone) -> None:
    t = now()
    p = make_phone(
        report("todo-late", received_at=t - timedelta(days=9)),
        report("work-late", status=Status.DALAM_PROSES, received_at=t - timedelta(days=9)),
        report("work-late2", status=Status.DALAM_PROSES, received_at=t - timedelta(days=8)),
        report("waiting", status=Status.MENUNGGU_VALIDASI),
    )
    q = p.session.queue
    asyncio.run(q.refresh())
    assert q.stage is Stage.TO_ACT and q.overdue == 1
    asyncio.run(q.select_stage(Stage.IN_PROGRESS))
    assert q.overdue == 2
    asyncio.run(q.select_stage(Stage.WAITING_VALIDATION))
    assert q.overdue == 0
