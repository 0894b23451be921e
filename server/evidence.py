"""Evidence flags found where the data is: when an officer's photo is linked to a report.

- `same_as_before`: an after photo that is (nearly) the same picture as one of the
  report's before photos (`server.phash`);
- `reused:<tracking id>`: a photo that is (nearly) the same picture as a photo on
  another report (`server.photo_index`, every photo the server holds);
- the photo's source (camera or gallery, as the app says) is kept on the link too; its
  age when attached is the link's `added_at` minus its `captured_at`, shown by the app.

Flags never refuse anything: they are stored on the link (`report_photos.flags`), sent
with the photo in every snapshot, and the validator weighs them. A photo whose bytes
cannot be hashed gets no hash flags (the photo store already checked it decodes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from domain import PhotoKind

from .db import read_tx
from .errors import PhotoStoreUnavailable
from .phash import HashError, PerceptualHash, near, photo_hash
from .photo_index import index_for
from .photostore import PhotoStore
from .schema import photo_hashes, report_photos, reports

SAME_AS_BEFORE = "same_as_before"
REUSED = "reused"
MAX_REUSED_NAMED = 3


def flags_text(flags: list[str]) -> str:
    return json.dumps(flags) if flags else ""


def flags_of(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    value = json.loads(text)
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def stored_hash(conn: Connection, store: PhotoStore, sha256: str) -> PerceptualHash | None:
    """The photo's hashes, computed (and stored) the first time they are asked for."""
    text = conn.execute(
        select(photo_hashes.c.hashes).where(photo_hashes.c.sha256 == sha256)
    ).scalar()
    if text is not None:
        return PerceptualHash.from_text(text)
    try:
        data = store.read(sha256)
    except PhotoStoreUnavailable:  # flags never refuse a push: asked again next time
        return None
    if data is None:
        return None
    try:
        hashes = photo_hash(data)
    except HashError:
        return None
    conn.execute(photo_hashes.insert().values(sha256=sha256, hashes=hashes.to_text()))
    return hashes


def hashes_outside(
    engine: Engine, store: PhotoStore, sha256s: Iterable[str]
) -> dict[str, PerceptualHash]:
    """The hashes of those photos that have none stored yet, computed outside any
    transaction: a push stores them (`store_hashes`) in its write transaction instead of
    decoding pictures while every other writer waits for the lock."""
    wanted = sorted(set(sha256s))
    if not wanted:
        return {}
    with read_tx(engine) as conn:
        known = set(
            conn.execute(
                select(photo_hashes.c.sha256).where(photo_hashes.c.sha256.in_(wanted))
            ).scalars()
        )
    made: dict[str, PerceptualHash] = {}
    for sha256 in wanted:
        if sha256 in known:
            continue
        try:
            data = store.read(sha256)
            if data is not None:
                made[sha256] = photo_hash(data)
        except (PhotoStoreUnavailable, HashError):
            continue  # `stored_hash` decides later, under the lock, as before
    return made


def store_hashes(conn: Connection, made: Mapping[str, PerceptualHash]) -> None:
    """Store hashes from `hashes_outside` (another writer may have stored one since)."""
    if not made:
        return
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        insert(photo_hashes).on_conflict_do_nothing(index_elements=[photo_hashes.c.sha256]),
        [{"sha256": sha, "hashes": hashes.to_text()} for sha, hashes in sorted(made.items())],
    )


def link_flags(
    conn: Connection, store: PhotoStore, report_id: str, sha256: str, kind: PhotoKind
) -> list[str]:
    """The flags of `sha256` as it is linked to `report_id` (before the link is written)."""
    hashes = stored_hash(conn, store, sha256)
    if hashes is None:
        return []
    flags: list[str] = []
    held = conn.execute(
        select(report_photos.c.sha256, report_photos.c.kind).where(
            report_photos.c.report_id == report_id
        )
    ).all()
    if kind is PhotoKind.AFTER:
        for other, other_kind in held:
            if other_kind != PhotoKind.BEFORE.value or other == sha256:
                continue
            before = stored_hash(conn, store, other)
            if before is not None and near(hashes, before):
                flags.append(SAME_AS_BEFORE)
                break
    index = index_for(conn.engine)
    index.catch_up(conn)
    alike = index.near(hashes, exclude={sha256, *(s for s, _ in held)})
    exact = conn.execute(
        select(report_photos.c.report_id).where(
            report_photos.c.sha256 == sha256, report_photos.c.report_id != report_id
        )
    ).all()
    others = {r[0] for r in exact}
    if alike:
        rows = conn.execute(
            select(report_photos.c.report_id).where(
                report_photos.c.sha256.in_(list(alike)), report_photos.c.report_id != report_id
            )
        ).all()
        others.update(r[0] for r in rows)
    if others:
        tracking = conn.execute(
            select(reports.c.tracking_id)
            .where(reports.c.id.in_(sorted(others)))
            .order_by(reports.c.tracking_id)
            .limit(MAX_REUSED_NAMED)
        ).scalars()
        flags.extend(f"{REUSED}:{tid}" for tid in tracking)
    return flags
