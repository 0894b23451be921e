"""The supervisor's view-models, without a browser, on a real device database."""

from __future__ import annotations

import asyncio
import csv
import io
import socket
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

import local_db
from domain import Action, ExtensionState, Status
from officer_app.device import Device
from officer_app.errors import SaveFailed
from officer_app.export import REPORT_HEADERS, TEAM_HEADERS
from officer_app.profile import MapProfile
from officer_app.supervisor.state import SupervisorState
from tests.support.waiting import until

from .kit import NOW
from .stories import KELURAHAN, SUP, Story, fill, officer

H = timedelta(hours=1)
D = timedelta(days=1)


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def unit(device: Device) -> None:
    """A unit with three new reports, work in hand, a request for more time."""
    stories = [
        Story.new("N1", NOW - 3 * D),
        Story.new("N2", NOW - 1 * D),
        Story.new("N3", NOW - 8 * D, kelurahan=KELURAHAN[1]),  # overdue, not dispatched
        Story.new("W1", NOW - 2 * D).dispatch("off-1", H),
        Story.new("W2", NOW - 6 * D - 20 * H).dispatch("off-2", H),
    ]
    ext = Story.new("X", NOW - 5 * D).dispatch("off-2", H).work(H)
    ext.do(
        officer("off-2"),
        Action.REQUEST_EXTENSION,
        H,
        {"reason": "Menunggu pompa air", "proposed_deadline": (NOW + 14 * D).isoformat()},
    )
    done = Story.new("D", NOW - 4 * D).dispatch("off-1", H).work(H).complete(H).approve(H, 5)
    fill(device.db, [s.snapshot() for s in [*stories, ext, done]], NOW)


def test_dashboard_model_loads_and_changes_period(device: Device, state: SupervisorState) -> None:
    unit(device)
    model = state.dashboard
    run(model.refresh())
    assert model.figures is not None and model.loaded_at == NOW
    assert model.figures.by_status[Status.BARU] == 3 and model.figures.overdue == 1
    assert model.figures.period.days == 30
    run(model.set_days(7))
    assert model.figures.period.days == 7 and len(model.figures.by_day) == 7
    with pytest.raises(ValueError):
        run(model.set_days(5))


def test_dispatch_many_reports_to_one_officer_offline(
    device: Device, state: SupervisorState
) -> None:
    unit(device)
    model = state.dispatch
    run(model.refresh())
    assert [i.report.id for i in model.new] == ["N3", "N1", "N2"]  # most urgent first
    assert [(o.officer_id, o.active) for o in model.officers] == [
        ("off-3", 0),
        ("off-1", 1),
        ("off-2", 2),
    ]
    model.toggle("N1")
    model.toggle("N3")
    model.choose_officer("off-3")
    outcome = run(model.dispatch_selected())
    assert outcome == model.outcome and model.outcome.done == 2 and not model.outcome.refused
    assert [i.report.id for i in model.new] == ["N2"] and model.selected == []
    assert {o.officer_id: o.active for o in model.officers}["off-3"] == 2
    # Queued for the server, shown at once: two unsent dispatches.
    assert local_db.pending_counts(device.db).mutations == 2
    detail = device.report("N3")
    assert detail is not None and detail.view.pending and detail.report.assignee_id == "off-3"


def test_dispatch_says_why_a_report_did_not_go(device: Device, state: SupervisorState) -> None:
    unit(device)
    model = state.dispatch
    run(model.refresh())
    assert run(model.dispatch_selected()).refused[0][1] == "Pilih petugas untuk laporan ini."  # type: ignore[attr-defined]
    model.choose_officer("off-1")
    assert run(model.dispatch_selected()).refused[0][1] == "Pilih laporan yang akan didisposisikan."  # type: ignore[attr-defined]
    model.select_all()
    # Meanwhile (another window of this supervisor) N2 was dispatched.
    local_db.record_action(device.db, SUP, "N2", Action.DISPATCH, {"assignee_id": "off-2"}, NOW)
    outcome = run(model.dispatch_selected())
    assert outcome.done == 2  # type: ignore[attr-defined]
    assert outcome.refused == (  # type: ignore[attr-defined]
        ("CRM-2026-N2", "Tindakan ini tidak bisa dilakukan saat status laporan 'Didisposisikan'."),
    )


def test_reassign_and_return_as_not_our_duty(device: Device, state: SupervisorState) -> None:
    unit(device)
    model = state.dispatch
    run(model.refresh())
    assert [i.report.id for i in model.working][:2] == ["W2", "X"]
    run(model.reassign("W2", "off-3"))
    assert model.outcome is not None and model.outcome.done == 1
    assert {o.officer_id: o.active for o in model.officers} == {"off-1": 1, "off-2": 1, "off-3": 1}
    refused = run(model.return_not_our_duty("N1", "  "))
    assert refused.refused[0][1] == "Alasan wajib diisi."  # type: ignore[attr-defined]
    run(model.return_not_our_duty("N1", "Kewenangan Dinas Bina Marga"))
    assert "N1" not in [i.report.id for i in model.new]
    detail = device.report("N1")
    assert detail is not None and detail.report.status is Status.KOORDINASI


def test_extension_approve_moves_the_deadline_and_refusal_needs_a_note(
    device: Device, state: SupervisorState
) -> None:
    unit(device)
    model = state.extensions
    run(model.refresh())
    [req] = model.rows
    assert req.report.extension.reason == "Menunggu pompa air"
    assert run(model.refuse("X", "")) is False
    # The refusal's reason belongs to that request's card, not to the page.
    assert model.errors == {"X": "Catatan wajib diisi."}
    assert run(model.approve("X")) is True and model.rows == [] and model.errors == {}
    detail = device.report("X")
    assert detail is not None
    assert detail.report.extension.state is ExtensionState.APPROVED
    assert detail.report.deadline == NOW + 14 * D


def test_sla_watch_model(device: Device, state: SupervisorState) -> None:
    unit(device)
    run(state.sla.refresh())
    assert [w.item.report.id for w in state.sla.breaches] == ["N3"]
    assert [w.item.report.id for w in state.sla.at_risk] == ["W2", "X"]


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for spreadsheet apps
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_team_table_and_csv_export(device: Device, state: SupervisorState, tmp_path: Path) -> None:
    unit(device)
    evil = Story.new("E", NOW - H)
    evil.report = evil.report.evolve(title='=HYPERLINK("http://x")')
    fill(device.db, [evil.snapshot()], NOW)
    model = state.team
    run(model.refresh())
    rows = {r.name: r for r in model.rows}
    assert (rows["Budi Santoso"].done, rows["Budi Santoso"].in_progress) == (1, 1)
    assert rows["Budi Santoso"].rating == 5
    model.set_folder(str(tmp_path / "ekspor bulanan"))
    paths = run(model.export())
    assert model.export_error is None and model.exported == [str(p) for p in paths]  # type: ignore[union-attr]
    reports, team = (read_csv(p) for p in paths)  # type: ignore[union-attr]
    assert tuple(reports[0]) == REPORT_HEADERS and tuple(team[0]) == TEAM_HEADERS
    assert len(reports) == 1 + 8
    by_id = {r[0]: r for r in reports[1:]}
    assert by_id["CRM-2026-N3"][14] == "Ya" and by_id["CRM-2026-N1"][14] == "Tidak"
    assert by_id["CRM-2026-D"][4] == "Selesai" and by_id["CRM-2026-D"][18] == "5"
    assert by_id["CRM-2026-E"][1] == '\'=HYPERLINK("http://x")'  # never a formula
    assert by_id["CRM-2026-W1"][10] == "2026-11-18 10:00"  # WIB
    team_rows = {r[0]: r for r in team[1:]}
    assert team_rows["Budi Santoso"][1:4] == ["1", "1", "0"]


def test_the_export_goes_through_the_saver_with_names_and_codes(
    device: Device, state: SupervisorState
) -> None:
    """What the Tim screen does: each file is handed to the page's saver (a browser
    download, the save dialog); category and channel read as names, codes at the end."""
    unit(device)
    got: dict[str, bytes] = {}

    async def save(name: str, data: bytes, title: str) -> str | None:
        got[name] = data
        return None if name.startswith("tim_") else name  # the second dialog cancelled

    done = run(state.team.export_to(save))
    assert [n.split("_")[0] for n in got] == ["laporan", "tim"]
    assert done == [n for n in got if n.startswith("laporan_")] == state.team.exported
    reports = list(csv.reader(io.StringIO(got[done[0]].decode("utf-8-sig"))))
    head = reports[0]
    row = dict(zip(head, reports[1], strict=True))
    assert head[-3:] == ["Kode Kategori", "Kode Kanal", "Kode Status"]
    assert row["Kategori"] != row["Kode Kategori"] and row["Kanal"] != row["Kode Kanal"]
    assert row["Kanal"] == "JAKI" and row["Kode Kanal"] == "jaki"
    assert row["Status"][0].isupper() and row["Kode Status"].islower()


def test_a_failed_save_says_so_on_the_screen(device: Device, state: SupervisorState) -> None:
    unit(device)

    async def save(name: str, data: bytes, title: str) -> str | None:
        raise SaveFailed("no file dialog here")

    assert run(state.team.export_to(save)) == []
    assert state.team.export_error is not None and "no file dialog here" in state.team.export_error


def test_export_to_an_unwritable_folder_says_so(
    device: Device, state: SupervisorState, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    state.team.set_folder(str(blocker / "sub"))
    assert run(state.team.export()) == []
    assert state.team.export_error is not None
    assert state.team.export_error.startswith("Tidak dapat menulis ke folder")


def _tiles(device: Device, url: str) -> None:
    device.profile = replace(device.profile, map=MapProfile(tiles=url))


def test_map_model_points_outlines_and_tiles(device: Device, state: SupervisorState) -> None:
    unit(device)
    model = state.map
    with socket.socket() as listening:  # a tile server that answers
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        _tiles(device, f"http://127.0.0.1:{listening.getsockname()[1]}/{{z}}/{{x}}/{{y}}.png")
        run(model.refresh())
    assert model.points[0].report_id == "N3"
    assert [m.report_id for m in model.markers] == [p.report_id for p in model.points]
    assert {k.name for k in model.kelurahan} == {"Menteng", "Cikini"}
    assert {"Menteng", "Cikini"} <= {a.name for a in model.areas}
    assert model.tiles_shown and not model.show_list
    model.tile_error()  # the map could not load a tile: the map stays, without tiles
    assert not model.tiles_shown and not model.show_list
    lat, lon = model.centre
    assert -6.3 < lat < -6.1 and 106.7 < lon < 106.9


def test_map_model_without_tiles_is_still_a_map_and_the_toggle_names_the_other_view(
    device: Device, state: SupervisorState
) -> None:
    unit(device)
    model = state.map
    _tiles(device, "http://127.0.0.1:9/{z}/{x}/{y}.png")  # nobody listens
    run(model.refresh())
    assert not model.tiles_shown and model.markers and model.areas
    assert not model.show_list  # the map, not a list, when offline
    tr = state.session.app.tr
    assert tr.t(model.toggle_key) == "Tampilkan daftar"  # the list is not shown yet
    model.toggle_list()
    assert model.show_list and tr.t(model.toggle_key) == "Tampilkan peta"
    model.open(model.markers[0].report_id)
    assert state.session.navigated[-1] == f"/peta/laporan/{model.markers[0].report_id}"


def test_a_finished_sync_reloads_the_screens_shown(device: Device, state: SupervisorState) -> None:
    unit(device)

    async def scenario() -> None:
        await state.dispatch.refresh()
        assert state.dashboard.loaded_at is None
        fill(device.db, [Story.new("N9", NOW - 2 * H).snapshot()], NOW)
        state.session.sync.last_success = NOW  # what a finished sync does
        await until(
            lambda: "N9" in [i.report.id for i in state.dispatch.new],
            "the dispatch list refreshed after the sync",
        )
        assert state.dashboard.loaded_at is None  # never shown: not loaded

    run(scenario())
