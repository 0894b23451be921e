"""SIGKILL in the middle of a retention sweep, many times.

Each round fills a real device file and photo folder with what months of work leave
behind (done reports long closed, open reports with old photos, orphans) next to unsent
work, then starts `tests.support.sweep_child` and kills it at a random moment, again and
again until a sweep finishes. After every kill the file must be intact, no photo or
thumbnail file may lack its row, every photo of unsent work must be there byte for
byte, and a row may have lost its file only if the server holds those bytes.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import local_db
from domain import PhotoKind, Status
from domain.protocol import PhotoRef
from local_db import LocalDb, RetentionPolicy, sweep_storage
from local_db.photos import mark_done
from tests.local_db.factory import NOW, OFFICER, page, report, upsert
from tests.support.photos import make_jpeg, new_photo
from tests.support.scale import scaled

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Filled:
    protected: dict[str, bytes] = field(default_factory=dict)  # unsent photo -> bytes
    files: set[str] = field(default_factory=set)  # every sha written as a file
    planted: set[str] = field(default_factory=set)  # orphans left by an earlier kill


def _fetched(photo_dir: Path, rnd: random.Random, filled: Filled) -> PhotoRef:
    data = make_jpeg(photo_dir / "in.jpg", rnd, (160, 120))
    sha = hashlib.sha256(data).hexdigest()
    (photo_dir / "in.jpg").replace(photo_dir / f"{sha}.jpg")
    filled.files.add(sha)
    return PhotoRef(sha, PhotoKind.BEFORE, len(data), 160, 120, captured_at=NOW - timedelta(days=9))


def _fill(db: LocalDb, photo_dir: Path, rnd: random.Random, tag: str, filled: Filled) -> None:
    officer = local_db.actor(db)
    assert officer is not None
    changes = []
    for i in range(24):  # closed long ago: the reports go with their files
        r = report(f"{tag}-done-{i}", status=Status.SELESAI)
        refs = (_fetched(photo_dir, rnd, filled), _fetched(photo_dir, rnd, filled))
        changes.append(upsert(r, photos=refs, updated_at=NOW - timedelta(days=45)))
    for i in range(16):  # open, photos past the full-size days: thumbnails replace files
        r = report(f"{tag}-open-{i}", status=Status.DALAM_PROSES)
        changes.append(upsert(r, photos=(_fetched(photo_dir, rnd, filled),), updated_at=NOW))
    for i in range(4):  # unsent work on a report closed long ago: never touched
        r = report(f"{tag}-busy-{i}", status=Status.DALAM_PROSES)
        changes.append(upsert(r, updated_at=NOW - timedelta(days=45)))
    local_db.apply_page(db, page(*changes), NOW)
    for i in range(4):
        rid = f"{tag}-busy-{i}"
        photo = new_photo(photo_dir, rnd, PhotoKind.AFTER, NOW - timedelta(days=40), (160, 120))
        local_db.add_photo(db, officer, rid, photo, NOW - timedelta(days=40))
        filled.protected[photo.sha256] = Path(photo.path).read_bytes()
        filled.files.add(photo.sha256)
        if i % 2:  # uploaded, its action not yet sent: still unsent work
            with db.write() as conn:
                mark_done(conn, photo.sha256)
    for _ in range(4):  # a kill between a file and its row, earlier
        data = make_jpeg(photo_dir / "o.jpg", rnd, (64, 48))
        sha = hashlib.sha256(data).hexdigest()
        (photo_dir / "o.jpg").replace(photo_dir / f"{sha}.jpg")
        filled.planted.add(sha)


def _check(db_path: Path, photo_dir: Path, filled: Filled, context: str) -> None:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", context
        assert not conn.execute("PRAGMA foreign_key_check").fetchall(), context
        rows = conn.execute(
            "SELECT p.sha256, p.origin, p.upload_state, p.on_server, r.pending "
            "FROM photos p JOIN reports r ON r.id = p.report_id"
        ).fetchall()
    finally:
        conn.close()
    known = {r["sha256"] for r in rows}
    for folder in (photo_dir, photo_dir / "thumbs"):
        for f in folder.glob("*.jpg"):
            if len(f.stem) == 64 and f.stem not in filled.planted:
                assert f.stem in known, f"{context}: orphan file {f.name} after the kill"
    for sha, data in filled.protected.items():
        assert (photo_dir / f"{sha}.jpg").read_bytes() == data, f"{context}: unsent photo lost"
    for r in rows:
        if r["sha256"] in filled.files and not (photo_dir / f"{r['sha256']}.jpg").exists():
            confirmed = r["origin"] == "server" or (
                r["upload_state"] == "done" and r["on_server"] == 1
            )
            assert confirmed and r["pending"] == 0, f"{context}: unconfirmed file removed"


def test_sigkill_mid_sweep_leaves_a_consistent_file_and_no_orphans(
    tmp_path: Path, rnd: random.Random, seed: int, tally: Counter[str]
) -> None:
    db_path, photo_dir = tmp_path / "device.sqlite", tmp_path / "photos"
    photo_dir.mkdir()
    filled = Filled()
    with LocalDb.open(db_path) as db:
        local_db.sign_in(db, OFFICER, "http://server.test", NOW)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    kills = mid = rounds = 0
    target = scaled(12)
    while kills < target:
        rounds += 1
        with LocalDb.open(db_path) as db:
            _fill(db, photo_dir, rnd, f"k{rounds}", filled)
        finished = False
        while not finished:
            child = subprocess.Popen(
                [sys.executable, "-m", "tests.support.sweep_child", "--db", str(db_path),
                 "--photos", str(photo_dir), "--now", NOW.isoformat()],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            assert child.stdout is not None
            line = child.stdout.readline()
            assert line == b"ready\n", f"seed {seed}: {line!r} {child.stderr.read()!r}"  # type: ignore[union-attr]
            time.sleep(rnd.uniform(0.0, 0.6))  # a random moment of the sweep
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                kills += 1
            finished = child.wait(30) == 0 and child.stdout.read() == b"done\n"
            mid += not finished
            _check(db_path, photo_dir, filled, f"seed {seed}, round {rounds}, kill {kills}")
            child.stdout.close()
            child.stderr.close()  # type: ignore[union-attr]
        # A finished sweep leaves nothing it should have removed, partial files included.
        with LocalDb.open(db_path) as db:
            again = sweep_storage(db, photo_dir, RetentionPolicy(orphan_grace_s=0), NOW)
            assert again.reports_removed == again.photos_removed == 0
            assert not list(photo_dir.rglob("*.part"))
        assert not [s for s in filled.planted if (photo_dir / f"{s}.jpg").exists()]
    assert mid >= min(target, 10), f"seed {seed}: only {mid} kills landed mid-sweep"
    print(f"{kills} kills ({mid} mid-sweep) over {rounds} rounds")
    tally["SIGKILLs mid-sweep"] += mid
