"""The capture glue against a real device database (a SQLite file, `local_db`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain import Action, Actor, PhotoKind, Report, Role, Status
from domain.capture_time import TimeFlag
from domain.protocol import Change, ChangeOp, Entity, PullPage, ReportSnapshot, UserInfo, iso
from domain.refusals import Refusal, explain
from local_db import (
    LocalDb,
    LocationSource,
    OutboxEntry,
    UploadState,
    apply_page,
    get_report,
    pending_counts,
    sign_in,
)
from officer_app.photos import (
    CaptureResult,
    GeoFix,
    LocalDbRecorder,
    PhotoError,
    PhotoNotRecorded,
    PhotoSettings,
    PhotoSource,
    ProcessedPhoto,
    UnreadableImage,
    WarningCode,
    capture_photo,
    file_sha256,
)
from officer_app.photos.exif import parse_exif_time, read_embedded_tags
from officer_app.photos.model import TimeSource
from officer_app.photos.testimages import CameraExif, camera_jpeg

NOW = datetime(2024, 5, 14, 3, 0, tzinfo=UTC)
OFFICER = UserInfo("u-andi", "petugas.andi", "Andi Petugas", Role.OFFICER, "kel-1", "Kel. Menteng")
ACTOR = Actor(OFFICER.id, Role.OFFICER, OFFICER.unit_id)
FIX = GeoFix(-6.1862, 106.8341, altitude_m=9.0, accuracy_m=6.0)
SHUTTER = NOW - timedelta(minutes=3)


def a_report(rid: str, **kw: object) -> Report:
    fields: dict[str, object] = {
        "id": rid,
        "tracking_id": f"CRM-2024-{rid[-6:]}",
        "status": Status.DALAM_PROSES,
        "category": "jalan",
        "channel": "jaki",
        "unit_id": "kel-1",
        "received_at": NOW - timedelta(days=1),
        "assignee_id": OFFICER.id,
        "latitude": -6.1863,
        "longitude": 106.8340,
        "version": 3,
    }
    fields.update(kw)
    return Report(**fields)  # type: ignore[arg-type]


MINE = a_report("rpt-000001")
SOMEONE_ELSES = a_report("rpt-000002", assignee_id="u-budi")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[LocalDb]:
    database = LocalDb.open(tmp_path / "device.sqlite")
    sign_in(database, OFFICER, "http://127.0.0.1:1", NOW - timedelta(days=2))
    changes = tuple(
        Change(ChangeOp.UPSERT, Entity.REPORT, r.id, ReportSnapshot(r).to_wire())
        for r in (MINE, SOMEONE_ELSES)
    )
    apply_page(database, PullPage(changes, "c:1", False, NOW), NOW)
    yield database
    database.close()


@pytest.fixture(scope="module")
def raw() -> bytes:
    return camera_jpeg(1200, 900)


def capture(
    db: LocalDb,
    photo_dir: Path,
    raw: bytes,
    report: Report = MINE,
    *,
    kind: PhotoKind = PhotoKind.AFTER,
    fix: GeoFix | None = FIX,
) -> CaptureResult[OutboxEntry]:
    return capture_photo(
        LocalDbRecorder(db, ACTOR, now=lambda: NOW),
        report,
        kind,
        raw,
        PhotoSource.CAMERA,
        fix,
        timedelta(seconds=-40),
        PhotoSettings(),
        photo_dir,
        device_time=SHUTTER,
    )


def test_capture_writes_file_row_and_outbox_entry(db: LocalDb, tmp_path: Path, raw: bytes) -> None:
    photo_dir = tmp_path / "photos"
    result = capture(db, photo_dir, raw)

    assert result.path.parent == photo_dir
    assert file_sha256(result.path) == result.photo.sha256
    entry = result.record
    assert entry.action is Action.ADD_PHOTO and entry.report_id == MINE.id
    assert entry.payload["photo"]["sha256"] == result.photo.sha256
    assert entry.payload["photo"]["kind"] == "after"

    detail = get_report(db, MINE.id, now=NOW)
    assert detail is not None
    (row,) = [p for p in detail.photos if p.from_device]
    assert row.sha256 == result.photo.sha256 == file_sha256(Path(row.local_path or ""))
    assert row.kind is PhotoKind.AFTER
    assert (row.latitude, row.longitude, row.accuracy_m) == (-6.1862, 106.8341, 6.0)
    assert row.location_source is LocationSource.GPS
    assert (row.width, row.height, row.size_bytes) == (1200, 900, result.photo.size_bytes)
    assert row.captured_at == SHUTTER  # the device clock
    assert row.upload_state is UploadState.PENDING
    assert PhotoKind.AFTER in detail.report.photo_kinds  # applied optimistically
    assert pending_counts(db).photos == 1


def test_photo_without_a_fix_is_recorded_tanpa_lokasi(
    db: LocalDb, tmp_path: Path, raw: bytes
) -> None:
    result = capture(db, tmp_path / "photos", raw, fix=None, kind=PhotoKind.BEFORE)
    assert [w.code for w in result.warnings] == [WarningCode.NO_LOCATION]
    detail = get_report(db, MINE.id, now=NOW)
    assert detail is not None
    (row,) = [p for p in detail.photos if p.from_device]
    assert row.location_source is LocationSource.NONE
    assert row.latitude is None and row.longitude is None


def test_refused_by_the_local_rules_keeps_the_file_and_says_why(
    db: LocalDb, tmp_path: Path, raw: bytes
) -> None:
    photo_dir = tmp_path / "photos"
    with pytest.raises(PhotoNotRecorded) as caught:
        capture(db, photo_dir, raw, report=SOMEONE_ELSES)
    exc = caught.value
    expected = explain(Refusal.NOT_ASSIGNEE)
    assert (exc.message_id, exc.message_en) == (expected.message_id, expected.message_en)
    assert Path(exc.path).is_file() and file_sha256(Path(exc.path)) == exc.sha256
    detail = get_report(db, SOMEONE_ELSES.id, now=NOW)
    assert detail is not None and detail.photos == () and detail.outbox == ()
    assert pending_counts(db).mutations == 0


def test_unknown_report_is_not_recorded(db: LocalDb, tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(PhotoNotRecorded) as caught:
        capture(db, tmp_path / "photos", raw, report=a_report("rpt-999999"))
    assert caught.value.message_id  # a sentence for the officer, whatever the cause
    assert pending_counts(db).mutations == 0


def test_unreadable_input_writes_nothing(db: LocalDb, tmp_path: Path) -> None:
    photo_dir = tmp_path / "photos"
    with pytest.raises(UnreadableImage):
        capture(db, photo_dir, b"%PDF-1.4 not a photo")
    assert not photo_dir.exists() or list(photo_dir.iterdir()) == []
    assert pending_counts(db).mutations == 0


def test_a_recorders_own_photo_error_passes_through(tmp_path: Path, raw: bytes) -> None:
    class Full(PhotoError):
        message_id, message_en = "Penuh.", "Full."

    def recorder(photo: ProcessedPhoto, path: Path) -> None:
        raise Full("disk")

    with pytest.raises(Full):
        capture_photo(
            recorder,
            MINE,
            PhotoKind.DURING,
            raw,
            PhotoSource.GALLERY,
            FIX,
            timedelta(0),
            PhotoSettings(),
            tmp_path,
        )


def test_recorder_sees_the_stored_file(tmp_path: Path, raw: bytes) -> None:
    seen: list[tuple[str, bool]] = []

    def recorder(photo: ProcessedPhoto, path: Path) -> str:
        seen.append((photo.sha256, path.is_file() and file_sha256(path) == photo.sha256))
        return "row-1"

    result = capture_photo(
        recorder,
        MINE,
        PhotoKind.DURING,
        raw,
        PhotoSource.CAMERA,
        None,
        timedelta(0),
        PhotoSettings(stamp=False),
        tmp_path,
    )
    assert result.record == "row-1"
    assert seen == [(result.photo.sha256, True)]
    assert result.photo.device_time <= datetime.now(UTC)  # defaults to the device clock now


# --- the capture-time rule (`domain.capture_time`) on the device ----------------------


def pick(db: LocalDb, photo_dir: Path, taken: str, kind: PhotoKind) -> CaptureResult[OutboxEntry]:
    raw = camera_jpeg(640, 480, meta=CameraExif(taken=taken, offset="+07:00"))
    return capture_photo(
        LocalDbRecorder(db, ACTOR, now=lambda: NOW),
        MINE,
        kind,
        raw,
        PhotoSource.GALLERY,
        FIX,
        timedelta(0),
        PhotoSettings(),
        photo_dir,
        device_time=SHUTTER,
    )


@pytest.mark.parametrize(
    ("taken", "kind", "flag"),
    [
        ("2099:01:01 10:00:00", PhotoKind.AFTER, TimeFlag.FUTURE),
        ("2024:06:14 10:00:00", PhotoKind.DURING, TimeFlag.FUTURE),  # next month
        ("1970:01:01 07:00:00", PhotoKind.AFTER, TimeFlag.BEFORE_REPORT),
        ("1970:01:01 07:00:00", PhotoKind.BEFORE, TimeFlag.TOO_OLD),
        ("2024:05:12 10:00:00", PhotoKind.AFTER, TimeFlag.BEFORE_REPORT),  # 2 days before
    ],
)
def test_an_implausible_gallery_time_is_replaced_and_flagged(
    db: LocalDb, tmp_path: Path, taken: str, kind: PhotoKind, flag: TimeFlag
) -> None:
    result = pick(db, tmp_path / "photos", taken, kind)
    photo = result.photo
    assert photo.time_flag is flag
    assert photo.time_source is TimeSource.IMPORT
    assert photo.device_time == SHUTTER and photo.captured_at == SHUTTER  # the pick
    assert photo.claimed_at == parse_exif_time(taken, "+07:00")
    assert WarningCode.TIME_IMPLAUSIBLE in {w.code for w in photo.warnings}
    assert read_embedded_tags(photo.data).captured_at == SHUTTER  # the stamp's time too
    sent = result.record.payload["photo"]
    assert sent["time_flag"] == flag.value
    assert sent["claimed_at"] == iso(photo.claimed_at)


def test_a_plausible_gallery_time_is_kept(db: LocalDb, tmp_path: Path) -> None:
    result = pick(db, tmp_path / "photos", "2024:05:14 09:00:00", PhotoKind.AFTER)
    photo = result.photo
    assert photo.time_flag is None and photo.time_source is TimeSource.EXIF
    assert photo.captured_at == datetime(2024, 5, 14, 2, 0, tzinfo=UTC)
    assert "time_flag" not in result.record.payload["photo"]
