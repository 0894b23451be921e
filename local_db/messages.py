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
