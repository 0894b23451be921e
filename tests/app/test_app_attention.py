"""AttentionModel with the real server: a refused action, its reason, resend, edit, discard.

The officer's device (real database, real sync engine) accepts a report the supervisor
has just given to someone else; the server refuses it on push and the device lists it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

import local_db
from domain import Action, Refusal, Status, explain
from officer_app.device import Device
from officer_app.profile import Profile
from officer_app.state.session import Session
from server.demo import seed_demo
from server.embedded import EmbeddedServer
from sync import MemoryTokenStore
from tests.server.kit import ApiClient
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
    assert row.can_resend and not row.can_edit  # accepting has nothing to edit
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
    asyncio.run(model.retry(item_id))
    session.device.engine.sync_once()
    asyncio.run(model.refresh())
    assert len(model.rows) == 1  # still refused: the report is someone else's now

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
    reassign_away(server, target)
    # Offline knowledge: the device still thinks the report is the officer's.
    session.device.record(target, Action.RETURN_NOT_OUR_DUTY, {"reason": "Bukan tupoksi"})
    session.device.engine.sync_once()
    model = session.attention
    asyncio.run(model.refresh())
    row = next(r for r in model.rows if r.report_id == target)
    assert row.can_edit
    model.edit(row.id)
    assert model.form is not None and model.form.values.reason == "Bukan tupoksi"
    model.form.values.reason = "Kewenangan Dinas SDA"
    asyncio.run(model.submit_edit())
    # The report left the officer's hands: the device itself refuses, in words, and
    # nothing is lost (the form and the item stay).
    assert model.form is not None and model.form.error
    assert any(r.report_id == target for r in model.rows)
