"""From raw camera or gallery bytes to the JPEG that is stored, uploaded and validated.

    raw bytes ─ decode (guarded, JPEG draft) ─ flatten to RGB ─ bicubic to the exact
    target ─ upright (EXIF orientation 1..8) ─ stamp (optional) ─ fresh EXIF ─ JPEG

Invariants:
- the output is always a baseline JPEG in RGB, upright, with Orientation = 1, its long
  edge at most `settings.long_edge`, and no metadata but what `exif.build_exif` writes
  (the input's comment, XMP, MakerNote, thumbnail, serials... never reach the output);
- where the location and time come from is decided here, once, and recorded with the
  photo (`LocationSource`, `TimeSource`); a missing fix never loses the photo: it is
  kept "tanpa lokasi" with a warning the app shows;
- only `PhotoError` subclasses leave `process_photo`; pure function of its arguments
  (no clock read, no file written), so it runs on any worker thread.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from PIL import Image

from domain import PhotoKind
from domain.capture_time import TIME_FLAG_TEXT, CaptureTime, plausible_capture_time

from .colour import to_srgb
from .decode import DecodedImage, decode_image, target_size
from .encoder import encode_evidence
from .errors import ImageTooLarge, InvalidPhotoRequest, PhotoError
from .exif import SourceMetadata, build_exif, read_source_metadata
from .model import (
    GeoFix,
    LocationSource,
    PhotoSource,
    PhotoWarning,
    ProcessedPhoto,
    TimeSource,
    WarningCode,
    require_aware,
)
from .pixels import rgb_at_size
from .settings import PhotoSettings
from .stamp import draw_stamp, stamp_lines

POOR_ACCURACY_M = 100.0  # half the validator's default 200 m radius
STALE_FIX = timedelta(minutes=5)

TRANSPOSE: dict[int, tuple[Image.Transpose, ...]] = {
    1: (),
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}


def process_photo(
    raw: bytes,
    *,
    kind: PhotoKind,
    report_id: str,
    tracking_id: str,
    source: PhotoSource,
    fix: GeoFix | None,
    device_time: datetime,
    clock_offset: timedelta = timedelta(0),
    settings: PhotoSettings | None = None,
    report_received_at: datetime | None = None,
) -> ProcessedPhoto:
    """Process one photo; raises only `PhotoError` (with Indonesian/English messages).

    `device_time` is the device clock at the shutter (camera) or at the pick (gallery);
    `clock_offset` is the sync engine's estimate of server time minus device time.
    With `report_received_at`, the capture time is checked by the domain's rule
    (`domain.capture_time`): an implausible one is replaced by the pick's time and
    flagged (`ProcessedPhoto.time_flag`, warning `time_implausible`).
    """
    settings = settings or PhotoSettings()
    _check_request(kind, report_id, tracking_id, device_time)
    decoded = decode_image(raw, settings)
    try:
        return _finish(
            decoded,
            settings,
            kind,
            report_id,
            tracking_id,
            source,
            fix,
            device_time,
            clock_offset,
            report_received_at,
        )
    except PhotoError:
        raise
    except MemoryError as exc:
        raise ImageTooLarge("out of memory while processing") from exc
    except Exception as exc:
        raise PhotoError(f"processing failed: {exc!r}") from exc
    finally:
        decoded.image.close()


def _check_request(
    kind: PhotoKind, report_id: str, tracking_id: str, device_time: datetime
) -> None:
    if not isinstance(kind, PhotoKind) or kind is PhotoKind.REPORTER:
        raise InvalidPhotoRequest(f"an officer's photo is before/during/after, got {kind!r}")
    if not report_id or not tracking_id:
        raise InvalidPhotoRequest("report_id and tracking_id are required")
    require_aware(device_time, "device_time")


def _finish(
    decoded: DecodedImage,
    settings: PhotoSettings,
    kind: PhotoKind,
    report_id: str,
    tracking_id: str,
    source: PhotoSource,
    fix: GeoFix | None,
    device_time: datetime,
    clock_offset: timedelta,
    report_received_at: datetime | None,
) -> ProcessedPhoto:
    meta = read_source_metadata(decoded.image)
    warnings: list[PhotoWarning] = []
    if meta.had_exif and not meta.readable:
        warnings.append(_warn(WarningCode.EXIF_UNREADABLE))
    location, location_source = _choose_location(source, fix, meta, device_time, warnings)
    time_source, shot_time = _choose_time(source, meta, device_time, warnings)
    captured_at = shot_time + clock_offset
    checked = CaptureTime(captured_at)
    if report_received_at is not None:
        checked = plausible_capture_time(
            captured_at,
            kind=kind,
            report_received_at=report_received_at,
            now=device_time + clock_offset,
        )
    if checked.flag is not None:
        # 2099, next month, 1970 or before the report: the pick's own time is used.
        time_source, shot_time, captured_at = TimeSource.IMPORT, device_time, checked.at
        text_id, text_en = TIME_FLAG_TEXT[checked.flag]
        warnings.append(PhotoWarning(WarningCode.TIME_IMPLAUSIBLE, text_id, text_en))

    icc = decoded.image.info.get("icc_profile")
    stored_w, stored_h = decoded.original_size
    size = target_size(stored_w, stored_h, settings.long_edge)
    # After a JPEG's DCT scaling the remaining reduction is under 2x, where bicubic
    # (Pillow's antialiased convolution) looks like Lanczos at ~75 % of its cost; a full
    # decode is converted and resized band by band (no second full-size copy).
    image = rgb_at_size(decoded.image, size, reduced=decoded.reduced)
    # sRGB pixels, no profile in the output: a profile can carry device or owner strings.
    image = to_srgb(image, icc)
    for method in TRANSPOSE[meta.orientation]:
        image = image.transpose(method)
    if settings.stamp:
        lines = stamp_lines(
            captured_at=captured_at,
            location=location,
            location_source=location_source,
            tracking_id=tracking_id,
            kind=kind,
        )
        draw_stamp(image, lines, settings.corner)

    exif = build_exif(
        kind=kind,
        report_id=report_id,
        tracking_id=tracking_id,
        width=image.width,
        height=image.height,
        captured_at=captured_at,
        device_time=shot_time,
        location=location,
        location_source=location_source,
        time_source=time_source,
    )
    data = _encode(image, settings.quality, exif)
    return ProcessedPhoto(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        width=image.width,
        height=image.height,
        kind=kind,
        report_id=report_id,
        tracking_id=tracking_id,
        source=source,
        location=location,
        location_source=location_source,
        device_time=shot_time.astimezone(UTC),
        captured_at=captured_at.astimezone(UTC),
        time_source=time_source,
        original_format=decoded.format,
        stamped=settings.stamp,
        warnings=tuple(warnings),
        time_flag=checked.flag,
        claimed_at=None if checked.claimed is None else checked.claimed.astimezone(UTC),
    )


_WARNING_TEXT: dict[WarningCode, tuple[str, str]] = {
    WarningCode.NO_LOCATION: (
        "Foto tanpa lokasi: GPS belum mendapat posisi. Foto tetap disimpan; "
        "aktifkan lokasi dan ambil ulang bila perlu.",
        "Photo without location: GPS has no position yet. The photo is kept; "
        "turn on location and retake it if needed.",
    ),
    WarningCode.LOCATION_FROM_CURRENT_FIX: (
        "Foto dari galeri tidak memuat lokasi; dipakai posisi Anda saat ini.",
        "The gallery photo carries no location; your current position is used.",
    ),
    WarningCode.POOR_ACCURACY: (
        "Akurasi lokasi rendah (±{accuracy} m). Tunggu sinyal GPS lebih baik bila bisa.",
        "Low location accuracy (±{accuracy} m). Wait for a better GPS signal if you can.",
    ),
    WarningCode.STALE_FIX: (
        "Posisi GPS berumur {minutes} menit; lokasi foto mungkin tidak tepat.",
        "The GPS position is {minutes} minutes old; the photo's location may be off.",
    ),
    WarningCode.EXIF_UNREADABLE: (
        "Metadata (EXIF) foto rusak dan diabaikan.",
        "The photo's metadata (EXIF) is damaged and was ignored.",
    ),
    WarningCode.TIME_FROM_IMPORT: (
        "Waktu pengambilan foto dari galeri tidak diketahui; dipakai waktu saat ini.",
        "The gallery photo's capture time is unknown; the current time is used.",
    ),
}


def _warn(code: WarningCode, **params: object) -> PhotoWarning:
    text_id, text_en = _WARNING_TEXT[code]
    return PhotoWarning(code, text_id.format(**params), text_en.format(**params))


def _choose_location(
    source: PhotoSource,
    fix: GeoFix | None,
    meta: SourceMetadata,
    device_time: datetime,
    warnings: list[PhotoWarning],
) -> tuple[GeoFix | None, LocationSource]:
    """Camera: the fix at capture. Gallery: the photo's own GPS, else the current fix.

    A camera photo's own EXIF GPS (if the camera wrote any) is ignored: the geolocator's
    fix at the shutter is the evidence, and the original's GPS is personal metadata.
    """
    location: GeoFix | None
    if source is PhotoSource.GALLERY and meta.fix is not None:
        location, origin = meta.fix, LocationSource.EXIF
    elif fix is not None:
        location, origin = fix, LocationSource.GPS
        if source is PhotoSource.GALLERY:
            warnings.append(_warn(WarningCode.LOCATION_FROM_CURRENT_FIX))
        elif fix.timestamp is not None and device_time - fix.timestamp > STALE_FIX:
            age_min = int((device_time - fix.timestamp).total_seconds() // 60)
            warnings.append(_warn(WarningCode.STALE_FIX, minutes=age_min))
    else:
        warnings.append(_warn(WarningCode.NO_LOCATION))
        return None, LocationSource.NONE
    if location.accuracy_m is not None and location.accuracy_m > POOR_ACCURACY_M:
        warnings.append(_warn(WarningCode.POOR_ACCURACY, accuracy=round(location.accuracy_m)))
    return location, origin


def _choose_time(
    source: PhotoSource,
    meta: SourceMetadata,
    device_time: datetime,
    warnings: list[PhotoWarning],
) -> tuple[TimeSource, datetime]:
    if source is PhotoSource.CAMERA:
        return TimeSource.CAPTURE, device_time
    if meta.taken_at is not None:
        return TimeSource.EXIF, meta.taken_at
    warnings.append(_warn(WarningCode.TIME_FROM_IMPORT))
    return TimeSource.IMPORT, device_time


def _encode(image: Image.Image, quality: int, exif: bytes) -> bytes:
    return encode_evidence(image, quality, exif)
