"""Full-text search over title, description, address and tracking id."""

from __future__ import annotations

from datetime import timedelta

import local_db
from local_db import LocalDb, search_index
from local_db.queries import search_sql
from tests.local_db.factory import NOW, page, remove, report, upsert


def _ids(db: LocalDb, text: str) -> list[str]:
    return [i.report.id for i in local_db.search(db, text, now=NOW)]


def test_words_match_as_prefixes_in_any_column(db: LocalDb) -> None:
    local_db.start_pull(db)
    local_db.apply_page(
        db,
        page(
            upsert(
                report(
                    "r1", title="Pohon tumbang", description="menutup jalan", address="Jl. Cikini"
                )
            ),
            upsert(
                report("r2", title="Sampah menumpuk", description="bau", address="Jl. Cikini Raya")
            ),
            upsert(report("r3", title="Parkir liar", description="trotoar", address="Jl. Menteng")),
        ),
        NOW,
    )
    assert _ids(db, "pohon") == ["r1"]
    assert sorted(_ids(db, "cikini")) == ["r1", "r2"]
    assert _ids(db, "cikini raya") == ["r2"]  # every word must match
    assert _ids(db, "tumb") == ["r1"]  # prefix
    # Two and three letters, which FTS5 answers by scanning the words (no prefix
    # indexes since migration 0008: they tripled what a resync rebuilds).
    assert sorted(_ids(db, "ci")) == ["r1", "r2"]
    assert _ids(db, "me tro") == ["r3"]
    with db.read() as conn:
        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'reports_fts'").fetchone()
    assert "prefix" not in sql
    assert _ids(db, "TROTOAR") == ["r3"]  # case-insensitive
    assert _ids(db, "") == []
    assert _ids(db, '"*)(') == []  # FTS syntax in user input is neutralised


def test_tracking_id_prefix_and_number_match(db: LocalDb) -> None:
    local_db.start_pull(db)
    local_db.apply_page(
        db,
        page(
            upsert(report("a", tracking_id="CRM-2026-000123")),
            upsert(report("b", tracking_id="CRM-2026-000124")),
            upsert(report("c", tracking_id="CRM-2025-000123")),
        ),
        NOW,
    )
    assert sorted(_ids(db, "CRM-2026-00012")) == ["a", "b"]
    assert _ids(db, "crm-2026-000123") == ["a"]
    assert sorted(_ids(db, "000123")) == ["a", "c"]


def test_index_follows_updates_and_removals(db: LocalDb) -> None:
    local_db.start_pull(db)
    local_db.apply_page(db, page(upsert(report("r1", title="Lampu jalan mati"))), NOW)
    assert _ids(db, "lampu") == ["r1"]
    local_db.apply_page(db, page(upsert(report("r1", title="Kabel listrik putus", version=2))), NOW)
    assert _ids(db, "lampu") == []
    assert _ids(db, "kabel") == ["r1"]
    local_db.apply_page(db, page(remove("r1")), NOW)
    assert _ids(db, "kabel") == []


def test_filters_apply_in_the_query_so_pages_are_full(db: LocalDb) -> None:
    """Category and kelurahan filter the search itself: a page of results is a page of
    filtered results, and later pages hold the rest (nothing lost past the first page)."""
    local_db.start_pull(db)
    changes = [
        upsert(
            report(
                f"r{i:03d}",
                title=f"Laporan warga {i}",
                category="pohon" if i % 10 == 0 else "jalan",
                received_at=NOW - timedelta(hours=i),
            )
        )
        for i in range(300)
    ]
    local_db.apply_page(db, page(*changes), NOW)
    first = local_db.search(db, "Laporan", now=NOW, category="pohon", limit=20)
    rest = local_db.search(db, "Laporan", now=NOW, category="pohon", limit=20, offset=20)
    ids = [i.report.id for i in [*first, *rest]]
    assert len(first) == 20 and len(rest) == 10
    assert sorted(ids) == [f"r{i:03d}" for i in range(0, 300, 10)]
    assert all(i.report.category == "pohon" for i in [*first, *rest])
    none = local_db.search(db, "Laporan", now=NOW, category="pohon", kelurahan_code="31.71.01.1001")
    assert none == []


def test_last_digits_of_a_tracking_id_find_the_report(db: LocalDb) -> None:
    local_db.start_pull(db)
    local_db.apply_page(
        db,
        page(
            upsert(report("a", tracking_id="CRM-2026-004897")),
            upsert(report("b", tracking_id="CRM-2026-014897")),
            upsert(report("c", tracking_id="CRM-2026-004898")),
            upsert(report("d", tracking_id="CRM-2026-000001", title="Tiang nomor 4897 miring")),
        ),
        NOW,
    )
    assert sorted(_ids(db, "4897")) == ["a", "b", "d"]  # suffix, contains, and the word
    assert _ids(db, "04897") == ["a"]
    assert _ids(db, "4898") == ["c"]
    assert _ids(db, "9999") == []
    only_pohon = local_db.search(db, "4897", now=NOW, category="pohon")
    assert only_pohon == []


def test_search_query_plan_uses_the_indexes(db: LocalDb) -> None:
    q = search_sql("4897", category="pohon")
    assert q is not None
    sql, args = q
    with db.read() as conn:
        plan = " | ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", [*args, 10, 0]))
    assert "reports_tracking" in plan and "reports_fts" in plan, plan


def _fts_rows(db: LocalDb) -> int:
    with db.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM reports_fts('pohon')").fetchone()[0])


def _consistent(db: LocalDb) -> bool:
    with db.write() as conn:
        return search_index.consistent(conn)


def test_a_resync_indexes_once_at_its_end_and_the_index_matches_the_rows(db: LocalDb) -> None:
    """During a full resync the triggers are idle; the last page rebuilds the index, so
    search finds every report and FTS5's own check agrees with the rows."""
    local_db.start_pull(db)
    first = [upsert(report(f"a{i}", title=f"Pohon tumbang {i}")) for i in range(5)]
    local_db.apply_page(db, page(*first, has_more=True), NOW)
    assert _fts_rows(db) == 0  # not yet: the resync is open
    second = [upsert(report(f"b{i}", title=f"Pohon miring {i}")) for i in range(5)]
    local_db.apply_page(db, page(*second), NOW)
    assert _fts_rows(db) == 10
    assert _consistent(db)
    # After the resync the triggers keep the index row by row again.
    local_db.apply_page(db, page(upsert(report("a0", title="Kabel putus", version=2))), NOW)
    assert _fts_rows(db) == 9 and _ids(db, "kabel") == ["a0"]
    local_db.apply_page(db, page(remove("a1")), NOW)
    assert _fts_rows(db) == 8
    assert _consistent(db)


def test_a_resync_over_held_reports_leaves_no_stale_words(db: LocalDb) -> None:
    local_db.start_pull(db)
    local_db.apply_page(db, page(upsert(report("r1", title="Lampu jalan mati"))), NOW)
    assert _ids(db, "lampu") == ["r1"]
    local_db.reset_cursor(db)  # the server refused the cursor: a full resync follows
    local_db.start_pull(db)
    renamed = upsert(report("r1", title="Kabel listrik putus", version=2))
    local_db.apply_page(db, page(renamed, upsert(report("r2", title="Pohon")), has_more=True), NOW)
    local_db.apply_page(db, page(upsert(report("r3", title="Sampah"))), NOW)
    assert _ids(db, "lampu") == [] and _ids(db, "kabel") == ["r1"]
    assert _ids(db, "pohon") == ["r2"] and _ids(db, "sampah") == ["r3"]
    assert _consistent(db)


def test_an_abandoned_or_wiped_resync_leaves_a_consistent_index(db: LocalDb) -> None:
    local_db.start_pull(db)
    local_db.apply_page(db, page(upsert(report("r1", title="Pohon tumbang")), has_more=True), NOW)
    local_db.reset_cursor(db)  # abandoned mid-way: the index is rebuilt, triggers live
    assert _ids(db, "pohon") == ["r1"] and _consistent(db)
    local_db.start_pull(db)
    local_db.apply_page(db, page(upsert(report("r2", title="Pohon miring")), has_more=True), NOW)
    local_db.wipe(db)  # signed out mid-resync: rows and index go together
    assert _fts_rows(db) == 0 and _consistent(db)
    local_db.start_pull(db)
    local_db.apply_page(db, page(upsert(report("r3", title="Pohon rindang"))), NOW)
    assert _ids(db, "pohon") == ["r3"] and _consistent(db)
