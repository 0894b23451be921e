"""Photo upload phase: content-addressed, chunked, resumable, separate from mutations.

Device photos the server does not hold yet are taken in the order of the actions
waiting for them (`local_db.photos.uploads_due`), one per sha256, by `streams`
concurrent chunk streams (2-3 on a phone: one keeps the link busy while another waits
for its answer; each stream is one HTTP/1.1 connection of the transport's pool):
1. check the local file still hashes to its sha256 (else it is `failed`: a changed or
   broken file must not be sent as evidence);
2. `PUT /v1/photos/{sha}?offset=O&size=S` chunks of `PHOTO_CHUNK` bytes from the offset
   the server last confirmed. No status request first: the PUT's answer *is* the status
   (a complete file answers complete at once, e.g. after a lost answer; a wrong offset
   answers 409 with the server's real offset and the stream continues from there), so
   a photo costs one round trip per chunk and nothing more;
3. each answer's `received` is recorded as `bytes_confirmed`;
4. complete -> `done`, and `on_confirmed(sha)` runs on the caller's thread at once, so
   the actions held behind that photo are pushed while the other photos still upload.

Invariants: a cut loses at most the chunks in flight; a transient failure (server
error) sets the next attempt with the shared back-off and does not stop the other
photos; `Offline` and auth errors stop every stream after its chunk in flight (and end
the run); a refusal of the file itself (hash mismatch, not an image, too large) is
final: `failed`, and the actions using it go to needs-attention.
"""

from __future__ import annotations

import hashlib
import queue
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import local_db
from domain.protocol import PHOTO_CHUNK, PhotoStatus
from local_db import LocalPhoto
from local_db import photos as photo_rows
from local_db.reports import recompute
from local_db.state import account_actor

from .backoff import Backoff
from .errors import ProtocolError, ServerError, SyncError
from .session import Session

# The server's codes for a file it will never accept (retrying cannot help).
FINAL_CODES = frozenset(
    {"hash_mismatch", "invalid_image", "image_too_large", "photo_too_large", "body_too_large"}
)
MAX_STALLS = 3
MAX_STREAMS = 4  # the transport's connection pool; one stays free for push and pull


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


class _Phase:
    """The shared state of one photo phase: the work list, the tallies, the stop flag."""

    def __init__(self, due: list[LocalPhoto], progress: ProgressFn) -> None:
        self._due: Iterator[LocalPhoto] = iter(due)
        self._lock = threading.Lock()
        self._progress = progress
        self.total = len(due)
        self.bytes_total = sum(max(0, p.size_bytes - p.bytes_confirmed) for p in due)
        self.done = self.uploaded = self.failed = self.retrying = self.sent = 0
        self.stop = threading.Event()
        self.error: SyncError | None = None
        self.events: queue.Queue[str | None] = queue.Queue()  # confirmed sha, None: a stream ended

    def next_photo(self) -> LocalPhoto | None:
        with self._lock:
            if self.stop.is_set():
                return None
            return next(self._due, None)

    def add_bytes(self, n: int) -> None:
        with self._lock:
            self.sent += n
            self._progress(self.done, self.total, self.sent, self.bytes_total)

    def finish(self, outcome: str) -> None:
        with self._lock:
            self.done += 1
            if outcome == "done":
                self.uploaded += 1
            elif outcome == "failed":
                self.failed += 1
            else:
                self.retrying += 1
            self._progress(self.done, self.total, self.sent, self.bytes_total)

    def abort(self, exc: SyncError) -> None:
        with self._lock:
            if self.error is None:
                self.error = exc
        self.stop.set()


def upload_photos(
    db: local_db.LocalDb,
    session: Session,
    now: Callable[[], datetime],
    progress: ProgressFn,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
    *,
    streams: int = 1,
    on_confirmed: Callable[[str], None] | None = None,
) -> PhotoStats:
    backoff = backoff or Backoff()
    rng = rng or random.Random()
    rng_lock = threading.Lock()
    with db.read() as conn:
        due = photo_rows.uploads_due(conn, now())
    phase = _Phase(due, progress)
    progress(0, phase.total, 0, phase.bytes_total)
    if not due:
        return PhotoStats()

    def stream() -> None:
        try:
            while (photo := phase.next_photo()) is not None:
                try:
                    outcome = _upload_one(db, session, photo, now, phase)
                except ServerError as exc:
                    with db.read() as conn:
                        attempts = photo_rows.attempts_of(conn, photo.sha256) + 1
                    with rng_lock:
                        wait = backoff.delay(attempts, rng)
                    with db.write() as conn:
                        photo_rows.mark_retry(
                            conn, photo.sha256, exc.code, now() + timedelta(seconds=wait)
                        )
                    outcome = "retrying"
                except ProtocolError as exc:
                    if exc.code not in FINAL_CODES:
                        raise
                    _fail(db, photo.sha256, exc.code, now())
                    outcome = "failed"
                if outcome == "stopped":
                    break
                phase.finish(outcome)
                if outcome == "done":
                    phase.events.put(photo.sha256)
        except SyncError as exc:
            phase.abort(exc)
        except BaseException as exc:  # a bug: stop the others, report it on the caller
            phase.abort(ServerError(f"photo stream failed: {type(exc).__name__}"))
            raise
        finally:
            phase.events.put(None)

    count = max(1, min(streams, MAX_STREAMS, len(due)))
    threads = [
        threading.Thread(target=stream, name=f"tindak-photo-{i}", daemon=True) for i in range(count)
    ]
    for t in threads:
        t.start()
    running = count
    try:
        while running:
            event = phase.events.get()
            if event is None:
                running -= 1
            elif on_confirmed is not None and not phase.stop.is_set():
                on_confirmed(event)
    except SyncError as exc:
        phase.abort(exc)
    finally:
        phase.stop.set()
        for t in threads:
            t.join()
    if phase.error is not None:
        raise phase.error
    return PhotoStats(phase.uploaded, phase.sent, phase.failed, phase.retrying)


def _put(
    session: Session, sha: str, offset: int, size: int, chunk: bytes
) -> Callable[[str], PhotoStatus]:
    def call(token: str) -> PhotoStatus:
        return session.transport.put_chunk(token, sha, offset, size, chunk)

    return call


def _upload_one(
    db: local_db.LocalDb,
    session: Session,
    photo: LocalPhoto,
    now: Callable[[], datetime],
    phase: _Phase,
) -> str:
    sha = photo.sha256
    path = Path(photo.local_path) if photo.local_path else None
    if path is None or not path.is_file():
        _fail(db, sha, "file_missing", now())
        return "failed"
    if _sha256_of(path) != sha:
        _fail(db, sha, "file_changed", now())
        return "failed"
    size = path.stat().st_size
    offset = photo.bytes_confirmed if 0 <= photo.bytes_confirmed < size else 0
    stalls = 0
    with path.open("rb") as f:
        while True:
            if phase.stop.is_set():
                return "stopped"
            f.seek(offset)
            chunk = f.read(PHOTO_CHUNK)
            status = session.call(_put(session, sha, offset, size, chunk))
            if status.complete:
                break
            if status.received > offset:
                phase.add_bytes(min(status.received - offset, len(chunk)))
                stalls = 0
            else:
                stalls += 1  # a 409: the server is elsewhere; go on from where it is
                if stalls >= MAX_STALLS:
                    raise ServerError("the upload makes no progress")
            offset = status.received if status.received <= size else 0
            with db.write() as conn:
                photo_rows.mark_progress(conn, sha, offset)
    if status.received > offset:
        phase.add_bytes(min(status.received - offset, len(chunk)))
    with db.write() as conn:
        photo_rows.mark_done(conn, sha)
    return "done"
