"""The retention sweep on a real device file and real photo files: what it keeps, what it
removes, and what it never removes."""

from __future__ import annotations

import hashlib
import os
import random
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import local_db
from domain import Action, Actor, PhotoKind, Report, Status
from domain.protocol import PhotoRef
from local_db import LocalDb, OnScreen, RetentionPolicy, sweep_storage, thumb_path
from local_db.photos import mark_done
from officer_app.photos import write_thumbnail
from tests.local_db.factory import NOW, page, remove, report, upsert
from tests.support.photos import make_jpeg, new_photo

POLICY = RetentionPolicy(orphan_grace_s=0)


@pytest.fixture
def photo_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    return folder


@pytest.fixture
def rnd() -> random.Random:
    return random.Random(16)


class Phone:
    """The officer's device file and photo folder, fed the way the engine feeds them."""

    def __init__(self, db: LocalDb, photo_dir: Path, officer: Actor, rnd: random.Random) -> None:
        self.db, self.photo_dir, self.officer, self.rnd = db, photo_dir, officer, rnd
        self.reports: dict[str, Report] = {}
        self.refs: dict[str, list[PhotoRef]] = {}

    def fetched(self, rid: str, at: datetime) -> str:
        """A photo of the report the device fetched from the server (e.g. a colleague's)."""
        data = make_jpeg(self.photo_dir / "incoming.jpg", self.rnd, (160, 120))
        sha = hashlib.sha256(data).hexdigest()
        (self.photo_dir / "incoming.jpg").replace(self.photo_dir / f"{sha}.jpg")
        self.refs.setdefault(rid, []).append(
            PhotoRef(sha, PhotoKind.BEFORE, len(data), 160, 120, captured_at=at)
        )
        return sha

    def taken(self, rid: str, at: datetime, *, uploaded: bool = True) -> str:
        """A photo the officer took; `uploaded`: the server confirmed it and lists it."""
        photo = new_photo(self.photo_dir, self.rnd, PhotoKind.AFTER, at, size=(160, 120))
        local_db.add_photo(self.db, self.officer, rid, photo, at)
        if uploaded:
            with self.db.write() as conn:
                mark_done(conn, photo.sha256)
                conn.execute("UPDATE outbox SET state = 'applied' WHERE report_id = ?", (rid,))
            self.refs.setdefault(rid, []).append(
                PhotoRef(photo.sha256, photo.kind, photo.size_bytes, 160, 120, captured_at=at)
            )
        return photo.sha256

    def report(self, rid: str, *, status: Status = Status.DALAM_PROSES, changed: datetime) -> None:
        self.reports[rid] = report(rid, status=status, version=len(self.refs.get(rid, ())) + 2)
        self.pull(rid, changed)

    def pull(self, rid: str, changed: datetime) -> None:
        local_db.apply_page(
            self.db,
            page(
                upsert(
                    self.reports[rid],
                    photos=tuple(self.refs.get(rid, ())),
                    updated_at=changed,
                )
            ),
            NOW,
        )

    def sweep(self, policy: RetentionPolicy = POLICY, **kw: object) -> local_db.SweepReport:
        return sweep_storage(
            self.db,
            self.photo_dir,
            policy,
            NOW,
            make_thumb=write_thumbnail,
            **kw,  # type: ignore[arg-type]
        )

    def full(self, sha: str) -> Path:
        return self.photo_dir / f"{sha}.jpg"

    def rows(self, sha: str) -> int:
        with self.db.read() as conn:
            return int(
                conn.execute("SELECT COUNT(*) FROM photos WHERE sha256 = ?", (sha,)).fetchone()[0]
            )

    def has_report(self, rid: str) -> bool:
        return local_db.get_report(self.db, rid, now=NOW) is not None


@pytest.fixture
def phone(officer_db: LocalDb, photo_dir: Path, officer: Actor, rnd: random.Random) -> Phone:
    return Phone(officer_db, photo_dir, officer, rnd)


def _report_with(
    phone: Phone, rid: str, *, status: Status, changed: datetime, photo_at: datetime
) -> tuple[str, str]:
    phone.report(rid, status=Status.DALAM_PROSES, changed=photo_at)
    fetched = phone.fetched(rid, photo_at)
    taken = phone.taken(rid, photo_at)
    phone.report(rid, status=status, changed=changed)
    return fetched, taken


# --- kept and removed ----------------------------------------------------------------


def test_a_done_reports_confirmed_photos_leave_the_device_but_its_record_and_thumbnails_stay(
    phone: Phone,
) -> None:
    shas = _report_with(
        phone,
        "r-done",
        status=Status.SELESAI,
        changed=NOW - timedelta(days=1),
        photo_at=NOW - timedelta(days=2),
    )
    swept = phone.sweep()
    assert swept.photos_removed == 2 and swept.reports_removed == 0
    detail = local_db.get_report(phone.db, "r-done", now=NOW)
    assert detail is not None and {p.sha256 for p in detail.photos} == set(shas)
    for sha in shas:
        assert not phone.full(sha).exists()
        thumb = thumb_path(phone.photo_dir, sha)
        assert thumb.is_file() and 0 < thumb.stat().st_size < 30_000


def test_an_open_reports_photos_stay_for_the_full_size_days_then_leave(phone: Phone) -> None:
    recent = _report_with(
        phone, "r-new", status=Status.DALAM_PROSES, changed=NOW, photo_at=NOW - timedelta(days=2)
    )
    old = _report_with(
        phone, "r-old", status=Status.DALAM_PROSES, changed=NOW, photo_at=NOW - timedelta(days=8)
    )
    phone.sweep()
    assert all(phone.full(sha).is_file() for sha in recent)
    assert not any(phone.full(sha).exists() for sha in old)
    assert all(thumb_path(phone.photo_dir, sha).is_file() for sha in old)
    assert phone.has_report("r-old") and phone.has_report("r-new")


def test_a_report_done_longer_than_the_policy_is_removed_with_every_file(phone: Phone) -> None:
    shas = _report_with(
        phone,
        "r-gone",
        status=Status.SELESAI,
        changed=NOW - timedelta(days=31),
        photo_at=NOW - timedelta(days=40),
    )
    kept = _report_with(
        phone,
        "r-kept",
        status=Status.SELESAI,
        changed=NOW - timedelta(days=29),
        photo_at=NOW - timedelta(days=40),
    )
    swept = phone.sweep()
    assert swept.reports_removed == 1
    assert not phone.has_report("r-gone") and phone.has_report("r-kept")
    for sha in shas:
        assert phone.rows(sha) == 0
        assert not phone.full(sha).exists() and not thumb_path(phone.photo_dir, sha).exists()
    assert all(thumb_path(phone.photo_dir, sha).is_file() for sha in kept)


def test_the_cache_cap_takes_the_oldest_confirmed_photos_first(phone: Phone) -> None:
    shas = []
    for day in range(6, 0, -1):  # all younger than full_photo_days
        phone.report(f"r{day}", changed=NOW)
        shas.append(phone.taken(f"r{day}", NOW - timedelta(days=day)))
        phone.report(f"r{day}", changed=NOW)
    sizes = [phone.full(s).stat().st_size for s in shas]
    cap_mb = (sum(sizes[-2:]) + 1) / (1024 * 1024)
    phone.sweep(replace(POLICY, photo_cache_mb=cap_mb))  # room for two photos
    assert [phone.full(s).exists() for s in shas] == [False] * 4 + [True] * 2


def test_a_report_that_left_scope_goes_with_its_files(phone: Phone) -> None:
    shas = _report_with(phone, "r-away", status=Status.DALAM_PROSES, changed=NOW, photo_at=NOW)
    local_db.apply_page(phone.db, page(remove("r-away")), NOW)  # reassigned to a colleague
    assert not phone.has_report("r-away")
    assert all(phone.full(sha).is_file() for sha in shas)  # the pull removes rows only
    swept = phone.sweep()
    assert swept.orphans_removed == 2
    assert not any(phone.full(sha).exists() for sha in shas)


def test_orphan_files_go_once_older_than_the_grace_period(phone: Phone, rnd: random.Random) -> None:
    data = make_jpeg(phone.photo_dir / "x.jpg", rnd, (64, 48))
    orphan = phone.photo_dir / f"{hashlib.sha256(data).hexdigest()}.jpg"
    (phone.photo_dir / "x.jpg").replace(orphan)
    thumb = thumb_path(phone.photo_dir, "a" * 64)
    thumb.parent.mkdir(exist_ok=True)
    thumb.write_bytes(b"thumb")
    part = phone.photo_dir / f".{'b' * 64}.1234.part"
    part.write_bytes(b"half")
    other = phone.photo_dir / "catatan.txt"  # not ours: never touched
    other.write_text("x")
    young = replace(POLICY, orphan_grace_s=3600)
    assert phone.sweep(young).orphans_removed == 0 and orphan.exists()
    old = time.time() - 7200
    for p in (orphan, thumb, part):
        os.utime(p, (old, old))
    assert phone.sweep(young).orphans_removed == 3
    assert not orphan.exists() and not thumb.exists() and not part.exists() and other.exists()


def test_freed_pages_are_given_back_to_the_file_system(phone: Phone) -> None:
    for i in range(300):
        rid = f"r-{i}"
        phone.reports[rid] = report(rid, status=Status.SELESAI, description="Lubang besar. " * 200)
        phone.pull(rid, NOW - timedelta(days=60))
    phone.db.checkpoint()
    before = phone.db.path.stat().st_size
    swept = phone.sweep()
    assert swept.reports_removed == 300 and swept.pages_reclaimed > 100
    with phone.db.read() as conn:
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    phone.db.checkpoint()  # what SQLite's automatic checkpoint does after enough commits
    assert phone.db.path.stat().st_size < before / 2
    assert swept.transactions > 300  # one report per transaction, never one big one


# --- never removed -------------------------------------------------------------------


def test_a_photo_not_yet_uploaded_keeps_its_file_and_its_report(phone: Phone) -> None:
    phone.report("r-wait", changed=NOW - timedelta(days=60))
    sha = phone.taken("r-wait", NOW - timedelta(days=40), uploaded=False)
    phone.report("r-wait", status=Status.SELESAI, changed=NOW - timedelta(days=60))
    phone.sweep()
    assert phone.has_report("r-wait") and phone.full(sha).is_file()


def test_an_uploaded_photo_the_server_does_not_list_is_kept(phone: Phone) -> None:
    # Uploaded, but its ADD_PHOTO was refused: the snapshot never lists it.
    phone.report("r-ref", changed=NOW)
    sha = phone.taken("r-ref", NOW - timedelta(days=20))
    phone.refs["r-ref"].clear()
    phone.report("r-ref", status=Status.SELESAI, changed=NOW)
    phone.sweep()
    assert phone.full(sha).is_file()


def test_unsent_work_or_a_needs_attention_item_keeps_the_report_and_its_files(
    phone: Phone,
) -> None:
    shas = _report_with(
        phone, "r-busy", status=Status.DALAM_PROSES, changed=NOW, photo_at=NOW - timedelta(days=20)
    )
    local_db.record_action(phone.db, phone.officer, "r-busy", Action.PROGRESS, {"percent": 50}, NOW)
    phone.sweep()
    assert all(phone.full(sha).is_file() for sha in shas)
    # Out of scope while the action is unsent: kept, listed for the officer.
    local_db.apply_page(phone.db, page(remove("r-busy")), NOW)
    phone.sweep()
    assert phone.has_report("r-busy") and all(phone.full(sha).is_file() for sha in shas)


def test_a_report_on_screen_is_left_alone_until_the_screen_closes(phone: Phone) -> None:
    shas = _report_with(
        phone,
        "r-shown",
        status=Status.SELESAI,
        changed=NOW - timedelta(days=40),
        photo_at=NOW - timedelta(days=40),
    )
    screens = OnScreen()
    unpin = screens.pin("r-shown")
    swept = phone.sweep(on_screen=screens)
    assert swept.reports_removed == 0 and swept.photos_removed == 0
    assert phone.has_report("r-shown") and all(phone.full(sha).is_file() for sha in shas)
    unpin()
    unpin()  # idempotent
    assert phone.sweep(on_screen=screens).reports_removed == 1


def test_a_local_copy_that_no_longer_hashes_to_its_name_is_kept(phone: Phone) -> None:
    fetched, _ = _report_with(
        phone, "r-odd", status=Status.SELESAI, changed=NOW, photo_at=NOW - timedelta(days=20)
    )
    damaged = phone.full(fetched)
    damaged.write_bytes(damaged.read_bytes()[:-10] + b"0123456789")
    swept = phone.sweep()
    assert swept.kept_damaged == 1 and damaged.is_file()


def test_bytes_shared_with_a_report_that_needs_them_stay(phone: Phone) -> None:
    fetched, _ = _report_with(
        phone,
        "r-a",
        status=Status.SELESAI,
        changed=NOW - timedelta(days=40),
        photo_at=NOW - timedelta(days=40),
    )
    phone.report("r-b", changed=NOW)
    phone.refs["r-b"] = [phone.refs["r-a"][0]]  # the same bytes on an open report
    phone.pull("r-b", NOW)
    local_db.record_action(phone.db, phone.officer, "r-b", Action.PROGRESS, {"percent": 10}, NOW)
    phone.sweep()
    assert not phone.has_report("r-a") and phone.full(fetched).is_file()


def test_an_old_gallery_photo_attached_today_counts_from_today(
    phone: Phone, rnd: random.Random
) -> None:
    phone.report("r-pick", changed=NOW)
    # Taken with the phone's camera a month ago, picked from the gallery today.
    photo = new_photo(phone.photo_dir, rnd, PhotoKind.BEFORE, NOW - timedelta(days=30), (160, 120))
    local_db.add_photo(phone.db, phone.officer, "r-pick", photo, NOW)
    with phone.db.write() as conn:
        mark_done(conn, photo.sha256)
        conn.execute("UPDATE outbox SET state = 'applied' WHERE report_id = 'r-pick'")
    phone.refs["r-pick"] = [
        PhotoRef(
            photo.sha256, photo.kind, photo.size_bytes, 160, 120, captured_at=photo.captured_at
        )
    ]
    phone.report("r-pick", changed=NOW)
    assert phone.sweep().photos_removed == 0
    assert phone.full(photo.sha256).is_file()
