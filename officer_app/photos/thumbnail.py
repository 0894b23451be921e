"""The list-size thumbnail a photo keeps once its full-size file left the device.

The retention sweep (`local_db.retention`) removes full-size files the server holds;
before it does, this writes `thumbs/<sha256>.jpg` (long edge `THUMB_EDGE`, ~10-20 KB),
so the report stays readable offline. Same guarded decode as every other preview;
written to a hidden `.part` file, fsynced and renamed, so a kill never leaves half a
thumbnail under its final name.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from .errors import PhotoStoreError
from .preview import make_preview

THUMB_EDGE = 320


def write_thumbnail(source: Path, target: Path) -> None:
    """Make the thumbnail of the photo file `source` at `target`; raises `PhotoError`."""
    data = make_preview(Path(source).read_bytes(), THUMB_EDGE)
    target = Path(target)
    part = target.parent / f".{target.stem}.{uuid.uuid4().hex}.part"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(part, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, target)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise PhotoStoreError(f"cannot write the thumbnail {target}: {exc}") from exc
