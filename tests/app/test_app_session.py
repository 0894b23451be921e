"""Session gate, Masuk, Pengaturan and the sync status model (no browser)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import local_db
from domain import Action, PhotoKind, Status
from officer_app.photos.testimages import camera_jpeg
from officer_app.preferences import load_preferences
from officer_app.state.app_model import Gate
from officer_app.state.session import Session
from sync import ErrorInfo, Phase, SessionStatus, SyncProgress
from tests.support.waiting import until

from .kit import Phone, now, report

MakePhone = Callable[..., Phone]


def test_the_gate_follows_the_account_on_the_device(make_phone: MakePhone) -> None:
    signed_out = make_phone(signed_in=False)
    assert signed_out.session.app.gate is Gate.LOGIN
    signed_in = make_phone(report("a"))
    assert signed_in.session.app.gate is Gate.APP
    assert signed_in.session.app.account is not None
    assert signed_in.session.app.account.user.username == "petugas.a1"


def test_login_says_what_is_missing_and_when_the_server_is_unreachable(
    make_phone: MakePhone,
) -> None:
    p = make_phone(signed_in=False)
    login = p.session.login
    asyncio.run(login.submit())
    assert login.error == "Isi nama pengguna dan kata sandi."
    login.set_username("petugas.a1")
    login.set_password("rahasia")
    assert login.error is None
    asyncio.run(login.submit())  # nobody listens on the profile's server port
    assert login.error is not None and login.error.startswith("Server tidak dapat dihubungi")
    assert not login.can_work_offline  # no session on this device to work offline with
    assert p.session.app.gate is Gate.LOGIN


def test_with_a_session_an_unreachable_server_offers_offline_work(make_phone: MakePhone) -> None:
    p = make_phone(report("a"))
    p.session.ask_login_again()  # e.g. the sync bar's "Masuk lagi"
    login = p.session.login
    assert login.username == "petugas.a1"  # prefilled from the device's account
    login.set_password("rahasia")
    asyncio.run(login.submit())
    assert login.can_work_offline
    login.work_offline()
    assert p.session.app.gate is Gate.APP
    assert p.session.app.toast is not None and "offline" in p.session.app.toast


def test_language_switch_relabels_and_is_kept(make_phone: MakePhone) -> None:
    t = now()
    p = make_phone(report("late", received_at=t - timedelta(days=9)))
    asyncio.run(p.session.queue.refresh())
    assert p.session.queue.rows[0].time_left.startswith("terlambat")
    p.session.settings.set_language("en")
    assert p.session.app.t("nav.queue") == "Queue"
    assert p.session.queue.rows[0].time_left.startswith("overdue by")
    stored = json.loads(p.device.prefs_path.read_text())
    assert stored["language"] == "en"
    # A new session (the app restarted) starts in English.
    assert Session(p.device).app.lang == "en"


def test_photo_preferences_are_validated_and_saved(make_phone: MakePhone) -> None:
    p = make_phone()
    s = p.session.settings
    s.set_photo_long_edge(999)  # not offered: ignored
    s.set_photo_long_edge(1280)
    s.set_wifi_only(True)
    s.set_theme("dark")
    prefs = load_preferences(p.device.prefs_path, p.device.profile)
    assert (prefs.photo_long_edge, prefs.wifi_only_photos, prefs.theme) == (1280, True, "dark")
    assert p.session.app.theme == "dark"


def test_sign_out_warns_about_unsent_work_first(make_phone: MakePhone) -> None:
    p = make_phone(report("a"))
    local_db.record_action(p.device.db, p.device.actor(), "a", Action.ACCEPT, {}, p.device.now())
    s = p.session.settings
    asyncio.run(s.ask_sign_out())
    assert s.confirm_sign_out == (1, 0, 0)
    assert p.session.app.gate is Gate.APP  # nothing happened yet
    s.cancel_sign_out()
    assert s.confirm_sign_out is None
    asyncio.run(s.ask_sign_out())
    asyncio.run(s.confirm_sign_out_now())
    assert p.session.app.gate is Gate.LOGIN
    account = local_db.account(p.device.db)
    assert account is not None and not account.signed_in
    # The work stays on the device, still the officer's.
    assert len(local_db.unsent_work(p.device.db).mutations) == 1


def test_sync_status_reflects_the_engines_progress(make_phone: MakePhone) -> None:
    p = make_phone()
    status = p.session.sync
    base = SyncProgress(session=SessionStatus.ACTIVE)
    status.on_progress(replace(base, online=False, pending_mutations=3, pending_photos=2))
    assert (status.online, status.unsent, status.syncing) == (False, 5, False)
    status.on_progress(
        replace(base, running=True, phase=Phase.UPLOADING_PHOTOS, bytes_sent=50, bytes_total=200)
    )
    assert status.syncing and status.fraction == 0.25 and status.phase == "Mengunggah foto"
    status.on_progress(
        replace(
            base,
            online=False,
            last_error=ErrorInfo("offline", "Tidak ada koneksi.", "No connection.", now()),
            last_success_at=now() - timedelta(minutes=5),
        )
    )
    assert status.error == "Tidak ada koneksi." and status.last_sync_text == "5 menit lalu"
    status.on_progress(replace(base, session=SessionStatus.EXPIRED))
    assert p.session.app.session_expired and status.needs_login


def test_sync_status_says_how_far_the_photos_are_and_what_waits_for_them(
    make_phone: MakePhone,
) -> None:
    p = make_phone(report("a", status=Status.DALAM_PROSES))
    data = camera_jpeg(320, 240)
    sha = hashlib.sha256(data).hexdigest()
    path = p.device.photo_dir / f"{sha}.jpg"
    path.write_bytes(data)
    photo = local_db.NewPhoto(
        path=str(path),
        sha256=sha,
        kind=PhotoKind.AFTER,
        size_bytes=len(data),
        width=320,
        height=240,
        captured_at=now(),
    )
    local_db.add_photo(p.device.db, p.device.actor(), "a", photo, p.device.now())
    local_db.record_action(
        p.device.db, p.device.actor(), "a", Action.COMPLETE, {"note": "Beres"}, p.device.now()
    )
    status = p.session.sync
    tracking = report("a").tracking_id
    uploading = SyncProgress(
        session=SessionStatus.ACTIVE,
        running=True,
        phase=Phase.UPLOADING_PHOTOS,
        done=2,
        total=12,
        bytes_sent=300_000,
        bytes_total=300_000 + 1_258_291,
        pending_photos=1,
    )
    status.on_progress(uploading)
    assert status.upload_text == "foto 3 dari 12 · 1,2 MB tersisa"
    assert status.photo_waits == [f"Foto 1 ({tracking}) ditunggu: Tambah foto, Selesaikan"]
    p.session.app.lang = "en"
    status.relabel()
    assert status.upload_text == "photo 3 of 12 · 1.2 MB left"
    assert status.photo_waits == [f"Photo 1 ({tracking}) awaited by: Add photo, Complete"]
    # Everything sent: no progress line, nothing waits.
    status.on_progress(SyncProgress(session=SessionStatus.ACTIVE, pending_photos=0))
    assert status.upload_text == "" and status.photo_waits == []


def test_a_revoked_device_shows_its_unsent_work_before_the_wipe(make_phone: MakePhone) -> None:
    p = make_phone(report("a"))
    local_db.record_action(p.device.db, p.device.actor(), "a", Action.ACCEPT, {}, p.device.now())

    async def revoke() -> None:
        p.session.sync.on_progress(SyncProgress(session=SessionStatus.REVOKED))
        await until(lambda: p.session.app.gate is Gate.REVOKED, "the revoked gate")

    asyncio.run(revoke())
    assert p.session.app.gate is Gate.REVOKED
    work = p.session.app.revoked_work
    assert work is not None and [m.action for m in work.mutations] == [Action.ACCEPT]
    # Only after the officer saw it: the device's data goes, and Masuk shows.
    asyncio.run(p.session.wipe_after_revocation())
    assert p.session.app.gate is Gate.LOGIN and p.session.app.revoked_work is None
    assert local_db.unsent_work(p.device.db).empty
    assert local_db.account(p.device.db) is None
