"""Full-text search over title, description, address and tracking id."""

from __future__ import annotations

import local_db
from local_db import LocalDb
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
