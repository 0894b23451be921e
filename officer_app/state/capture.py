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
from ..photos import GeoFix, PhotoError, PhotoSource
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
    no_location: bool = False
    locating: bool = False
    processing: bool = False
    error: str | None = None
    warnings: tuple[str, ...] = ()
    saved: bool = False
    camera_open: bool = False

    def __post_init__(self, session: Session) -> None:
        self._session = session
        self._raw: bytes | None = None
        self._fix: GeoFix | None = None

    def set_kind(self, kind: PhotoKind) -> None:
        if kind in KINDS:
            self.kind = kind

    def open_camera(self) -> None:
        self.camera_open = True
        self.error = None

    def close_camera(self) -> None:
        self.camera_open = False

    async def got_photo(self, raw: bytes, source: PhotoSource, fix: GeoFix | None) -> None:
        """A shot from the camera or a file from the gallery arrived (with the fix then)."""
        self.error, self.warnings, self.saved = None, (), False
        self._raw, self.source, self.camera_open = raw, source, False
        self.set_fix(fix)
        try:
            self.preview = await asyncio.to_thread(make_thumb, raw, 720)
        except Exception:  # the pipeline will say precisely what is wrong on save
            log.info("no preview for the picked file", exc_info=True)
            self.preview = None
        self.has_photo = True

    def set_fix(self, fix: GeoFix | None) -> None:
        tr = self._session.app.tr
        self._fix = fix
        self.no_location = fix is None
        if fix is None:
            self.location, self.accuracy = tr.t("photo.no_location"), ""
        else:
            self.location = coords_text(fix.latitude, fix.longitude)
            self.accuracy = (
                tr.t("photo.accuracy", n=int(round(fix.accuracy_m)))
                if fix.accuracy_m is not None
                else ""
            )

    def retake(self) -> None:
        self._raw, self.preview, self.has_photo = None, None, False
        self.error, self.warnings, self.saved, self.source = None, (), False, None

    async def save(self) -> bool:
        if self._raw is None or self.processing or self.source is None:
            return False
        app = self._session.app
        self.processing, self.error = True, None
        try:
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
