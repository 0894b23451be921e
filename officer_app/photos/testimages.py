"""Camera-like test images, for the tests and the benchmark (no numpy: Pillow only).

`camera_jpeg()` makes what a phone camera hands over: a 12 MP JPEG at quality 92
(~4-5 MB) whose content is noise over gradients and shapes, so that it compresses like
a real scene rather than like a flat colour, carrying a real camera's EXIF block (Make,
Model, serial numbers, owner, MakerNote, Orientation, GPS, a thumbnail) plus XMP and a
JPEG comment: everything the pipeline must drop.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import piexif
from PIL import Image, ImageChops, ImageDraw

from .exif import to_dms

PERSONAL_MARKERS = (
    b"SAMSUNG",
    b"SM-A546E",
    b"R58T9XYZ123",
    b"Budi Santoso",
    b"MAKERNOTE-SECRET",
    b"xmp-owner-secret",
    b"comment-secret",
)


@dataclass(frozen=True, slots=True)
class CameraExif:
    """The original's EXIF as a phone writes it (values are what tests look for)."""

    make: str = "SAMSUNG"
    model: str = "SM-A546E"
    serial: str = "R58T9XYZ123"
    owner: str = "Budi Santoso"
    orientation: int = 1
    latitude: float | None = -6.2
    longitude: float | None = 106.8
    taken: str = "2024:05:14 09:30:00"  # camera local time (WIB)
    offset: str | None = "+07:00"
    thumbnail: bool = True


def scene(width: int = 4000, height: int = 3000) -> Image.Image:
    """An RGB image with gradients, noise and shapes: compresses like a photo."""
    grad = Image.linear_gradient("L").resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    coarse = Image.effect_noise((max(1, width // 2), max(1, height // 2)), 40).resize(
        (width, height), Image.Resampling.BILINEAR
    )
    fine = Image.effect_noise((width, height), 12)
    red = ImageChops.add(ImageChops.multiply(grad, coarse), fine)
    green = ImageChops.blend(radial, coarse, 0.5)
    blue = ImageChops.blend(grad.transpose(Image.Transpose.ROTATE_180), fine, 0.3)
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    step = max(8, min(width, height) // 25)
    for i in range(60):
        x, y = (i * 397) % width, (i * 211) % height
        draw.rectangle(
            (x, y, x + 3 * step, y + 2 * step),
            outline=(255 - i * 3, i * 4, 100),
            width=max(1, step // 10),
        )
        cx, cy = y % width, x % height
        draw.ellipse((cx, cy, cx + step, cy + step), fill=(i * 4, 200 - i * 2, 50))
    return image


def camera_exif_bytes(meta: CameraExif, width: int, height: int) -> bytes:
    zeroth = {
        piexif.ImageIFD.Make: meta.make.encode(),
        piexif.ImageIFD.Model: meta.model.encode(),
        piexif.ImageIFD.Orientation: meta.orientation,
        piexif.ImageIFD.Artist: meta.owner.encode(),
        piexif.ImageIFD.Software: b"A546EXXU1AWA1",
        piexif.ImageIFD.DateTime: meta.taken.encode(),
    }
    exif = {
        piexif.ExifIFD.DateTimeOriginal: meta.taken.encode(),
        piexif.ExifIFD.BodySerialNumber: meta.serial.encode(),
        piexif.ExifIFD.CameraOwnerName: meta.owner.encode(),
        piexif.ExifIFD.LensSerialNumber: meta.serial.encode(),
        piexif.ExifIFD.ImageUniqueID: b"R58T9XYZ123-0001",
        piexif.ExifIFD.MakerNote: b"MAKERNOTE-SECRET" * 8,
        piexif.ExifIFD.PixelXDimension: width,
        piexif.ExifIFD.PixelYDimension: height,
    }
    if meta.offset is not None:
        exif[piexif.ExifIFD.OffsetTimeOriginal] = meta.offset.encode()
    gps: dict[int, object] = {}
    if meta.latitude is not None and meta.longitude is not None:
        gps = {
            piexif.GPSIFD.GPSLatitudeRef: b"S" if meta.latitude < 0 else b"N",
            piexif.GPSIFD.GPSLatitude: to_dms(meta.latitude),
            piexif.GPSIFD.GPSLongitudeRef: b"W" if meta.longitude < 0 else b"E",
            piexif.GPSIFD.GPSLongitude: to_dms(meta.longitude),
            piexif.GPSIFD.GPSAltitudeRef: 0,
            piexif.GPSIFD.GPSAltitude: (1200, 100),
        }
    data: dict[str, object] = {"0th": zeroth, "Exif": exif, "GPS": gps}
    if meta.thumbnail:
        thumb = io.BytesIO()
        Image.new("RGB", (160, 120), (10, 200, 30)).save(thumb, "JPEG", quality=70)
        data["1st"] = {piexif.ImageIFD.Compression: 6}
        data["thumbnail"] = thumb.getvalue()
    return bytes(piexif.dump(data))


def camera_jpeg(
    width: int = 4000,
    height: int = 3000,
    *,
    meta: CameraExif | None = None,
    quality: int = 92,
    image: Image.Image | None = None,
) -> bytes:
    """A phone-camera JPEG: the scene (or `image`), its EXIF, XMP and a comment."""
    meta = meta or CameraExif()
    picture = image if image is not None else scene(width, height)
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
        b'"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'owner="xmp-owner-secret"/></rdf:RDF></x:xmpmeta>'
    )
    out = io.BytesIO()
    picture.save(
        out,
        "JPEG",
        quality=quality,
        exif=camera_exif_bytes(meta, picture.width, picture.height),
        xmp=xmp,
        comment=b"comment-secret",
    )
    return out.getvalue()


def encoded(image: Image.Image, fmt: str, **params: object) -> bytes:
    """`image` saved in `fmt` (PNG, WEBP...) as bytes."""
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()
