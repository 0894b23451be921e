"""Content-addressed photos with resumable, chunked uploads (the bytes live in the
`server.photostore` the settings name: a local folder, or an S3-compatible bucket).

Invariants:
- a photo is named by the sha256 of its bytes; `photos.received` counts the bytes of its
  upload staged in the store and a chunk is staged only at exactly that offset (anything
  else is answered 409 with the current status, so the client resumes where the server
  is); the row is the upload's progress, so any server process takes the next chunk;
- the staged bytes are trusted only up to `received` (more: ignored and overwritten;
  fewer, e.g. after a crash: `received` drops to what the store really holds);
- at the last byte the whole file is checked - sha256, a real JPEG or PNG whose header
  dimensions are within the device's limits (`domain.photo_files`: the pixel limit, and
  the decode budget of what cannot be reduced; read by hand *before* Pillow decodes
  anything, so a decompression bomb never reaches the decoder), the JPEG's marker
  structure, Pillow `verify()`, then a JPEG decoded at 1/8 scale (a cut scan, even one
  ending in FFD9, fails) or a PNG's data inflated piecewise and counted - never a full
  decode - and only then made visible under its sha256 (`PhotoStore.publish_staged`);
- a refused photo leaves nothing behind: the staged bytes and its row are deleted and
  that deletion is committed before the refusal is answered;
- an upload belongs to the user who started it: another user's chunk is refused (409
  `upload_owned`) and changes nothing, and a refused chunk (wrong offset or size)
  changes nothing either;
- bytes and status are served only to a caller who may see a report holding the photo
  (never a private report's reporter photo) or who uploaded it; anyone else gets the
  same 404 as for an unknown hash.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import Connection, Engine, Row, delete, select, update

from domain import Actor, PhotoKind
from domain.photo_files import (
    MAX_DECODE_BYTES,
    MAX_PIXELS,
    BrokenImage,
    JpegStructure,
    check_jpeg_structure,
    decode_cost,
    flat_tail,
)
from domain.protocol import PhotoStatus

from .auth import Principal
from .config import Settings
from .db import read_tx, write_tx
from .errors import (
    HashMismatch,
    ImageTooLarge,
    InvalidImage,
    InvalidRequest,
    NotFound,
    OffsetMismatch,
    PhotoRefused,
    PhotoTooLarge,
    ServerError,
    UploadOwned,
)
from .photostore import PhotoStore, open_store
from .schema import photos, report_photos, reports
from .scope import can_see_report

MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True, slots=True)
class CheckedImage:
    mime: str
    width: int
    height: int


def header_dimensions(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) from a PNG IHDR or a JPEG SOF marker; InvalidImage else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "PNG", width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 4 <= len(data):
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            if marker == 0xFF:  # fill byte
                i += 1
                continue
            if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            if marker in _SOF and i + 9 <= len(data):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return "JPEG", width, height
            if marker == 0xDA or length < 2:
                break
            i += 2 + length
    raise InvalidImage()


def check_image(data: bytes, max_pixels: int) -> CheckedImage:
    """A whole JPEG or PNG within the device's limits (`domain.photo_files`), checked
    without a full decode: a JPEG is decoded at 1/8 scale (DCT scaling still reads every
    coefficient, so a cut or garbled scan is seen), a PNG's image data is inflated in
    bounded pieces and counted, never held."""
    fmt, width, height = header_dimensions(data)
    if width == 0 or height == 0:
        raise InvalidImage()
    if width * height > min(max_pixels, MAX_PIXELS):
        raise ImageTooLarge()
    structure: JpegStructure | None = None
    if fmt == "JPEG":
        try:
            structure = check_jpeg_structure(data)
        except BrokenImage as exc:
            raise InvalidImage() from exc
        if (structure.width, structure.height) != (width, height):
            raise InvalidImage()
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
            if probe.size != (width, height):
                raise InvalidImage()
            cost = decode_cost(fmt, probe.mode, structure)
            if cost and width * height * cost > MAX_DECODE_BYTES:
                raise ImageTooLarge()
            probe.verify()
        if structure is not None:
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                image.draft(None, (max(1, width // 8), max(1, height // 8)))
                image.load()
                if flat_tail(image, structure):
                    raise InvalidImage()
        elif not png_data_complete(data):
            raise InvalidImage()
    except PhotoRefused:
        raise
    except Exception as exc:  # Pillow raises many types for broken files: all mean "not an image"
        raise InvalidImage() from exc
    return CheckedImage(MIME[fmt], width, height)


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)
_INFLATE_STEP = 1 << 20


def png_data_complete(data: bytes) -> bool:
    """The PNG's IDAT stream inflates to exactly the rows its header needs, and ends.

    Inflated 1 MiB at a time and counted, so a bomb stops at the first byte too many.
    """
    width, height = struct.unpack(">II", data[16:24])
    depth, colour, interlace = data[24], data[25], data[28]
    channels = _PNG_CHANNELS.get(colour)
    if channels is None:
        return False
    bits = channels * depth
    if interlace:
        expected = 0
        for x0, y0, dx, dy in _ADAM7:
            pass_w, pass_h = -(-(width - x0) // dx), -(-(height - y0) // dy)
            if pass_w > 0 and pass_h > 0:
                expected += pass_h * (1 + -(-pass_w * bits // 8))
    else:
        expected = height * (1 + -(-width * bits // 8))
    inflater = zlib.decompressobj()
    total = 0
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            pending = data[pos + 8 : pos + 8 + length]
            while pending:
                total += len(inflater.decompress(pending, _INFLATE_STEP))
                pending = inflater.unconsumed_tail
                if total > expected:
                    return False
        elif kind == b"IEND":
            break
        pos += 12 + length
    return inflater.eof and total == expected


def _status(sha: str, row: object | None) -> PhotoStatus:
    if row is None:
        return PhotoStatus(sha, 0, 0, False)
    return PhotoStatus(sha, row.size, row.received, bool(row.complete))  # type: ignore[attr-defined]


def _may_see_status(conn: Connection, caller: Principal, sha: str, row: Row[Any] | None) -> bool:
    """The uploader sees its own upload; others only a complete photo they may read."""
    if row is None:
        return False
    if row.uploaded_by == caller.user_id:
        return True
    return bool(row.complete) and may_read(conn, caller, sha)


def photo_status(engine: Engine, caller: Principal, sha: str) -> PhotoStatus:
    """The upload status; NotFound for an unknown photo *and* for one the caller may not
    see (its existence is not revealed)."""
    with read_tx(engine) as conn:
        row = conn.execute(select(photos).where(photos.c.sha256 == sha)).first()
        if not _may_see_status(conn, caller, sha, row):
            raise NotFound()
    return _status(sha, row)


def _discard(conn: Connection, store: PhotoStore, sha: str) -> None:
    store.discard(sha)
    conn.execute(delete(photos).where(photos.c.sha256 == sha))


def put_chunk(
    engine: Engine,
    settings: Settings,
    caller: Principal,
    sha: str,
    offset: int,
    size: int,
    chunk: bytes,
) -> PhotoStatus:
    """Append `chunk` at `offset` of the `size`-byte photo `sha`; returns the new status."""
    if size > settings.limits.photo_bytes:
        raise PhotoTooLarge()
    if size < 1 or offset + len(chunk) > size:
        raise InvalidRequest("The chunk does not fit in the declared size.")
    with write_tx(engine) as conn:
        # Refusals are returned, not raised, so that what they clean up is committed.
        outcome = _put_in_tx(conn, settings, caller, sha, offset, size, chunk)
    if isinstance(outcome, ServerError):
        raise outcome
    return outcome


def _put_in_tx(
    conn: Connection,
    settings: Settings,
    caller: Principal,
    sha: str,
    offset: int,
    size: int,
    chunk: bytes,
) -> PhotoStatus | ServerError:
    store = open_store(settings)
    row = conn.execute(select(photos).where(photos.c.sha256 == sha).with_for_update()).first()
    if row is not None and row.uploaded_by != caller.user_id:
        if row.complete and may_read(conn, caller, sha):
            return _status(sha, row)
        return UploadOwned()
    if row is not None and row.complete:
        return _status(sha, row)
    if row is None:
        if offset != 0:
            return OffsetMismatch(PhotoStatus(sha, size, 0, False).to_wire())
        conn.execute(
            photos.insert().values(
                sha256=sha,
                size=size,
                received=0,
                complete=False,
                uploaded_by=caller.user_id,
                created_at=settings.now(),
            )
        )
        received = 0
    elif row.size != size:
        if offset != 0:  # refused: the stored progress stays as it is
            return OffsetMismatch(PhotoStatus(sha, row.size, row.received, False).to_wire())
        # The uploader restarts with another size: the old partial bytes are worthless.
        conn.execute(update(photos).where(photos.c.sha256 == sha).values(size=size, received=0))
        received = 0
    else:
        received = row.received
    held = store.held(sha, received)
    if held < received:  # bytes the row counts were lost (a crash): resume from the store
        received = held
        conn.execute(update(photos).where(photos.c.sha256 == sha).values(received=held))
    if offset != received:
        return OffsetMismatch(PhotoStatus(sha, size, received, False).to_wire())
    store.stage(sha, received, chunk)
    received += len(chunk)
    if received < size:
        conn.execute(update(photos).where(photos.c.sha256 == sha).values(received=received))
        return PhotoStatus(sha, size, received, False)
    data = store.staged(sha, size)
    try:
        if hashlib.sha256(data).hexdigest() != sha:
            raise HashMismatch()
        checked = check_image(data, settings.limits.photo_pixels)
    except PhotoRefused as exc:
        _discard(conn, store, sha)
        return exc
    store.publish_staged(sha, data)
    conn.execute(
        update(photos)
        .where(photos.c.sha256 == sha)
        .values(
            received=size,
            complete=True,
            mime=checked.mime,
            width=checked.width,
            height=checked.height,
        )
    )
    return PhotoStatus(sha, size, size, True)


def store_photo(
    conn: Connection,
    settings: Settings,
    data: bytes,
    *,
    uploaded_by: str | None,
    now: datetime,
) -> str:
    """Check and store a whole photo at once (intake of a reporter's photo); returns its
    sha256. Raises the same refusals as an upload."""
    if len(data) > settings.limits.photo_bytes:
        raise PhotoTooLarge()
    sha = hashlib.sha256(data).hexdigest()
    held = conn.execute(select(photos.c.complete).where(photos.c.sha256 == sha)).first()
    if held is not None and held.complete:
        return sha
    checked = check_image(data, settings.limits.photo_pixels)
    open_store(settings).put(sha, data)
    values = {
        "size": len(data),
        "received": len(data),
        "complete": True,
        "mime": checked.mime,
        "width": checked.width,
        "height": checked.height,
    }
    if held is None:
        conn.execute(
            photos.insert().values(sha256=sha, uploaded_by=uploaded_by, created_at=now, **values)
        )
    else:
        conn.execute(update(photos).where(photos.c.sha256 == sha).values(**values))
    return sha


def may_read(conn: Connection, caller: Principal, sha: str) -> bool:
    uploader = conn.execute(
        select(photos.c.uploaded_by).where(photos.c.sha256 == sha, photos.c.complete.is_(True))
    ).first()
    if uploader is None:
        return False
    if uploader.uploaded_by == caller.user_id:
        return True
    viewer = Actor(caller.user_id, caller.role, caller.unit_id)
    links = conn.execute(
        select(report_photos.c.report_id, report_photos.c.kind, reports.c.is_public)
        .select_from(report_photos.join(reports, reports.c.id == report_photos.c.report_id))
        .where(report_photos.c.sha256 == sha)
    ).all()
    for link in links:
        if link.kind == PhotoKind.REPORTER.value and not link.is_public:
            continue
        if can_see_report(conn, viewer, link.report_id):
            return True
    return False


def photo_content(
    engine: Engine, settings: Settings, caller: Principal, sha: str
) -> tuple[Path | bytes, str]:
    """The stored file (or bytes) and its MIME type; NotFound when absent *or* out of
    scope (the store is asked only once the caller may see the photo)."""
    with read_tx(engine) as conn:
        allowed = may_read(conn, caller, sha)
        mime = conn.execute(select(photos.c.mime).where(photos.c.sha256 == sha)).scalar()
    if not allowed or mime is None:
        raise NotFound()
    content = open_store(settings).content(sha)
    if content is None:
        raise NotFound()
    return content, mime
