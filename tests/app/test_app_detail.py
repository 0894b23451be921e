"""DetailModel: what the officer may do now (and why not), forms, local recording."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import local_db
from domain import JAKARTA, Action, ExtensionState, PhotoKind, Refusal, Status, explain
from officer_app.i18n import Translator
from officer_app.state.detail import DetailModel

from .kit import Phone, now, report

MakePhone = Callable[..., Phone]


def opened(p: Phone, rid: str) -> DetailModel:
    model = DetailModel(p.session, report_id=rid)
    asyncio.run(model.load())
    return model


def option(model: DetailModel, action: Action) -> tuple[bool, str]:
    o = next(o for o in model.actions if o.action is action)
    return o.allowed, o.reason


def test_a_dispatched_report_offers_accept_and_explains_the_rest(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", is_public=False))
    model = opened(p, "r1")
    assert model.header["status"] == "Didisposisikan"
    assert model.header["public"] == "Privat"
    assert model.header["coords"] == "-6.19500, 106.83000"
    assert option(model, Action.ACCEPT) == (True, "")
    allowed, why = option(model, Action.COMPLETE)
    assert not allowed
    assert why == explain(Refusal.WRONG_STATUS, status="didisposisikan").message_id
    # Every officer action is listed: none vanishes.
    assert {o.action for o in model.actions} == {
        Action.ACCEPT,
        Action.START,
        Action.PROGRESS,
        Action.ADD_PHOTO,
        Action.COMPLETE,
        Action.REQUEST_EXTENSION,
        Action.RETURN_NOT_OUR_DUTY,
    }


def test_accept_records_locally_marked_not_sent(make_phone: MakePhone) -> None:
    p = make_phone(report("r1"))
    model = opened(p, "r1")
    asyncio.run(model.choose(Action.ACCEPT))
    assert model.status is Status.DITERIMA
    assert model.pending == 1
    assert model.timeline[0].label == "Diterima petugas" and not model.timeline[0].sent
    assert p.session.app.toast == "Tugas diterima."
    outbox = local_db.unsent_work(p.device.db).mutations
    assert [m.action for m in outbox] == [Action.ACCEPT]
    # The queue shows it in the same state, marked "belum terkirim".
    assert [r.pending for r in p.session.queue.rows if r.report_id == "r1"] == [True]


def test_completion_needs_an_after_photo_and_says_so(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DALAM_PROSES, progress_pct=50))
    model = opened(p, "r1")
    allowed, why = option(model, Action.COMPLETE)
    assert not allowed
    assert why == "Penyelesaian memerlukan minimal satu foto sesudah."
    assert next(o for o in model.actions if o.action is Action.COMPLETE).other_step is False
    p.store(
        report(
            "r1",
            status=Status.DALAM_PROSES,
            progress_pct=50,
            photo_kinds=frozenset({PhotoKind.AFTER}),
        )
    )
    model = opened(p, "r1")
    assert option(model, Action.COMPLETE) == (True, "")


def test_progress_form_checks_the_percent_then_records(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DALAM_PROSES, progress_pct=25))
    model = opened(p, "r1")
    asyncio.run(model.choose(Action.PROGRESS))
    form = model.form
    assert form is not None and form.values.percent == "50"  # a suggestion
    form.values.percent = "150"
    asyncio.run(model.submit_form())
    assert form.error == "Isi angka 0 sampai 100." and model.form is form
    form.values.percent = "60"
    form.values.note = "Tambal sebagian"
    asyncio.run(model.submit_form())
    assert model.form is None
    assert model.header["progress"] == "60%"
    entry = local_db.unsent_work(p.device.db).mutations[-1]
    assert dict(entry.payload) == {"percent": 60, "note": "Tambal sebagian"}


def test_extension_request_sends_the_end_of_the_day_in_jakarta(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DITERIMA))
    model = opened(p, "r1")
    asyncio.run(model.choose(Action.REQUEST_EXTENSION))
    form = model.form
    assert form is not None
    asyncio.run(model.submit_form())
    assert form.error == "Alasan wajib diisi."
    form.values.reason = "Menunggu alat berat dari Sudin Bina Marga"
    form.values.date = "31-12-2026"
    asyncio.run(model.submit_form())
    assert form.error == "Tanggal harus ditulis TTTT-BB-HH."
    day = (now() + timedelta(days=30)).astimezone(JAKARTA).date()
    form.values.date = day.isoformat()
    asyncio.run(model.submit_form())
    assert model.form is None
    assert model.detail is not None
    ext = model.detail.report.extension
    assert ext.state is ExtensionState.REQUESTED
    assert ext.proposed_deadline is not None
    local = ext.proposed_deadline.astimezone(JAKARTA)
    assert (local.date(), local.hour, local.minute) == (day, 23, 59)
    assert "Perpanjangan diminta sampai" in model.header["extension"]


def test_a_date_before_the_deadline_is_refused_with_the_domain_reason(
    make_phone: MakePhone,
) -> None:
    p = make_phone(report("r1", status=Status.DITERIMA))
    model = opened(p, "r1")
    asyncio.run(model.choose(Action.REQUEST_EXTENSION))
    assert model.form is not None
    model.form.values.reason = "Butuh waktu"
    model.form.values.date = now().astimezone(JAKARTA).date().isoformat()
    asyncio.run(model.submit_form())
    assert model.form.error == explain(Refusal.DATE_NOT_LATER).message_id
    assert local_db.unsent_work(p.device.db).mutations == ()


def test_return_not_our_duty_needs_a_reason(make_phone: MakePhone) -> None:
    p = make_phone(report("r1"))
    model = opened(p, "r1")
    asyncio.run(model.choose(Action.RETURN_NOT_OUR_DUTY))
    assert model.form is not None
    model.form.values.reason = "Kewenangan Dinas SDA"
    asyncio.run(model.submit_form())
    assert model.status is Status.KOORDINASI
    entry = local_db.unsent_work(p.device.db).mutations[-1]
    assert json.loads(json.dumps(dict(entry.payload))) == {"reason": "Kewenangan Dinas SDA"}


def test_add_photo_goes_to_the_capture_screen_and_maps_urls(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", status=Status.DITERIMA))
    model = opened(p, "r1")
    asyncio.run(model.choose(Action.ADD_PHOTO))
    assert p.session.navigated[-1] == "/laporan/r1/foto"
    assert model.maps_url(mobile=True) == "geo:-6.195,106.83?q=-6.195,106.83(" + (
        model.header["tracking_id"] + ")"
    )
    assert model.maps_url(mobile=False) == (
        "https://www.google.com/maps/search/?api=1&query=-6.195,106.83"
    )


def test_a_report_not_on_the_device(make_phone: MakePhone) -> None:
    p = make_phone(report("r1"))
    model = opened(p, "nope")
    assert model.missing and model.detail is None


def test_another_officers_report_refuses_with_not_assignee(make_phone: MakePhone) -> None:
    p = make_phone(report("r1", assignee_id="u-other"))
    model = opened(p, "r1")
    allowed, why = option(model, Action.ACCEPT)
    assert not allowed and why == explain(Refusal.NOT_ASSIGNEE).message_id


def test_the_first_paint_reads_inline_and_reloads_only_on_news(make_phone: MakePhone) -> None:
    p = make_phone(report("r1"))
    model = DetailModel(p.session, report_id="r1")
    model.load_now(stamp=1)
    first = model.detail
    assert first is not None and not model.loading
    asyncio.run(model.reload_if_changed(1))
    assert model.detail is first  # nothing new: no second read
    p.store(report("r1", title="Judul baru dari server", version=2))
    asyncio.run(model.reload_if_changed(2))
    assert model.header["title"] == "Judul baru dari server"


def test_the_place_names_each_area_once(make_phone: MakePhone) -> None:
    address = "Jl. Teuku Umar No. 10, RT 001/RW 002, Kel. Menteng, Kec. Menteng, Jakarta Pusat"
    p = make_phone(report("r1", address=address))
    model = opened(p, "r1")
    assert model.header["place"] == address  # the address already names every area
    asyncio.run(p.session.queue.refresh())
    assert p.session.queue.rows[0].place == address
    from officer_app.format import place_text

    # The area's full name ("Kelurahan Menteng") is said by the address's "Kel. Menteng".
    assert place_text(address, "Kelurahan Menteng", "Kecamatan Menteng") == address
    bare = make_phone(report("r2", address="Jl. Cikini Raya No. 5"))
    assert opened(bare, "r2").header["place"] == "Jl. Cikini Raya No. 5, Menteng, Jakarta Pusat"


def test_the_received_date_is_not_labelled_like_the_accepted_status() -> None:
    """ "Diterima: <date>" read as the status Diterima (accepted)."""
    for lang in ("id", "en"):
        tr = Translator(lang)
        label = tr.t("detail.received", date="1 Mei 2026")
        for status in Status:
            assert not label.startswith(tr.t(f"status.{status.value}")), (lang, label)


def test_the_extension_date_is_picked_in_a_calendar_after_the_deadline(
    make_phone: MakePhone,
) -> None:
    """No typed YYYY-MM-DD: the form offers the days after the current deadline (up to
    90 days on), shows the chosen day in words, and sends that day's end in Jakarta."""
    p = make_phone(report("r1", status=Status.DITERIMA))
    model = opened(p, "r1")
    asyncio.run(model.choose(Action.REQUEST_EXTENSION))
    form = model.form
    assert form is not None and model.detail is not None
    deadline_day = model.detail.report.deadline.astimezone(JAKARTA).date()
    assert form.first_day == deadline_day + timedelta(days=1)
    assert form.last_day == deadline_day + timedelta(days=90)
    assert form.values.date == (deadline_day + timedelta(days=7)).isoformat()  # suggested
    chosen = deadline_day + timedelta(days=12)
    form.pick_date(chosen, p.session.app.tr)
    assert form.date_text.endswith(str(chosen.year)) and "-" not in form.date_text
    form.values.reason = "Menunggu alat berat"
    asyncio.run(model.submit_form())
    assert model.form is None
    ext = model.detail.report.extension
    assert ext.proposed_deadline is not None
    assert ext.proposed_deadline.astimezone(JAKARTA).date() == chosen


def test_completing_asks_for_a_note_and_confirms(make_phone: MakePhone) -> None:
    p = make_phone(
        report(
            "r1",
            status=Status.DALAM_PROSES,
            progress_pct=50,
            photo_kinds=frozenset({PhotoKind.AFTER}),
        )
    )
    model = opened(p, "r1")
    asyncio.run(model.choose(Action.COMPLETE))  # no longer one tap: a dialog
    form = model.form
    assert form is not None and form.action is Action.COMPLETE
    assert local_db.unsent_work(p.device.db).mutations == ()
    asyncio.run(model.submit_form())
    assert form.error == "Catatan wajib diisi."  # a note is asked for
    assert local_db.unsent_work(p.device.db).mutations == ()
    form.values.note = "Lubang ditambal, jalan rata"
    asyncio.run(model.submit_form())
    entry = local_db.unsent_work(p.device.db).mutations[-1]
    assert (
        entry.action is Action.COMPLETE and entry.payload["note"] == "Lubang ditambal, jalan rata"
    )


def test_after_a_send_back_the_report_says_dikembalikan(make_phone: MakePhone) -> None:
    sent_back = report(
        "r1",
        status=Status.DALAM_PROSES,
        progress_pct=100,
        rework_count=1,
        photo_kinds=frozenset({PhotoKind.AFTER}),
        awaiting_new_after_photo=True,
        sent_back_at=now() - timedelta(hours=1),
    )
    p = make_phone(sent_back)
    with p.device.db.write() as conn:
        conn.execute(
            "INSERT INTO timeline (report_id, at, event, actor_name, actor_role, note) "
            "VALUES ('r1', ?, 'send_back', 'Vina Validator', 'validator', 'Foto buram')",
            (local_db.codec.dt_out(now() - timedelta(hours=1)),),
        )
    model = opened(p, "r1")
    back = model.returned
    assert back is not None and back.note == "Foto buram" and back.by == "Vina Validator"
    assert back.needs_photo
    assert model.header["status"] == "Dikerjakan ulang"
    assert model.header["progress"] == "Dikerjakan ulang (ke-1)"
    allowed, why = option(model, Action.COMPLETE)
    assert not allowed and "foto sesudah yang baru" in why


def test_a_photo_not_yet_sent_opens_full_size_and_can_be_deleted(
    make_phone: MakePhone, tmp_path: Path
) -> None:
    p = make_phone(report("r1", status=Status.DALAM_PROSES, progress_pct=50))
    data = b"\xff\xd8 a photo not yet sent"
    path = tmp_path / "after.jpg"
    path.write_bytes(data)
    actor = local_db.actor(p.device.db)
    assert actor is not None
    photo = local_db.NewPhoto(
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        kind=PhotoKind.AFTER,
        size_bytes=len(data),
        width=10,
        height=10,
        captured_at=now(),
    )
    local_db.add_photo(p.device.db, actor, "r1", photo, now())
    model = opened(p, "r1")
    asyncio.run(model.open_photo(photo.sha256))
    assert model.viewing is not None and model.viewing_image == data
    assert model.may_take_back(model.viewing)
    assert asyncio.run(model.discard_photo()) is True
    assert model.viewing is None and model.photos == [] and not path.exists()
    assert local_db.unsent_work(p.device.db).mutations == ()
    assert p.session.app.toast == "Foto dihapus bersama tindakannya yang belum terkirim."


def test_an_action_on_a_report_that_left_the_device_says_what_happened(
    make_phone: MakePhone,
) -> None:
    """A sync removed the report (given to someone else) while it was open: the action
    cannot be recorded, and the screen says why instead of going blank."""
    from domain.protocol import Change, ChangeOp, Entity, PullPage

    p = make_phone(report("r1"))
    model = opened(p, "r1")
    tracking = model.header["tracking_id"]
    at = now()
    removal = PullPage((Change(ChangeOp.REMOVE, Entity.REPORT, "r1"),), "f:2", False, at)
    local_db.apply_page(p.device.db, removal, at)
    asyncio.run(model.choose(Action.ACCEPT))
    assert model.missing and model.detail is None
    assert tracking in model.gone and "dialihkan" in model.gone
    assert p.session.app.toast == model.gone
    # Opening it again later says the same, not an empty page.
    again = opened(p, "r1")
    assert again.missing and again.gone.startswith("Laporan ini sudah tidak ada")
