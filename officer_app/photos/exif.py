"""EXIF in and out: written fresh with piexif, read defensively with Pillow.

What a processed photo carries (and nothing else: no Make/Model, serial numbers, owner,
artist, MakerNote, thumbnail, XMP or the original's GPS when a fresh fix is used):

    0th   ImageDescription   "CRM <tracking id> - <SEBELUM|PROSES|SESUDAH> (<kind>)"
          Software           "Tindak"
          Orientation        1 (the pixels are already upright)
          DateTime           capture time, Asia/Jakarta local
    Exif  DateTimeOriginal / DateTimeDigitized + OffsetTime* "+07:00", SubSecTimeOriginal
          (the server-corrected capture time, in WIB)
          UserComment        ASCII JSON: {"app": "Tindak", "v": 1, "report_id",
                             "tracking_id", "kind", "device_time", "location_source",
                             "time_source"}
          PixelXDimension / PixelYDimension
    GPS   (only with a location) VersionID 2.3, Latitude/LongitudeRef + DMS rationals,
          AltitudeRef + Altitude, HPositioningError (accuracy, m), MapDatum "WGS-84",
          GPSDateStamp + GPSTimeStamp (UTC of the fix)

Coordinates are written as degrees, minutes and seconds with the seconds in units of
1e-4 arc-second, so a written position reads back within 1.4e-8 degrees (~1.5 mm).

Reading a *source* photo (a gallery pick) goes through Pillow's EXIF parser, which checks
every count and offset against the data; any EXIF that does not parse is reported as
unreadable and ignored, never fatal.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import piexif
from PIL import Image

from domain import JAKARTA, PhotoKind

from .model import GeoFix, LocationSource, TimeSource

SOFTWARE = "Tindak"
EXIF_TIME_FORMAT = "%Y:%m:%d %H:%M:%S"
WIB_OFFSET = "+07:00"
SECOND_UNITS = 10_000  # DMS seconds are written in 1e-4 arc-second
USER_COMMENT_ASCII = b"ASCII\x00\x00\x00"

KIND_LABEL_ID: Mapping[PhotoKind, str] = {
    PhotoKind.BEFORE: "SEBELUM",
    PhotoKind.DURING: "PROSES",
    PhotoKind.AFTER: "SESUDAH",
    PhotoKind.REPORTER: "PELAPOR",
}

# Pillow tag numbers used when reading.
_ORIENTATION = 0x0112
_IFD_EXIF = 0x8769
_IFD_GPS = 0x8825
_DATETIME_ORIGINAL = 0x9003
_OFFSET_TIME_ORIGINAL = 0x9011


# --- writing -------------------------------------------------------------------------


def to_dms(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """abs(value) degrees as EXIF (deg, min, sec) rationals; rounding carries upward."""
    units = round(abs(value) * 3600 * SECOND_UNITS)
    degrees, rest = divmod(units, 3600 * SECOND_UNITS)
    minutes, seconds = divmod(rest, 60 * SECOND_UNITS)
    return ((degrees, 1), (minutes, 1), (seconds, SECOND_UNITS))


def from_dms(dms: tuple[Any, ...]) -> float:
    """Degrees from (deg, min, sec) rationals given as (num, den) pairs or numbers.

    Some writers give only degrees (or degrees and minutes): accepted; anything else
    raises ValueError.
    """
    if not isinstance(dms, tuple) or not 1 <= len(dms) <= 3:
        raise ValueError(f"not a DMS triple: {dms!r}")
    parts = [_rational(p) for p in dms] + [0.0, 0.0]
    return parts[0] + parts[1] / 60.0 + parts[2] / 3600.0


def _rational(value: Any) -> float:
    if isinstance(value, tuple):
        num, den = value
        return float("nan") if den == 0 else num / den
    return float(value)


def exif_local_time(value: datetime) -> str:
    return value.astimezone(JAKARTA).strftime(EXIF_TIME_FORMAT)


def _ascii(text: str) -> bytes:
    return text.encode("ascii", "replace")


def build_exif(
    *,
    kind: PhotoKind,
    report_id: str,
    tracking_id: str,
    width: int,
    height: int,
    captured_at: datetime,
    device_time: datetime,
    location: GeoFix | None,
    location_source: LocationSource,
    time_source: TimeSource,
) -> bytes:
    """The complete EXIF block (with its "Exif\\0\\0" header) of a processed photo."""
    local = exif_local_time(captured_at)
    prefix = "" if tracking_id.upper().startswith("CRM") else "CRM "
    description = f"{prefix}{tracking_id} - {KIND_LABEL_ID[kind]} ({kind.value})"
    comment = json.dumps(
        {
            "app": SOFTWARE,
            "v": 1,
            "report_id": report_id,
            "tracking_id": tracking_id,
            "kind": kind.value,
            "device_time": device_time.astimezone(UTC).isoformat(),
            "location_source": location_source.value,
            "time_source": time_source.value,
        },
        ensure_ascii=True,
        separators=(",", ":"),
    )
    zeroth: dict[int, Any] = {
        piexif.ImageIFD.ImageDescription: _ascii(description),
        piexif.ImageIFD.Software: _ascii(SOFTWARE),
        piexif.ImageIFD.Orientation: 1,
        piexif.ImageIFD.DateTime: _ascii(local),
    }
    millis = captured_at.microsecond // 1000
    exif_ifd: dict[int, Any] = {
        piexif.ExifIFD.DateTimeOriginal: _ascii(local),
        piexif.ExifIFD.DateTimeDigitized: _ascii(local),
        piexif.ExifIFD.OffsetTime: _ascii(WIB_OFFSET),
        piexif.ExifIFD.OffsetTimeOriginal: _ascii(WIB_OFFSET),
        piexif.ExifIFD.OffsetTimeDigitized: _ascii(WIB_OFFSET),
        piexif.ExifIFD.SubSecTimeOriginal: _ascii(f"{millis:03d}"),
        piexif.ExifIFD.UserComment: USER_COMMENT_ASCII + comment.encode("ascii"),
        piexif.ExifIFD.PixelXDimension: width,
        piexif.ExifIFD.PixelYDimension: height,
    }
    gps_ifd: dict[int, Any] = {}
    if location is not None:
        gps_ifd = _gps_ifd(location, location.timestamp or captured_at)
    return bytes(piexif.dump({"0th": zeroth, "Exif": exif_ifd, "GPS": gps_ifd}))


def _gps_ifd(fix: GeoFix, fix_time: datetime) -> dict[int, Any]:
    utc = fix_time.astimezone(UTC)
    micros = utc.second * 1_000_000 + utc.microsecond
    ifd: dict[int, Any] = {
        piexif.GPSIFD.GPSVersionID: (2, 3, 0, 0),
        piexif.GPSIFD.GPSLatitudeRef: b"S" if fix.latitude < 0 else b"N",
        piexif.GPSIFD.GPSLatitude: to_dms(fix.latitude),
        piexif.GPSIFD.GPSLongitudeRef: b"W" if fix.longitude < 0 else b"E",
        piexif.GPSIFD.GPSLongitude: to_dms(fix.longitude),
        piexif.GPSIFD.GPSMapDatum: b"WGS-84",
        piexif.GPSIFD.GPSDateStamp: _ascii(utc.strftime("%Y:%m:%d")),
        piexif.GPSIFD.GPSTimeStamp: ((utc.hour, 1), (utc.minute, 1), (micros // 1000, 1000)),
    }
    if fix.altitude_m is not None:
        ifd[piexif.GPSIFD.GPSAltitudeRef] = 1 if fix.altitude_m < 0 else 0
        ifd[piexif.GPSIFD.GPSAltitude] = (round(abs(fix.altitude_m) * 100), 100)
    if fix.accuracy_m is not None:
        ifd[piexif.GPSIFD.GPSHPositioningError] = (round(fix.accuracy_m * 100), 100)
    return ifd


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceMetadata:
    """What the pipeline takes from an input photo's own EXIF (everything else is dropped)."""

    orientation: int = 1  # 1..8; anything else counts as 1
    fix: GeoFix | None = None
    taken_at: datetime | None = None  # DateTimeOriginal, aware (UTC)
    had_exif: bool = False
    readable: bool = True  # False: an EXIF block was there but nothing in it parsed


def read_source_metadata(image: Image.Image) -> SourceMetadata:
    """Orientation, GPS and DateTimeOriginal of a decoded input image; never raises."""
    raw = image.info.get("exif")
    had_exif = bool(raw)
    try:
        exif = image.getexif()
        tags = dict(exif)
        gps = dict(exif.get_ifd(_IFD_GPS))
        exif_ifd = dict(exif.get_ifd(_IFD_EXIF))
    except Exception:  # Pillow raises (or warns-as-error) on broken EXIF: ignore it
        return SourceMetadata(had_exif=True, readable=False)
    if not tags and not gps and not exif_ifd:
        # Nothing parsed: an empty but well-formed block (some editors write one) is
        # not damage; anything else that yields no tag is.
        return SourceMetadata(had_exif=had_exif, readable=not had_exif or _empty_tiff(raw))
    orientation = tags.get(_ORIENTATION, 1)
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        orientation = 1
    return SourceMetadata(
        orientation=orientation,
        fix=gps_fix(gps),
        taken_at=parse_exif_time(
            exif_ifd.get(_DATETIME_ORIGINAL), exif_ifd.get(_OFFSET_TIME_ORIGINAL)
        ),
        had_exif=True,
        readable=True,
    )


def _empty_tiff(raw: object) -> bool:
    """A well-formed EXIF block (TIFF header, a first IFD of no entry) with no tag."""
    if not isinstance(raw, bytes):
        return False
    data = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
    if len(data) < 8 or data[:4] not in (b"II*\x00", b"MM\x00*"):
        return False
    little = data[:2] == b"II"
    offset = int.from_bytes(data[4:8], "little" if little else "big")
    if offset == 0:
        return True
    return 8 <= offset <= len(data) - 2 and data[offset : offset + 2] == b"\x00\x00"


def _dms(value: Any) -> tuple[Any, ...]:
    """A GPS coordinate as a tuple: some writers store degrees only, one rational."""
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def gps_fix(gps: Mapping[int, Any]) -> GeoFix | None:
    """A fix from a GPS IFD (tag number -> value), or None if it is absent or unusable.

    A missing hemisphere reference makes the position unusable: in Jakarta (south of the
    equator) guessing "N" would put the photo 1,400 km away, worse than no location.
    """
    try:
        lat_ref = _text(gps.get(piexif.GPSIFD.GPSLatitudeRef)).upper()
        lon_ref = _text(gps.get(piexif.GPSIFD.GPSLongitudeRef)).upper()
        if lat_ref not in ("N", "S") or lon_ref not in ("E", "W"):
            return None
        lat = from_dms(_dms(gps[piexif.GPSIFD.GPSLatitude]))
        lon = from_dms(_dms(gps[piexif.GPSIFD.GPSLongitude]))
        if lat_ref == "S":
            lat = -lat
        if lon_ref == "W":
            lon = -lon
        altitude = _optional_number(gps.get(piexif.GPSIFD.GPSAltitude))
        if altitude is not None and gps.get(piexif.GPSIFD.GPSAltitudeRef) in (1, b"\x01"):
            altitude = -altitude
        accuracy = _optional_number(gps.get(piexif.GPSIFD.GPSHPositioningError))
        return GeoFix.maybe(lat, lon, altitude, accuracy, _gps_time(gps))
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
        return None


def _gps_time(gps: Mapping[int, Any]) -> datetime | None:
    try:
        day = datetime.strptime(_text(gps[piexif.GPSIFD.GPSDateStamp]), "%Y:%m:%d")
        h, m, s = (_rational(v) for v in gps[piexif.GPSIFD.GPSTimeStamp])
        if not all(math.isfinite(v) for v in (h, m, s)):
            return None
        return day.replace(tzinfo=UTC) + timedelta(hours=h, minutes=m, seconds=s)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def _optional_number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = _rational(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ").strip() if isinstance(value, str) else ""


def parse_exif_time(value: Any, offset: Any = None) -> datetime | None:
    """An EXIF "YYYY:MM:DD HH:MM:SS" (+ optional "+HH:MM") as an aware UTC datetime.

    Without an offset the camera's local time is taken to be Asia/Jakarta: the app runs
    in Jakarta, and an Indonesian phone's clock is set to WIB.
    """
    try:
        naive = datetime.strptime(_text(value)[:19], EXIF_TIME_FORMAT)
    except (TypeError, ValueError):
        return None
    tz: tzinfo = JAKARTA
    offset_text = _text(offset)
    if len(offset_text) == 6 and offset_text[0] in "+-" and offset_text[3] == ":":
        try:
            hours, minutes = int(offset_text[1:3]), int(offset_text[4:6])
        except ValueError:
            hours, minutes = -1, -1
        if 0 <= hours <= 14 and 0 <= minutes < 60:
            sign = -1 if offset_text[0] == "-" else 1
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return naive.replace(tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class EmbeddedTags:
    """What a processed photo's EXIF says (read back for the validator and for tests)."""

    description: str
    software: str
    captured_at: datetime | None
    offset: str
    fix: GeoFix | None
    comment: Mapping[str, Any]


def read_embedded_tags(jpeg: bytes) -> EmbeddedTags:
    """Read the tags `build_exif` writes from a JPEG's bytes; empty values when absent."""
    with Image.open(io.BytesIO(jpeg)) as image:
        exif = image.getexif()
        tags, exif_ifd, gps = dict(exif), dict(exif.get_ifd(_IFD_EXIF)), exif.get_ifd(_IFD_GPS)
    raw_comment = exif_ifd.get(piexif.ExifIFD.UserComment, b"")
    comment: Mapping[str, Any] = {}
    if isinstance(raw_comment, bytes) and raw_comment.startswith(USER_COMMENT_ASCII):
        try:
            loaded = json.loads(raw_comment[len(USER_COMMENT_ASCII) :].decode("ascii"))
            comment = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            comment = {}
    offset = _text(exif_ifd.get(_OFFSET_TIME_ORIGINAL))
    return EmbeddedTags(
        description=_text(tags.get(piexif.ImageIFD.ImageDescription)),
        software=_text(tags.get(piexif.ImageIFD.Software)),
        captured_at=parse_exif_time(exif_ifd.get(_DATETIME_ORIGINAL), offset),
        offset=offset,
        fix=gps_fix(dict(gps)),
        comment=comment,
    )
