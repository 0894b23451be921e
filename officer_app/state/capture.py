"""Kamera / Galeri: take or pick a photo, preview it, see where it was taken, attach it.

Flow: choose the kind (before / during / after) -> camera shot or gallery pick (raw
bytes) -> preview with the location from the geolocator ("tanpa lokasi" when there is
no fix) -> retake, or save: the photo pipeline processes it off the UI loop (orientation,
size, EXIF, stamp), stores it content-addressed and records the photo with its outbox
entry in one transaction. The raw bytes never leave this model except into the pipeline.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import InitVar, dataclass
from typing import TYPE_CHECKING

import flet as ft

from domain import PhotoKind
from local_db import ActionRefusedLocally, LocalDbError

from ..format import coords_text
from ..photos import (
    ACCEPTED_FORMATS,
    GeoFix,
    PhotoError,
    PhotoSettings,
    PhotoSource,
    read_source_metadata,
)
from ..picked_file import PickedFileError
from .thumbs import make_thumb

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger(__name__)

KINDS = (PhotoKind.BEFORE, PhotoKind.DURING, PhotoKind.AFTER)


@ft.observable
@dataclass
class CaptureModel:
    session: InitVar[Session]
    report_id: str
    kind: PhotoKind = PhotoKind.BEFORE
    source: PhotoSource | None = None
    preview: bytes | None = None
    has_photo: bool = False
    location: str = ""
    accuracy: str = ""
    location_origin: str = ""  # where the shown position comes from, in words
    no_location: bool = False
    locating: bool = False
    processing: bool = False
    error: str | None = None
    warnings: tuple[str, ...] = ()
    saved: bool = False
    camera_open: bool = False
    # The camera could not start here (no camera, no permission, no plugin): the screen
    # says so beside the gallery button, which stays usable.
    camera_unavailable: bool = False
    # Told before saving when the phone was low on space and old, sent files were cleaned.
    notice: str | None = None

    def __post_init__(self, session: Session) -> None:
        self._session = session
        self._raw: bytes | None = None
        self._fix: GeoFix | None = None
        self._photo_fix: GeoFix | None = None  # a gallery photo's own EXIF position

    def set_kind(self, kind: PhotoKind) -> None:
        if kind in KINDS:
            self.kind = kind

    def open_camera(self) -> None:
        self.camera_open = True
        self.error = None

    def close_camera(self) -> None:
        self.camera_open = False

    def camera_failed(self) -> None:
        """The camera did not start: back to the choice, with the gallery offered."""
        self.camera_open = False
        self.camera_unavailable = True

    @property
    def max_pick_bytes(self) -> int:
        """The largest file a pick may read: the photo pipeline's own byte limit."""
        return PhotoSettings().max_input_bytes

    def pick_failed(self, exc: PickedFileError) -> None:
        """A pick gave no photo: say what happened, never drop it silently."""
        log.info("the picked file cannot be read: %s", exc)
        self.retake()
        self.error = self._session.app.t(exc.message_key, mb=_mb(self.max_pick_bytes))

    async def got_photo(self, raw: bytes, source: PhotoSource, fix: GeoFix | None) -> None:
        """A shot from the camera or a file from the gallery arrived (with the fix then)."""
        self.error, self.warnings, self.saved = None, (), False
        self._raw, self.source, self.camera_open = raw, source, False
        self.preview, self._photo_fix, refused = await asyncio.to_thread(_inspect, raw)
        if refused is not None:
            # Told at once, in the officer's language: saving would refuse it the same way.
            self.error = refused.message(self._session.app.lang)
        self.set_fix(fix)
        self.has_photo = True

    def set_fix(self, fix: GeoFix | None) -> None:
        """Show the position the photo will carry: the pipeline's choice (a gallery
        photo keeps its own EXIF position when it has one, else the current fix)."""
        tr = self._session.app.tr
        self._fix = fix
        shown = fix
        origin = "photo.origin.gps"
        if self.source is PhotoSource.GALLERY and self._photo_fix is not None:
            shown, origin = self._photo_fix, "photo.origin.exif"
        self.no_location = shown is None
        if shown is None:
            self.location, self.accuracy, self.location_origin = (
                tr.t("photo.no_location"),
                "",
                "",
            )
            return
        self.location = coords_text(shown.latitude, shown.longitude)
        self.accuracy = (
            tr.t("photo.accuracy", n=round(shown.accuracy_m))
            if shown.accuracy_m is not None
            else ""
        )
        self.location_origin = tr.t(origin)

    def retake(self) -> None:
        self._raw, self.preview, self.has_photo, self._photo_fix = None, None, False, None
        self.error, self.warnings, self.saved, self.source = None, (), False, None

    async def save(self) -> bool:
        if self._raw is None or self.processing or self.source is None:
            return False
        app = self._session.app
        self.processing, self.error, self.notice = True, None, None
        try:
            room = await asyncio.to_thread(self._session.device.make_room)
            if room is not None:
                self.notice = app.t("storage.low_before_capture", mb=_mb(room.bytes_freed))
            result = await asyncio.to_thread(
                self._session.device.capture,
                self.report_id,
                self.kind,
                self._raw,
                self.source,
                self._fix,
            )
        except PhotoError as exc:
            self.error = exc.message(app.lang)
            return False
        except ActionRefusedLocally as exc:
            self.error = exc.refusal.message(app.lang)
            return False
        except LocalDbError as exc:  # pragma: no cover - a disk fault
            self.error = app.t("error.save_failed", detail=str(exc))
            return False
        finally:
            self.processing = False
        self.warnings = tuple(w.message(app.lang) for w in result.warnings)
        self.saved = True
        self._raw = None
        app.say(app.t("photo.saved"))
        await self._session.queue.refresh()
        return True


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}"


def _inspect(raw: bytes) -> tuple[bytes | None, GeoFix | None, PhotoError | None]:
    """A preview, the photo's own EXIF position, and why the pipeline refuses the file
    (None when it does not). Nothing here raises: the preview is the pipeline's guarded
    decode, and the position is read from a header opened with the accepted raster
    formats only."""
    from io import BytesIO

    from PIL import Image

    try:
        preview: bytes | None = make_thumb(raw, 720)
    except PhotoError as exc:
        log.info("the picked file is refused: %s", exc)
        return None, None, exc
    try:
        with Image.open(BytesIO(raw), formats=ACCEPTED_FORMATS) as image:
            fix = read_source_metadata(image).fix
    except Exception:  # a position is a bonus: a broken EXIF is the pipeline's warning
        fix = None
    return preview, fix, None
