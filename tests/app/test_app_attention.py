"""AttentionModel with the real server: a refused action, its reason, resend, edit, discard.

The officer's device (real database, real sync engine) accepts a report the supervisor
has just given to someone else; the server refuses it on push and the device lists it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

import local_db
from domain import JAKARTA, Action, PhotoKind, Refusal, Status, explain
from officer_app.device import Device
from officer_app.profile import Profile
from officer_app.state.detail import DetailModel
from officer_app.state.session import Session
from server.demo import seed_demo
from server.embedded import EmbeddedServer
from sync import MemoryTokenStore
from tests.server.kit import ApiClient
from tests.support.photos import new_photo
from tests.ui.harness import PASSWORD, server_settings


@pytest.fixture
def officer(tmp_path: Path) -> Iterator[tuple[Session, EmbeddedServer]]:
    settings = server_settings(tmp_path)
    with EmbeddedServer(settings) as server:
        assert server.engine is not None
        seed_demo(server.engine, reports=120, settings=settings)
        device = Device(
            Profile().with_server(server.base_url), tmp_path / "dev", MemoryTokenStore()
        )
        try:
            device.login("petugas.demo", PASSWORD)
            device.engine.sync_once().raise_for_error()
            yield Session(device), server
        finally:
            device.close()


def reassign_away(server: EmbeddedServer, report_id: str) -> None:
    client = ApiClient(server.base_url)
    try:
        assert client.login("supervisor.demo", PASSWORD).status_code == 200
        changes, _ = client.pull_all()
        report = next(c["data"] for c in changes if c["id"] == report_id)
        other = next(
            c["data"]
            for c in changes
            if c["entity"] == "user"
            and c["data"]
            and c["data"]["role"] == "officer"
            and c["data"]["id"] != report["assignee_id"]
        )
        assert client.act("reassign", report_id, assignee_id=other["id"])["outcome"] == "applied"
    finally:
        client.close()


def dispatched(session: Session) -> str:
    """A report the officer has not accepted yet."""
    asyncio.run(session.queue.refresh())
    return next(r.report_id for r in session.queue.rows if r.status is Status.DIDISPOSISIKAN)


def refused_accept(session: Session, server: EmbeddedServer) -> str:
    target = dispatched(session)
    reassign_away(server, target)
    session.device.record(target, Action.ACCEPT, {})
    session.device.engine.sync_once()
    asyncio.run(session.attention.refresh())
    return target


def test_the_refusal_is_listed_with_the_servers_reason(
    officer: tuple[Session, EmbeddedServer],
) -> None:
    session, server = officer
    target = refused_accept(session, server)
    [row] = session.attention.rows
    assert row.report_id == target and row.action == "Terima tugas"
    item = local_db.attention_items(session.device.db)[0]
    assert row.reason == explain(Refusal(item.code)).message_id
    # The report is someone else's now: sending it again cannot help, only discarding.
    assert not row.can_resend and not row.can_edit
    assert row.hint.startswith("Laporan ini tidak lagi menjadi wewenang Anda")
    # English reads the English sentence.
    session.settings.set_language("en")
    assert session.attention.rows[0].reason == explain(Refusal(item.code)).message_en


def test_resend_asks_the_server_again_and_discard_needs_confirming(
    officer: tuple[Session, EmbeddedServer],
) -> None:
    session, server = officer
    refused_accept(session, server)
    model = session.attention
    item_id = model.rows[0].id
    asyncio.run(model.retry(item_id))  # the model lets it try (the screen offers no button)
    # The report left the device: the officer reads that it is someone else's now, not
    # a storage failure, and the item stays until discarded.
    assert "milik petugas atau unit lain" in session.app.toast
    assert "Gagal menyimpan" not in session.app.toast
    session.device.engine.sync_once()
    asyncio.run(model.refresh())
    assert len(model.rows) == 1  # still refused: the report is someone else's now
    assert not model.rows[0].can_resend

    model.ask_discard(model.rows[0].id)
    assert model.confirm_discard_id == model.rows[0].id and len(model.rows) == 1
    model.cancel_discard()
    assert len(model.rows) == 1
    model.ask_discard(model.rows[0].id)
    asyncio.run(model.confirm_discard())
    assert model.rows == []
    assert local_db.unsent_work(session.device.db).attention == ()


def test_edit_prefills_the_original_values(officer: tuple[Session, EmbeddedServer]) -> None:
    session, server = officer
    target = dispatched(session)
    session.device.record(target, Action.ACCEPT, {})
    session.device.engine.sync_once().raise_for_error()
    detail = session.device.report(target)
    assert detail is not None
    later = (detail.report.deadline + timedelta(days=10)).isoformat()
    # The same officer's other phone asks for more time first...
    other_phone = ApiClient(server.base_url)
    try:
        assert other_phone.login("petugas.demo", PASSWORD).status_code == 200
        result = other_phone.act(
            "request_extension", target, reason="Alat berat", proposed_deadline=later
        )
        assert result["outcome"] == "applied", result
    finally:
        other_phone.close()
    # ...so this phone's request (made before it heard of it) is refused.
    session.device.record(
        target, Action.REQUEST_EXTENSION, {"reason": "Menunggu pompa", "proposed_deadline": later}
    )
    session.device.engine.sync_once()
    model = session.attention
    asyncio.run(model.refresh())
    row = next(r for r in model.rows if r.report_id == target)
    assert row.reason == explain(Refusal.EXTENSION_PENDING).message_id
    assert row.can_edit and row.can_resend
    model.edit(row.id)
    assert model.form is not None and model.form.values.reason == "Menunggu pompa"
    assert (
        model.form.values.date
        == (detail.report.deadline + timedelta(days=10)).astimezone(JAKARTA).date().isoformat()
    )
    model.form.values.reason = "Menunggu pompa dari Dinas SDA"
    asyncio.run(model.submit_edit())
    # Still pending on the server's side: the device itself says why, and keeps the item.
    assert model.form is not None
    assert model.form.error == explain(Refusal.EXTENSION_PENDING).message_id
    assert any(r.report_id == target for r in model.rows)


def test_a_refused_photo_reads_ditolak_until_discarded(
    officer: tuple[Session, EmbeddedServer], tmp_path: Path
) -> None:
    session, server = officer
    device = session.device
    target = dispatched(session)
    device.record(target, Action.ACCEPT, {})
    device.record(target, Action.START, {})
    device.engine.sync_once().raise_for_error()
    # The same officer's desktop finishes the job (after photo, complete) meanwhile...
    desktop = Device(
        Profile().with_server(server.base_url), tmp_path / "desktop", MemoryTokenStore()
    )
    try:
        desktop.login("petugas.demo", PASSWORD)
        desktop.engine.sync_once().raise_for_error()
        rnd = random.Random(18)
        after = new_photo(desktop.photo_dir, rnd, PhotoKind.AFTER, desktop.now(), (160, 120))
        local_db.add_photo(desktop.db, desktop.actor(), target, after, desktop.now())
        desktop.record(target, Action.COMPLETE, {"note": "Selesai"})
        desktop.engine.sync_once().raise_for_error()
    finally:
        desktop.close()
    # ...while this phone, not yet told, adds a photo: the server refuses its action.
    during = new_photo(device.photo_dir, rnd, PhotoKind.DURING, device.now(), (160, 120))
    local_db.add_photo(device.db, device.actor(), target, during, device.now())
    assert device.engine.sync_once().rejected == 1
    model = DetailModel(session, report_id=target)
    asyncio.run(model.load())
    tile = next(t for t in model.photos if t.sha256 == during.sha256)
    assert tile.refused and not tile.uploaded  # "Ditolak", never "Menunggu unggah"
    assert session.app.t("photo.refused").startswith("Ditolak")
    # Discarding it removes the photo from the report's strip and from the disk.
    asyncio.run(session.attention.refresh())
    session.attention.ask_discard(session.attention.rows[0].id)
    asyncio.run(session.attention.confirm_discard())
    asyncio.run(model.load())
    assert during.sha256 not in {t.sha256 for t in model.photos}
    assert not Path(during.path).exists()
