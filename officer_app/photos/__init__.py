"""The photo pipeline: geotagged before / during / after evidence, pure Python.

Pillow + piexif only (no Flet import anywhere in this package), so it runs on a worker
thread, in tests and in benchmarks without a UI. The app calls `capture_photo()` (or
`process_photo()` + `store_processed()` + its own recording); the validator's screen
calls `evidence_check()`. `LocalDbRecorder` is the one piece that touches the device
database (through `local_db.add_photo`). See docs/photos.md.

Errors: one tree rooted at `PhotoError` (see `errors`), each with Indonesian and
English messages for the officer.
"""

from .capture import CaptureResult, PhotoRecorder, ReportIdentity, capture_photo
from .decode import ACCEPTED_FORMATS, target_size
from .errors import (
    CorruptImage,
    ImageTooLarge,
    InvalidPhotoRequest,
    PhotoError,
    PhotoNotRecorded,
    PhotoStoreError,
    UnreadableImage,
    UnsupportedFormat,
)
from .evidence import DEFAULT_RADIUS_M, EvidenceCheck, EvidenceNote, evidence_check
from .exif import EmbeddedTags, SourceMetadata, read_embedded_tags, read_source_metadata
from .model import (
    GeoFix,
    LocationSource,
    PhotoSource,
    PhotoWarning,
    ProcessedPhoto,
    TimeSource,
    WarningCode,
)
from .preview import PREVIEW_EDGE, make_preview
from .process import process_photo
from .record import LocalDbRecorder, to_new_photo
from .settings import PhotoSettings, StampCorner
from .store import file_sha256, photo_path, store_processed, sweep_partial_files
from .thumbnail import THUMB_EDGE, write_thumbnail

__all__ = [
    "ACCEPTED_FORMATS",
    "DEFAULT_RADIUS_M",
    "PREVIEW_EDGE",
    "THUMB_EDGE",
    "CaptureResult",
    "CorruptImage",
    "EmbeddedTags",
    "EvidenceCheck",
    "EvidenceNote",
    "GeoFix",
    "ImageTooLarge",
    "InvalidPhotoRequest",
    "LocalDbRecorder",
    "LocationSource",
    "PhotoError",
    "PhotoNotRecorded",
    "PhotoRecorder",
    "PhotoSettings",
    "PhotoSource",
    "PhotoStoreError",
    "PhotoWarning",
    "ProcessedPhoto",
    "ReportIdentity",
    "SourceMetadata",
    "StampCorner",
    "TimeSource",
    "UnreadableImage",
    "UnsupportedFormat",
    "WarningCode",
    "capture_photo",
    "evidence_check",
    "file_sha256",
    "make_preview",
    "photo_path",
    "process_photo",
    "read_embedded_tags",
    "read_source_metadata",
    "store_processed",
    "sweep_partial_files",
    "target_size",
    "to_new_photo",
    "write_thumbnail",
]
