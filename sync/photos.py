"""Photo upload phase: content-addressed, chunked, resumable, separate from mutations.

For each device photo the server does not hold yet (oldest first, one per sha256):
1. check the local file still hashes to its sha256 (else it is `failed`: a changed or
   broken file must not be sent as evidence);
2. `GET /v1/photos/{sha}`: the server's received offset (0 for an unknown file; a
   complete file is done at once, e.g. after a lost answer);
3. `PUT /v1/photos/{sha}?offset=O&size=S` chunks of `PHOTO_CHUNK` bytes from that
   offset; each answer's `received` is recorded as `bytes_confirmed` (a 409 carries the
   server's real offset and the upload continues from there);
4. complete -> `done`: the actions waiting on it become sendable in this same run.

Invariants: a cut loses at most the chunk in flight; a transient failure (server error)
sets the next attempt with exponential backoff and jitter and does not stop the other
photos; `Offline` and auth errors stop the phase (and the run); a refusal of the file
itself (hash mismatch, not an image, too large) is final: `failed`, and the actions
using it go to needs-attention.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import local_db
from domain.protocol import PHOTO_CHUNK, PhotoStatus
from local_db import LocalPhoto
from local_db import photos as photo_rows
from local_db.reports import recompute
from local_db.state import account_actor

from .errors import ProtocolError, ServerError
from .session import Session

# The server's codes for a file it will never accept (retrying cannot help).
FINAL_CODES = frozenset(
    {"hash_mismatch", "invalid_image", "image_too_large", "photo_too_large", "body_too_large"}
)
MAX_STALLS = 3


@dataclass(frozen=True, slots=True)
class Backoff:
    base_s: float = 10.0
    max_s: float = 1800.0

    def delay(self, attempts: int, rng: random.Random) -> timedelta:
        raw = min(self.max_s, self.base_s * 2 ** max(0, attempts - 1))
        return timedelta(seconds=raw * rng.uniform(0.5, 1.5))


@dataclass(frozen=True, slots=True)
class PhotoStats:
    uploaded: int = 0
    bytes_sent: int = 0
    failed: int = 0
    retrying: int = 0


ProgressFn = Callable[[int, int, int, int], None]  # done, total, bytes_sent, bytes_total


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def _fail(db: local_db.LocalDb, sha: str, detail: str, now: datetime) -> None:
    with db.write() as conn:
        touched = photo_rows.mark_failed(conn, sha, detail, now)
        actor = account_actor(conn)
        for report_id in touched:
            recompute(conn, report_id, actor)


def upload_photos(
    db: local_db.LocalDb,
    session: Session,
    now: Callable[[], datetime],
    progress: ProgressFn,
    backoff: Backoff = Backoff(),
    rng: random.Random | None = None,
) -> PhotoStats:
    rng = rng or random.Random()
    with db.read() as conn:
        due = photo_rows.uploads_due(conn, now())
    total_bytes = sum(max(0, p.size_bytes - p.bytes_confirmed) for p in due)
    uploaded = failed = retrying = sent = 0
    progress(0, len(due), 0, total_bytes)
    for i, photo in enumerate(due):
        try:
            outcome, nbytes = _upload_one(db, session, photo, now)
        except ServerError as exc:
            with db.write() as conn:
                attempts = photo_rows.attempts_of(conn, photo.sha256) + 1
                photo_rows.mark_retry(
                    conn, photo.sha256, exc.code, now() + backoff.delay(attempts, rng)
                )
            retrying += 1
            continue
        except ProtocolError as exc:
            if exc.code not in FINAL_CODES:
                raise
            _fail(db, photo.sha256, exc.code, now())
            failed += 1
            continue
        sent += nbytes
        if outcome == "failed":
            failed += 1
        else:
            uploaded += 1
        progress(i + 1, len(due), sent, total_bytes)
    return PhotoStats(uploaded, sent, failed, retrying)


def _put(
    session: Session, sha: str, offset: int, size: int, chunk: bytes
) -> Callable[[str], PhotoStatus]:
    def call(token: str) -> PhotoStatus:
        return session.transport.put_chunk(token, sha, offset, size, chunk)

    return call


def _upload_one(
    db: local_db.LocalDb, session: Session, photo: LocalPhoto, now: Callable[[], datetime]
) -> tuple[str, int]:
    sha = photo.sha256
    path = Path(photo.local_path) if photo.local_path else None
    if path is None or not path.is_file():
        _fail(db, sha, "file_missing", now())
        return "failed", 0
    if _sha256_of(path) != sha:
        _fail(db, sha, "file_changed", now())
        return "failed", 0
    size = path.stat().st_size
    status = session.call(lambda tok: session.transport.photo_status(tok, sha))
    offset = status.received
    sent = stalls = 0
    with path.open("rb") as f:
        while not status.complete:
            if offset > size:
                offset = 0  # the server holds more than the file: start over
            f.seek(offset)
            chunk = f.read(PHOTO_CHUNK)
            status = session.call(_put(session, sha, offset, size, chunk))
            if status.received > offset:
                sent += status.received - offset
                stalls = 0
            else:
                stalls += 1
                if stalls >= MAX_STALLS:
                    raise ServerError("the upload makes no progress")
            offset = status.received
            if not status.complete:
                with db.write() as conn:
                    photo_rows.mark_progress(conn, sha, offset)
    with db.write() as conn:
        photo_rows.mark_done(conn, sha)
    return "done", sent
