"""Guarded decoding: untrusted bytes in, a decoded and already reduced image out.

The order is the guard:
1. the byte size is checked before anything is parsed;
2. HEIC/HEIF is recognised by its ISO-BMFF `ftyp` box and refused by name (Pillow
   would only say "cannot identify");
3. the header is parsed with only the raster formats we accept (`ACCEPTED_FORMATS`:
   never EPS/PDF, whose Pillow plugins call Ghostscript), and the pixel count the
   header *claims* is checked before a single pixel is decoded (decompression bombs);
4. a JPEG's marker structure is walked (`domain.photo_files`): a scan interrupted by a
   foreign marker, restart markers that do not add up or no end marker are refused;
   every other format's full decode is bounded by its cost per pixel
   (`max_decode_bytes`), known from the header before anything is decoded;
5. `verify()` walks the file's structure (PNG CRCs...), then the file is reopened, since
   a verified image cannot be loaded;
6. a JPEG is asked for a `draft()` at the aspect-correct target size, so libjpeg decodes
   at 1/2, 1/4 or 1/8 scale (DCT scaling) straight from the compressed data;
7. `load()` decodes; truncated data raises (Pillow's LOAD_TRUNCATED_IMAGES stays off);
   a JPEG whose last MCUs decoded to one uniform colour (what libjpeg makes of data it
   never received, with only a warning) is refused as corrupt.

Every error from Pillow (or the memory allocator) is mapped here, and only here, to
the photo error tree; the original is kept as `__cause__`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from domain.photo_files import (
    BrokenImage,
    JpegStructure,
    check_jpeg_structure,
    decode_cost,
    flat_tail,
)

from .errors import CorruptImage, ImageTooLarge, UnreadableImage, UnsupportedFormat
from .settings import PhotoSettings

# JPEG covers MPO (multi-picture JPEGs some phones write): Pillow opens it as JPEG.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "AVIF")

# ISO-BMFF brands of HEIF stills and sequences encoded with HEVC (what phones write).
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
)
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """A loaded input image, reduced by `draft()` where possible, not yet upright."""

    image: Image.Image
    format: str  # Pillow's name of the input format
    original_size: tuple[int, int]  # as the file stores it, before draft / orientation
    reduced: bool = False  # decoded at a reduced scale (JPEG DCT scaling)


def target_size(width: int, height: int, long_edge: int) -> tuple[int, int]:
    """The output size: the long edge at `long_edge`, the aspect kept, never enlarged."""
    longest = max(width, height)
    if longest <= long_edge:
        return width, height
    scale = long_edge / longest
    if width >= height:
        return long_edge, max(1, round(height * scale))
    return max(1, round(width * scale)), long_edge


def is_heif(raw: bytes) -> bool:
    """HEIC/HEIF by its `ftyp` box: major brand or a compatible brand (AVIF excluded)."""
    if len(raw) < 16 or raw[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(raw[0:4], "big")
    box = raw[8 : min(max(box_size, 16), 256, len(raw))]
    brands = {box[0:4]} | {box[i : i + 4] for i in range(8, len(box) - 3, 4)}
    if brands & _AVIF_BRANDS:
        return False
    return bool(brands & _HEIF_BRANDS)


def describe_non_image(raw: bytes) -> str:
    """A short English description of what non-image bytes look like (for logs)."""
    head = raw[:8]
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP / office document"
    if not raw:
        return "an empty file"
    head512 = raw[:512]
    try:
        sample = head512.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head512) - 3:  # not just a character cut at the sample's end
            return "unknown binary data"
        sample = head512[: exc.start].decode("utf-8")
    printable = sum(c.isprintable() or c in "\r\n\t" for c in sample)
    return "text" if printable >= 0.9 * len(sample) else "unknown binary data"


def decode_image(raw: bytes, settings: PhotoSettings) -> DecodedImage:
    """Decode untrusted bytes; raises only `PhotoError` subclasses."""
    if not raw:
        raise UnreadableImage("empty input")
    if len(raw) > settings.max_input_bytes:
        raise ImageTooLarge(f"{len(raw)} bytes > limit {settings.max_input_bytes}")
    if is_heif(raw):
        raise UnsupportedFormat("HEIC/HEIF (ftyp box)")

    probe = _open(raw)
    fmt = probe.format or "?"
    width, height = probe.size
    if width <= 0 or height <= 0:
        raise CorruptImage(f"{fmt} header claims {width}x{height}")
    if width * height > settings.max_pixels:
        raise ImageTooLarge(f"{width}x{height} px > limit {settings.max_pixels} px")
    structure: JpegStructure | None = None
    if fmt in ("JPEG", "MPO"):
        try:
            structure = check_jpeg_structure(raw)
        except BrokenImage as exc:
            raise CorruptImage(f"{fmt}: {exc}") from exc
    cost = decode_cost(fmt, probe.mode, structure)
    if cost and width * height * cost > settings.max_decode_bytes:
        limit = settings.max_decode_bytes // cost
        raise ImageTooLarge(
            f"{fmt} {width}x{height} {probe.mode} decodes at full size "
            f"({cost} bytes a pixel): > limit {limit} px"
        )
    try:
        probe.verify()
    except MemoryError as exc:
        raise ImageTooLarge(f"{fmt}: out of memory while verifying") from exc
    except Exception as exc:
        raise CorruptImage(f"{fmt} fails verification: {exc}") from exc

    image = _open(raw)
    try:
        if structure is not None:
            image.draft(None, target_size(width, height, settings.long_edge))
        image.load()
    except MemoryError as exc:
        raise ImageTooLarge(f"{fmt} {width}x{height}: out of memory while decoding") from exc
    except Exception as exc:
        raise CorruptImage(f"{fmt} cannot be decoded: {exc}") from exc
    if structure is not None and flat_tail(image, structure):
        image.close()
        # The MCUs libjpeg never received: a cut file ending in FFD9, a header claiming
        # more pixels than the data holds, garbage in the scan.
        raise CorruptImage(f"{fmt} {width}x{height}: the last blocks are missing (uniform)")
    return DecodedImage(image, fmt, (width, height), reduced=structure is not None)


def _open(raw: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(raw), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The warning only arrives as an exception where warnings are errors (tests);
        # elsewhere it is printed and our own pixel limit, below Pillow's, refuses it.
        raise ImageTooLarge(f"decompression bomb: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise UnreadableImage(f"not an accepted image: {describe_non_image(raw)}") from exc
    except MemoryError as exc:
        raise ImageTooLarge("out of memory while reading the header") from exc
    except Exception as exc:
        raise CorruptImage(f"broken image header: {exc}") from exc
