"""Why an action is refused: machine-readable codes with Indonesian and English text.

Both the client (before it queues an action, to explain a disabled button) and the
server (per rejected mutation) speak these codes, so the officer reads the same
sentence either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .statuses import STATUS_NAMES, Status


class Refusal(StrEnum):
    ROLE_NOT_ALLOWED = "role_not_allowed"
    NOT_ASSIGNEE = "not_assignee"
    OTHER_UNIT = "other_unit"
    WRONG_STATUS = "wrong_status"
    NEEDS_AFTER_PHOTO = "needs_after_photo"
    NEEDS_NEW_AFTER_PHOTO = "needs_new_after_photo"
    NEEDS_NOTE = "needs_note"
    NEEDS_REASON = "needs_reason"
    INVALID_PERCENT = "invalid_percent"
    NEEDS_DATE = "needs_date"
    DATE_NOT_LATER = "date_not_later"
    EXTENSION_PENDING = "extension_pending"
    NO_PENDING_EXTENSION = "no_pending_extension"
    NEEDS_ASSIGNEE = "needs_assignee"
    NEEDS_UNIT = "needs_unit"
    INVALID_PHOTO = "invalid_photo"
    PHOTO_NOT_UPLOADED = "photo_not_uploaded"
    PHOTO_NOT_OWNED = "photo_not_owned"
    UNKNOWN_REPORT = "unknown_report"
    UNKNOWN_USER = "unknown_user"
    INVALID_PAYLOAD = "invalid_payload"
    DEPENDS_ON_REJECTED = "depends_on_rejected"


_TEXT: dict[Refusal, tuple[str, str]] = {
    Refusal.ROLE_NOT_ALLOWED: (
        "Peran Anda tidak boleh melakukan tindakan ini.",
        "Your role may not do this.",
    ),
    Refusal.NOT_ASSIGNEE: (
        "Laporan ini tidak (lagi) ditugaskan kepada Anda.",
        "This report is not (or no longer) assigned to you.",
    ),
    Refusal.OTHER_UNIT: (
        "Laporan ini milik unit lain.",
        "This report belongs to another unit.",
    ),
    Refusal.WRONG_STATUS: (
        "Tindakan ini tidak bisa dilakukan saat status laporan '{status}'.",
        "This cannot be done while the report is '{status}'.",
    ),
    Refusal.NEEDS_AFTER_PHOTO: (
        "Penyelesaian memerlukan minimal satu foto sesudah.",
        "Completion needs at least one after photo.",
    ),
    Refusal.NEEDS_NEW_AFTER_PHOTO: (
        "Laporan ini dikembalikan validator: ambil minimal satu foto sesudah yang baru "
        "(setelah dikembalikan) sebelum menyelesaikan. Foto lama tidak dihitung.",
        "This report was sent back by the validator: take at least one new after photo "
        "(after the send-back) before completing. Earlier photos do not count.",
    ),
    Refusal.NEEDS_NOTE: ("Catatan wajib diisi.", "A note is required."),
    Refusal.NEEDS_REASON: ("Alasan wajib diisi.", "A reason is required."),
    Refusal.INVALID_PERCENT: (
        "Persentase kemajuan harus 0 sampai 100.",
        "Progress must be between 0 and 100 percent.",
    ),
    Refusal.NEEDS_DATE: (
        "Tanggal perkiraan selesai wajib diisi.",
        "A proposed completion date is required.",
    ),
    Refusal.DATE_NOT_LATER: (
        "Tanggal yang diusulkan harus setelah tenggat saat ini.",
        "The proposed date must be after the current deadline.",
    ),
    Refusal.EXTENSION_PENDING: (
        "Masih ada permintaan perpanjangan yang menunggu keputusan.",
        "An extension request is already waiting for a decision.",
    ),
    Refusal.NO_PENDING_EXTENSION: (
        "Tidak ada permintaan perpanjangan yang menunggu.",
        "There is no pending extension request.",
    ),
    Refusal.NEEDS_ASSIGNEE: (
        "Pilih petugas yang akan ditugaskan.",
        "Choose the officer to assign.",
    ),
    Refusal.NEEDS_UNIT: ("Pilih unit tujuan.", "Choose the destination unit."),
    Refusal.INVALID_PHOTO: (
        "Data foto tidak lengkap atau tidak sah.",
        "The photo reference is incomplete or invalid.",
    ),
    Refusal.PHOTO_NOT_UPLOADED: (
        "Foto belum selesai diunggah ke server.",
        "The photo has not finished uploading to the server.",
    ),
    Refusal.PHOTO_NOT_OWNED: (
        "Foto ini tidak diunggah oleh Anda; lampirkan hanya foto yang Anda ambil sendiri.",
        "This photo was not uploaded by you; attach only photos you took yourself.",
    ),
    Refusal.UNKNOWN_REPORT: (
        "Laporan tidak ditemukan atau di luar wewenang Anda.",
        "The report does not exist or is outside your scope.",
    ),
    Refusal.UNKNOWN_USER: (
        "Petugas tidak ditemukan di unit ini.",
        "No such officer in this unit.",
    ),
    Refusal.INVALID_PAYLOAD: (
        "Data tindakan tidak sah: {detail}",
        "Invalid action data: {detail}",
    ),
    Refusal.DEPENDS_ON_REJECTED: (
        "Ditahan karena tindakan sebelumnya pada laporan ini ditolak.",
        "Held because an earlier action on this report was refused.",
    ),
}


@dataclass(frozen=True, slots=True)
class RefusalText:
    code: Refusal
    message_id: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_id if lang == "id" else self.message_en


def _status_names(code: str) -> tuple[str, str] | None:
    try:
        return STATUS_NAMES[Status(code)]
    except ValueError:
        return None


def explain(code: Refusal, **params: str) -> RefusalText:
    """The refusal's sentences; a `status` parameter (a status code) is written as the
    status's name in each language, never as the raw code."""
    text_id, text_en = _TEXT[code]
    params_id, params_en = dict(params), dict(params)
    if "status" in params:
        names = _status_names(params["status"])
        if names is not None:
            params_id["status"], params_en["status"] = names
    return RefusalText(code, text_id.format(**params_id), text_en.format(**params_en))
