"""Device-side messages for needs-attention items the server did not word itself.

Indonesian first, English second, like `domain.refusals`.
"""

from __future__ import annotations

from domain import RefusalText
from domain.refusals import Refusal, explain

OUT_OF_SCOPE = (
    "Laporan ini tidak lagi dalam wewenang Anda. Pekerjaan yang belum terkirim tetap "
    "disimpan di perangkat ini.",
    "This report is no longer in your scope. Your unsent work is kept on this device.",
)


def photo_refused(detail: str) -> tuple[str, str]:
    return (
        f"Server menolak berkas foto ({detail}). Ambil ulang foto lalu kirim lagi.",
        f"The server refused the photo file ({detail}). Retake the photo and send again.",
    )


def depends_on_rejected() -> RefusalText:
    return explain(Refusal.DEPENDS_ON_REJECTED)


def no_longer_yours() -> RefusalText:
    """A refused action the officer wants to resend, on a report that has gone to
    someone else meanwhile (reassigned, or moved to another unit or step)."""
    return RefusalText(
        Refusal.NOT_ASSIGNEE,
        "Laporan ini sekarang milik petugas atau unit lain, jadi tindakan ini tidak bisa "
        "dikirim ulang. Buang setelah Anda membacanya.",
        "This report now belongs to another officer or unit, so this action cannot be "
        "sent again. Discard it once you have read it.",
    )
