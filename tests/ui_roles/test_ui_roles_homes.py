"""Each role's own home, in real browsers: the supervisor's dashboard, map (no tiles:
outlines and clickable markers) and CSV export (browser downloads); the validator's queue and keyboard review; the officer's app
without the other roles' screens or actions."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from playwright.sync_api import Browser, Download

from local_db import figures
from tests.ui.harness import DESKTOP, PHONE, WAIT_MS, Ui

from .harness import Trio


def test_each_role_sees_its_own_home(browser: Browser, trio: Trio, tmp_path: Path) -> None:
    contexts = [browser.new_context(viewport=v, locale="id-ID") for v in (DESKTOP, DESKTOP, PHONE)]
    sup, val, off = (
        Ui(ctx.new_page(), trio.stack(role))  # type: ignore[arg-type]
        for ctx, role in zip(contexts, ("supervisor", "validator", "officer"), strict=True)
    )
    try:
        # The supervisor: the dashboard first, every key figure on it.
        sup.open("/")
        for kpi in ("open", "overdue", "due24", "today", "coordination", "completion", "within"):
            sup.wait(f"kpi-{kpi}", timeout=WAIT_MS)
        for chart in ("status", "day", "category", "kelurahan"):
            sup.wait(f"chart-{chart}")

        # A report opens from the SLA watch with the supervisor's actions, not the officer's.
        sup.go("nav-sla", shows="breach-")
        sup.nodes("breach-").first.click()
        sup.wait("action-reassign", timeout=WAIT_MS)
        assert sup.nodes("action-accept").count() == 0
        sup.back()
        sup.wait("sla-breaches")

        # The map cannot load its tiles here (no internet): still a map (kelurahan
        # outlines drawn by the app) with clickable markers; the list only when asked.
        sup.go("nav-map", shows="map-offline")
        assert "offline" in sup.text_of("map-offline")
        sup.wait("map-canvas")
        sup.nodes("map-marker-").first.wait_for(state="attached", timeout=WAIT_MS)
        assert sup.node("map-fallback").count() == 0
        assert sup.page.get_by_role("button", name="Tampilkan daftar").count() >= 1
        sup.click("map-toggle")
        assert "terlambat" in sup.text_of("map-fallback")
        assert sup.page.get_by_role("button", name="Tampilkan peta").count() >= 1
        sup.click("map-toggle")
        # A marker opens its report, and the report keeps the supervisor's rail.
        sup.nodes("map-marker-").first.click()
        sup.wait("action-reassign", timeout=WAIT_MS)
        sup.wait("nav-dashboard")
        sup.back()
        sup.wait("map-canvas")

        # The monthly CSV export arrives in the browser as downloads (web build), with
        # names, not codes, and the codes in their own columns.
        sup.go("nav-team", shows="team-table")
        downloads: list[Download] = []
        sup.page.on("download", lambda d: downloads.append(d))
        sup.click("export-submit")
        deadline = time.monotonic() + 30
        while len(downloads) < 2 and time.monotonic() < deadline:
            sup.page.wait_for_timeout(200)  # lets Playwright deliver the download events
        assert len(downloads) == 2, sup.texts()
        names = [d.suggested_filename for d in downloads]
        assert [n.split("_")[0] for n in names] == ["laporan", "tim"], names
        raw = Path(downloads[0].path()).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0][:4] == ["Nomor Laporan", "Judul", "Kategori", "Kanal"]
        assert rows[0][-3:] == ["Kode Kategori", "Kode Kanal", "Kode Status"]
        first = dict(zip(rows[0], rows[1], strict=True))
        assert first["Kanal"] != first["Kode Kanal"] and first["Kategori"] != first["Kode Kategori"]
        device = trio.device("supervisor")
        assert len(rows) - 1 == len(figures.export_rows(device.db, now=device.now())) > 0
        team = Path(downloads[1].path()).read_bytes().decode("utf-8-sig")
        assert team.startswith("Petugas,")
        sup.wait("export-done", timeout=WAIT_MS)

        # The validator: the queue, then the review with J / K.
        val.open("/")
        val.wait_until(lambda: val.nodes("waiting-").count() >= 2, timeout_s=30)
        val.nodes("waiting-").first.click()
        val.wait("review-approve", timeout=WAIT_MS)
        val.wait_text("1 dari ")
        val.page.keyboard.press("j")
        val.wait_text("2 dari ")
        val.page.keyboard.press("k")
        val.wait_text("1 dari ")

        # The officer's app has none of it: its home is the queue, and the supervisor's
        # routes do not exist there.
        off.open("/")
        off.wait("queue-search", timeout=WAIT_MS)
        for other in ("nav-dispatch", "kpi-overdue", "review-approve"):
            assert off.nodes(other).count() == 0
        off.open("/disposisi")
        assert off.nodes("dispatch-submit").count() == 0
        assert off.nodes("kpi-overdue").count() == 0
        assert off.nodes("review-approve").count() == 0
    finally:
        for ctx in contexts:
            ctx.close()
