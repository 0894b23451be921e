"""The officer's day in a real browser at phone size: the tab title, every stage chip in
sight, and Peta with no tiles (no internet here): the open reports are numbered markers
over the kelurahan outlines, and a marker opens its report."""

from __future__ import annotations

import pytest

from tests.ui.harness import WAIT_MS

from .harness import PHONE, Stack, Ui

pytestmark = pytest.mark.browser


def test_the_offline_map_has_clickable_numbered_markers(ui: Ui, stack: Stack) -> None:
    ui.sign_in("petugas.demo")
    ui.nodes("queue-row-").first.wait_for(timeout=WAIT_MS)
    assert ui.page.title() == "Tindak"  # the browser tab, not "Flet"
    # Every stage chip (with its count) is in sight on a phone: none cut off the edge.
    width = PHONE["width"]
    for stage in ("to_act", "in_progress", "rework", "waiting_validation", "done"):
        box = ui.wait(f"stage-{stage}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, stage
    ui.tab("Peta", shows="map-canvas")
    ui.nodes("map-marker-").first.wait_for(state="attached", timeout=WAIT_MS)
    # No tiles: said so, and still a map (the list is only there when asked for).
    assert "offline" in ui.text_of("map-offline")
    assert ui.node("map-list").count() == 0
    assert ui.page.get_by_role("button", name="Tampilkan daftar").count() >= 1
    # The list (asked for) names the first stop of the visiting order...
    ui.click("map-toggle")
    ui.wait("map-list")
    ident = ui.nodes("map-row-").first.get_attribute("flt-semantics-identifier") or ""
    tracking_id = ident.removeprefix("map-row-")
    assert ui.text_of(ident).startswith("1 ")
    # ...and on the map its marker, tapped, opens that report.
    ui.click("map-toggle")
    ui.wait("map-canvas")
    ui.click(f"map-marker-{tracking_id}")
    ui.wait("detail-status", timeout=WAIT_MS)
    assert tracking_id in ui.texts()
