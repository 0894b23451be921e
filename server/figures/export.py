"""The Dasbor kota's tables as files: one CSV per table, or one XLSX with a sheet each.

Each table carries names for people (category, channel, status and area names in
Bahasa Indonesia) and the codes in extra columns for machines. CSV is UTF-8 with a BOM
so that spreadsheet programs on Windows read the Indonesian names correctly; XLSX is
written with openpyxl (a well-kept library that also reads the files back in the tests).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from domain.categories import CATEGORIES, CHANNELS
from domain.city import CityFigures, CityReportPage

from ..errors import InvalidRequest

STATUS_NAMES = {
    "baru": "Baru",
    "didisposisikan": "Didisposisikan",
    "diterima": "Diterima petugas",
    "dalam_proses": "Dalam proses",
    "menunggu_validasi": "Menunggu validasi",
    "selesai": "Selesai",
    "koordinasi": "Koordinasi",
    "ditutup": "Ditutup",
}


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


Table = tuple[list[str], list[list[Any]]]


def _category(code: str) -> str:
    c = CATEGORIES.get(code)
    return c.name_id if c else code


def _channel(code: str) -> str:
    c = CHANNELS.get(code)
    return c.name if c else code


def tables(figures: CityFigures, page: CityReportPage | None = None) -> dict[str, Table]:
    """Every table of the screen: name -> (header, rows)."""
    t = figures.totals
    out: dict[str, Table] = {
        "ringkasan": (
            ["angka", "nilai"],
            [
                ["periode_mulai", figures.query.period.start.isoformat()],
                ["periode_selesai", figures.query.period.end.isoformat()],
                ["laporan", t.reports],
                ["pelapor", t.reporters],
                ["rata_rata_per_hari", t.per_day],
                ["hari_puncak", t.peak_day.isoformat() if t.peak_day else ""],
                ["laporan_hari_puncak", t.peak_reports],
                ["pelapor_hari_puncak", t.peak_reporters],
                ["selesai", t.resolved],
                ["persen_selesai", _pct(t.resolved_share)],
                ["rata_rata_koordinasi_jam", t.coordination_hours],
                ["rata_rata_penyelesaian_jam", t.completion_hours],
                ["tepat_waktu_persen", _pct(t.on_time_share)],
            ],
        ),
        "kategori": (
            ["kategori", "laporan", "pelapor", "selesai", "kode_kategori"],
            [
                [_category(r.code), r.reports, r.reporters, r.resolved, r.code]
                for r in figures.categories
            ],
        ),
        "kanal": (
            ["kanal", "laporan", "pelapor", "selesai", "kode_kanal"],
            [
                [_channel(r.code), r.reports, r.reporters, r.resolved, r.code]
                for r in figures.channels
            ],
        ),
        "bulan": (
            ["bulan", "laporan", "selesai", "terlambat"],
            [[r.month, r.reports, r.resolved, r.late] for r in figures.months],
        ),
        "status": (
            ["status", "laporan", "kode_status"],
            [[STATUS_NAMES.get(r.status, r.status), r.reports, r.status] for r in figures.statuses],
        ),
        "wilayah": (
            [
                "wilayah",
                "laporan",
                "selesai",
                "sla_berakhir",
                "terlambat",
                "persen_terlambat",
                "kode_wilayah",
            ],
            [
                [
                    r.name or "(tanpa kelurahan)",
                    r.reports,
                    r.resolved,
                    r.played_out,
                    r.late,
                    _pct(r.late_share),
                    r.code,
                ]
                for r in figures.areas
            ],
        ),
    }
    if page is not None:
        out["laporan"] = (
            [
                "nomor_laporan",
                "kategori",
                "kanal",
                "status",
                "kelurahan",
                "diterima",
                "tenggat",
                "selesai",
                "terlambat",
                "kode_kategori",
                "kode_kanal",
                "kode_status",
            ],
            [
                [
                    r.tracking_id,
                    _category(r.category),
                    _channel(r.channel),
                    STATUS_NAMES.get(r.status, r.status),
                    r.kelurahan_code,
                    r.received_at,
                    r.deadline,
                    r.completed_at or "",
                    "ya" if r.late else "tidak",
                    r.category,
                    r.channel,
                    r.status,
                ]
                for r in page.reports
            ],
        )
    return out


def _pct(share: float | None) -> float | str:
    return "" if share is None else round(100 * share, 1)


def export_tables(
    figures: CityFigures, fmt: ExportFormat, table: str | None, page: CityReportPage | None = None
) -> tuple[bytes, str, str]:
    """(bytes, media type, file name). CSV needs `table`; XLSX holds them all."""
    all_tables = tables(figures, page)
    stem = f"dasbor-kota-{figures.query.period.start}-{figures.query.period.end}"
    if fmt is ExportFormat.CSV:
        if table not in all_tables:
            raise InvalidRequest(
                f"table must be one of {', '.join(all_tables)}",
                f"Tabel harus salah satu dari {', '.join(all_tables)}.",
            )
        header, rows = all_tables[table]
        return _csv(header, rows), "text/csv; charset=utf-8", f"{stem}-{table}.csv"
    return _xlsx(all_tables), XLSX_MIME, f"{stem}.xlsx"


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _xlsx(all_tables: dict[str, Table]) -> bytes:
    from openpyxl import Workbook  # the server extra brings it

    book = Workbook(write_only=True)
    for name, (header, rows) in all_tables.items():
        sheet = book.create_sheet(title=name)
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
