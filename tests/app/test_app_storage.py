"""Pengaturan → Penyimpanan: the figures, what waits to be sent, "Bersihkan sekarang"."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from datetime import timedelta

from domain import Action, Status
from officer_app.state.detail import DetailModel
from officer_app.state.storage import StorageModel, size_text

from .kit import Phone, now, report

MakePhone = Callable[..., Phone]


def test_sizes_read_the_indonesian_way() -> None:
    assert (size_text(0), size_text(2048), size_text(12_900_000)) == ("0 KB", "2 KB", "12,3 MB")
    assert size_text(3 * 1024**3) == "3,00 GB" and size_text(None) == "-"


def test_the_screen_shows_space_and_unsent_work_and_cleans_up(make_phone: MakePhone) -> None:
    done_long_ago = report("r-old", status=Status.SELESAI)
    p = make_phone(report("r1", status=Status.DITERIMA), done_long_ago)
    with p.device.db.write() as conn:  # closed on the server 40 days ago
        conn.execute(
            "UPDATE reports SET updated_at = ? WHERE id = 'r-old'",
            ((now() - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),),
        )
    p.device.record("r1", Action.START, {})
    leftover = p.device.photo_dir / f"{'cd' * 32}.jpg"
    leftover.write_bytes(b"\xff" * 200_000)
    os.utime(leftover, (time.time() - 86_400,) * 2)

    model = StorageModel(p.session)
    asyncio.run(model.load())
    rows = {ident: (label, value) for ident, label, value in model.rows}
    assert rows["storage-reports"][0] == "Laporan (2) dan riwayatnya"
    assert rows["storage-photos"] == ("Foto ukuran penuh (1)", "195 KB")
    assert model.waiting[0] == "1 tindakan belum terkirim"

    asyncio.run(model.clean())
    assert model.result == "Dibersihkan: 1 laporan, 1 berkas foto, 195 KB dikosongkan."
    rows = {ident: (label, value) for ident, label, value in model.rows}
    assert rows["storage-reports"][0] == "Laporan (1) dan riwayatnya"
    assert model.waiting[0] == "1 tindakan belum terkirim"  # never touched
    assert not leftover.exists()
    asyncio.run(model.clean())
    assert model.result == "Tidak ada yang perlu dibersihkan saat ini."


def test_a_report_on_screen_is_kept_by_a_clean_up(make_phone: MakePhone) -> None:
    p = make_phone(report("r-old", status=Status.SELESAI))
    with p.device.db.write() as conn:
        conn.execute(
            "UPDATE reports SET updated_at = ? WHERE id = 'r-old'",
            ((now() - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),),
        )
    shown = DetailModel(p.session, report_id="r-old")
    assert p.device.clean_now().reports_removed == 0
    shown.close()
    assert p.device.clean_now().reports_removed == 1
