"""Why a photo could not be taken into a report: one tree, each with its own words.

    PhotoError                 root; .message_id / .message_en for the officer
     ├── UnreadableImage       not an image we read (text, PDF, unknown bytes, empty)
     │    └── UnsupportedFormat   a known image format we do not decode (HEIC/HEIF)
     ├── CorruptImage          an image whose data is broken or cut short
     ├── ImageTooLarge         over the byte or pixel limit (decompression bombs too)
     ├── InvalidPhotoRequest   the caller passed something that can never be right
     ├── PhotoStoreError       the processed photo could not be written to the device
     └── PhotoNotRecorded      stored on the device, but the database refused the row

Every Pillow / piexif / OS error met while decoding or storing is translated into one
of these at a single boundary (`decode.decode_image`, `store.store_processed`,
`capture.capture_photo`), with the original kept as `__cause__`. Callers catch
`PhotoError` and show `message(lang)`; nothing else escapes the pipeline.
"""

from __future__ import annotations


class PhotoError(Exception):
    """Root of every error the photo pipeline raises."""

    message_id = "Foto tidak dapat diproses. Coba ambil ulang foto."
    message_en = "The photo could not be processed. Please take it again."

    def __init__(
        self, detail: str = "", *, message_id: str | None = None, message_en: str | None = None
    ) -> None:
        if message_id is not None:
            self.message_id = message_id
        if message_en is not None:
            self.message_en = message_en
        self.detail = detail
        super().__init__(detail or self.message_en)

    def message(self, lang: str = "id") -> str:
        """The officer-facing sentence: Indonesian first, English otherwise."""
        return self.message_id if lang == "id" else self.message_en


class UnreadableImage(PhotoError):
    """The bytes are not an image the pipeline reads."""

    message_id = "Berkas ini bukan foto yang bisa dibaca. Pilih foto JPEG atau PNG."
    message_en = "This file is not a photo we can read. Choose a JPEG or PNG photo."


class UnsupportedFormat(UnreadableImage):
    """A recognised image format the pipeline does not decode (HEIC/HEIF)."""

    message_id = (
        "Format foto HEIC/HEIF belum didukung. Ubah pengaturan kamera ke JPEG "
        "('Paling kompatibel') atau ambil foto dari kamera aplikasi."
    )
    message_en = (
        "HEIC/HEIF photos are not supported yet. Set the camera to JPEG "
        "('Most compatible') or take the photo with the app's camera."
    )


class CorruptImage(PhotoError):
    """The image's data is broken or truncated."""

    message_id = "Foto rusak atau tidak lengkap. Ambil ulang foto."
    message_en = "The photo is damaged or incomplete. Please take it again."


class ImageTooLarge(PhotoError):
    """Over the configured byte or pixel limit (decompression bombs land here too)."""

    message_id = (
        "Foto terlalu besar untuk diproses. Gunakan resolusi kamera standar lalu ambil ulang."
    )
    message_en = (
        "The photo is too large to process. Use a standard camera resolution and retake it."
    )


class InvalidPhotoRequest(PhotoError, ValueError):
    """A programming error on the caller's side (a reporter photo kind, a naive time...)."""

    message_id = "Permintaan foto tidak sah."
    message_en = "Invalid photo request."


class PhotoStoreError(PhotoError):
    """The processed photo could not be written (storage full, folder not writable)."""

    message_id = "Foto tidak dapat disimpan di perangkat. Periksa ruang penyimpanan."
    message_en = "The photo could not be saved on the device. Check the free storage."


class PhotoNotRecorded(PhotoError):
    """The file is on the device but its database row and outbox entry were refused.

    `path` and `sha256` name the stored file so that the caller can retry recording; the
    file alone is harmless (nothing references it) and is never uploaded on its own.
    """

    message_id = "Foto tersimpan, tetapi belum tercatat pada laporan. Coba lagi."
    message_en = "The photo was saved but not yet added to the report. Please try again."

    def __init__(
        self,
        detail: str = "",
        *,
        path: str = "",
        sha256: str = "",
        message_id: str | None = None,
        message_en: str | None = None,
    ) -> None:
        super().__init__(detail, message_id=message_id, message_en=message_en)
        self.path = path
        self.sha256 = sha256
