"""A quick, upright preview of raw camera / gallery bytes, before they are saved.

Same guarded decode as the evidence itself (limits, HEIC by name, no Ghostscript
formats), so a bad pick is explained the moment it is made rather than on save; JPEG
draft makes it cheap (a 12 MP photo decodes at 1/4 for a 720 px preview). The preview
carries no metadata at all and is never stored or uploaded.
"""

from __future__ import annotations

import io
from dataclasses import replace

from .decode import decode_image, target_size
from .errors import ImageTooLarge, PhotoError
from .exif import read_source_metadata
from .pixels import rgb_at_size
from .process import TRANSPOSE
from .settings import PhotoSettings

PREVIEW_EDGE = 720
PREVIEW_QUALITY = 75


def make_preview(
    raw: bytes, edge: int = PREVIEW_EDGE, settings: PhotoSettings | None = None
) -> bytes:
    """A JPEG whose long edge is at most `edge`, upright; raises only `PhotoError`."""
    limits = replace(settings or PhotoSettings(), long_edge=max(16, edge), stamp=False)
    decoded = decode_image(raw, limits)
    try:
        orientation = read_source_metadata(decoded.image).orientation
        size = target_size(*decoded.original_size, limits.long_edge)
        image = rgb_at_size(decoded.image, size, reduced=decoded.reduced)
        for method in TRANSPOSE[orientation]:
            image = image.transpose(method)
        image.info = {}
        out = io.BytesIO()
        image.save(out, "JPEG", quality=PREVIEW_QUALITY)
        return out.getvalue()
    except PhotoError:
        raise
    except MemoryError as exc:
        raise ImageTooLarge("out of memory while previewing") from exc
    except Exception as exc:
        raise PhotoError(f"preview failed: {exc!r}") from exc
    finally:
        decoded.image.close()
