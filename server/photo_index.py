"""Finding a photo's near-duplicates among every photo the server holds, fast.

The hashes live in `photo_hashes` (one row per photo, `seq` increasing); each server
process keeps an in-memory index of them, brought up to date from the table before
every lookup (only the rows past the last one read, plus a short overlap: on
PostgreSQL a lower `seq` can commit after a higher one was read).

Multi-index hashing: a 64-bit hash is cut into four 16-bit bands, and each band value
points at the hashes that have it. Two hashes within Hamming distance 7 agree on at
least one band up to one bit (pigeonhole), so probing each band's value and its 16
one-bit neighbours finds every pair within 7 for certain; pairs at 8 are found unless
their differing bits fall exactly two per band. Two indexes: every hash of every photo
(the whole picture and its windows) is probed with the new photo's whole-picture hash,
and the whole-picture hashes are probed with the new photo's windows, which is
`phash.distance` both ways. Candidates are then checked exactly.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, select

from .phash import NEAR_DISTANCE, PerceptualHash
from .schema import photo_hashes

BANDS = 4
_BAND_BITS = 64 // BANDS
_MASK = (1 << _BAND_BITS) - 1
_OVERLAP = 256  # rows re-read below the last seq seen


def _bands(value: int) -> list[int]:
    return [(value >> (_BAND_BITS * b)) & _MASK for b in range(BANDS)]


def _probe_keys(value: int) -> list[tuple[int, int]]:
    keys = []
    for b, band in enumerate(_bands(value)):
        keys.append((b, band))
        keys.extend((b, band ^ (1 << bit)) for bit in range(_BAND_BITS))
    return keys


@dataclass
class _Bands:
    """Band value -> positions in `values` (and the photo each belongs to)."""

    values: array[int] = field(default_factory=lambda: array("Q"))
    owners: array[int] = field(default_factory=lambda: array("I"))
    buckets: dict[tuple[int, int], array[int]] = field(default_factory=dict)

    def add(self, value: int, owner: int) -> None:
        pos = len(self.values)
        self.values.append(value)
        self.owners.append(owner)
        for b, band in enumerate(_bands(value)):
            bucket = self.buckets.get((b, band))
            if bucket is None:
                bucket = self.buckets[(b, band)] = array("I")
            bucket.append(pos)

    def near(self, value: int, limit: int) -> dict[int, int]:
        """Owner -> the smallest distance found within `limit`."""
        found: dict[int, int] = {}
        values, owners = self.values, self.owners
        for key in _probe_keys(value):
            bucket = self.buckets.get(key)
            if bucket is None:
                continue
            for pos in bucket:
                d = (values[pos] ^ value).bit_count()
                if d <= limit:
                    owner = owners[pos]
                    if d < found.get(owner, limit + 1):
                        found[owner] = d
        return found


class HashIndex:
    """The near-duplicate index of one database (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shas: list[str] = []
        self._known: dict[str, int] = {}
        self._every = _Bands()
        self._whole = _Bands()
        self._seq = 0

    def __len__(self) -> int:
        return len(self._shas)

    def add(self, sha256: str, hashes: PerceptualHash) -> None:
        with self._lock:
            self._add(sha256, hashes)

    def _add(self, sha256: str, hashes: PerceptualHash) -> None:
        if sha256 in self._known:
            return
        owner = len(self._shas)
        self._shas.append(sha256)
        self._known[sha256] = owner
        self._whole.add(hashes.whole, owner)
        for value in hashes.all:
            self._every.add(value, owner)

    def catch_up(self, conn: Connection) -> None:
        """Read the rows added since the last call."""
        with self._lock:
            rows = conn.execute(
                select(photo_hashes.c.seq, photo_hashes.c.sha256, photo_hashes.c.hashes)
                .where(photo_hashes.c.seq > self._seq - _OVERLAP)
                .order_by(photo_hashes.c.seq)
            ).all()
            for seq, sha, text in rows:
                self._add(sha, PerceptualHash.from_text(text))
                self._seq = max(self._seq, seq)

    def near(
        self, hashes: PerceptualHash, limit: int = NEAR_DISTANCE, exclude: Iterable[str] = ()
    ) -> dict[str, int]:
        """The photos that look like `hashes` (sha256 -> distance), but `exclude`."""
        with self._lock:
            found = self._every.near(hashes.whole, limit)
            for window in hashes.windows:
                for owner, d in self._whole.near(window, limit).items():
                    if d < found.get(owner, limit + 1):
                        found[owner] = d
            skip = set(exclude)
            return {self._shas[o]: d for o, d in found.items() if self._shas[o] not in skip}


_INDEXES: WeakKeyDictionary[Engine, HashIndex] = WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(engine: Engine) -> HashIndex:
    """This process's index of the database behind `engine`."""
    with _INDEXES_LOCK:
        index = _INDEXES.get(engine)
        if index is None:
            index = _INDEXES[engine] = HashIndex()
        return index
