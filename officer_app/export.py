"""CSV export for the monthly evaluation: the unit's reports and the team table.

Files open directly in spreadsheet apps: UTF-8 with a byte-order mark (so Excel reads
the Indonesian text right), comma-separated, every field quoted when needed, Indonesian
headers, times in WIB as `YYYY-MM-DD HH:MM`, decimals with a dot. Category, channel and
status read as names ("Pohon", "JAKI", "Dalam proses"); their codes follow in the last
columns for whoever joins the file with other data.

The files are built in memory (`unit_files`) and reach the user where the user is: a
download in the web build, the save dialog on a desktop (the Tim screen, through
`PlatformServices.save_file`); `export_unit` writes them into a folder (no page).

Invariants:
- a file is written whole or not at all (a temporary file in the same folder, fsync,
  then rename);
- text that came from citizens (titles, addresses) can never run as a spreadsheet
  formula: a field starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`.

Errors:

    ExportError     the folder cannot be created or written (message_id / message_en)
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from domain import JAKARTA, category, channel
from domain.errors import UnknownCode
from local_db.figures import ExportRow, TeamRow

from .errors import AppError

BOM = "\ufeff"

REPORT_HEADERS: tuple[str, ...] = (
    "Nomor Laporan",
    "Judul",
    "Kategori",
    "Kanal",
    "Status",
    "Kelurahan",
    "Kecamatan",
    "Kota",
    "Alamat",
    "Petugas",
    "Diterima (WIB)",
    "Tenggat (WIB)",
    "Didisposisikan (WIB)",
    "Diselesaikan (WIB)",
    "Terlambat",
    "Progres (%)",
    "Pengerjaan Ulang",
    "Perpanjangan",
    "Penilaian Warga",
    "Lintang",
    "Bujur",
    "Kode Kategori",
    "Kode Kanal",
    "Kode Status",
)

TEAM_HEADERS: tuple[str, ...] = (
    "Petugas",
    "Selesai",
    "Dalam Proses",
    "Terlambat",
    "Rata-rata Waktu Penyelesaian (jam)",
    "Laporan Diajukan",
    "Dikembalikan untuk Perbaikan",
    "Tingkat Perbaikan (%)",
    "Rata-rata Penilaian",
    "Jumlah Penilaian",
)

STATUS_ID = {
    "baru": "Baru",
    "didisposisikan": "Didisposisikan",
    "diterima": "Diterima",
    "dalam_proses": "Dalam proses",
    "menunggu_validasi": "Menunggu validasi",
    "selesai": "Selesai",
    "koordinasi": "Koordinasi",
    "ditutup": "Ditutup",
}
EXTENSION_ID = {"none": "", "requested": "Diminta", "approved": "Disetujui", "refused": "Ditolak"}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


class ExportError(AppError):
    def __init__(self, message_id: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_id = message_id
        self.message_en = message_en

    def message(self, lang: str) -> str:
        return self.message_id if lang == "id" else self.message_en


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text, never evaluates."""
    return "'" + value if value.startswith(_FORMULA) else value


def wib_text(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M")


def _hours(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 3600:.1f}"


def _category(code: str) -> str:
    try:
        return category(code).name_id
    except UnknownCode:
        return code


def _channel(code: str) -> str:
    try:
        return channel(code).name
    except UnknownCode:
        return code


def report_record(row: ExportRow) -> list[str]:
    return [
        row.tracking_id,
        safe_text(row.title),
        _category(row.category),
        _channel(row.channel),
        STATUS_ID.get(row.status.value, row.status.value),
        safe_text(row.kelurahan),
        safe_text(row.kecamatan),
        safe_text(row.kota),
        safe_text(row.address),
        safe_text(row.assignee_name),
        wib_text(row.received_at),
        wib_text(row.deadline),
        wib_text(row.dispatched_at),
        wib_text(row.completed_at),
        "Ya" if row.overdue else "Tidak",
        str(row.progress_pct),
        str(row.rework_count),
        EXTENSION_ID.get(row.extension.value, ""),
        "" if row.rating is None else str(row.rating),
        "" if row.latitude is None else f"{row.latitude:.6f}",
        "" if row.longitude is None else f"{row.longitude:.6f}",
        row.category,
        row.channel,
        row.status.value,
    ]


def team_record(row: TeamRow) -> list[str]:
    ratio = row.rework.ratio
    return [
        safe_text(row.name),
        str(row.done),
        str(row.in_progress),
        str(row.overdue),
        _hours(row.completion.value),
        str(row.rework.whole),
        str(row.rework.part),
        "" if ratio is None else f"{ratio * 100:.1f}",
        "" if row.rating is None else f"{row.rating:.2f}",
        str(row.rated),
    ]


def csv_text(headers: Sequence[str], records: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(records)
    return BOM + out.getvalue()


def write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unit"


@dataclass(frozen=True, slots=True)
class ExportFile:
    name: str  # laporan_<unit>_<YYYYmmdd-HHMM>.csv
    text: str

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")


def unit_files(
    *, reports: Sequence[ExportRow], team: Sequence[TeamRow], now: datetime, unit: str
) -> list[ExportFile]:
    """`laporan_<unit>_<time>.csv` and `tim_<unit>_<time>.csv`, in memory."""
    stamp = now.astimezone(JAKARTA).strftime("%Y%m%d-%H%M")
    name = slug(unit)
    return [
        ExportFile(
            f"laporan_{name}_{stamp}.csv", csv_text(REPORT_HEADERS, map(report_record, reports))
        ),
        ExportFile(f"tim_{name}_{stamp}.csv", csv_text(TEAM_HEADERS, map(team_record, team))),
    ]


def export_unit(
    folder: Path,
    *,
    reports: Sequence[ExportRow],
    team: Sequence[TeamRow],
    now: datetime,
    unit: str,
) -> list[Path]:
    """Write the unit's files (`unit_files`) into `folder`; returns the paths."""
    files = [
        (folder / f.name, f.text)
        for f in unit_files(reports=reports, team=team, now=now, unit=unit)
    ]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path, text in files:
            write_atomic(path, text)
    except OSError as exc:
        raise ExportError(
            f"Tidak dapat menulis ke folder {folder}: {exc.strerror or exc}",
            f"Cannot write to the folder {folder}: {exc.strerror or exc}",
        ) from exc
    return [path for path, _ in files]
