"""Each role's own home, in real browsers: the supervisor's dashboard, map (offline
fallback) and CSV export; the validator's queue and keyboard review; the officer's app
without the other roles' screens or actions."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import Browser

from local_db import figures
from tests.ui.harness import DESKTOP, PHONE, Ui

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
            sup.wait(f"kpi-{kpi}", timeout=30_000)
        for chart in ("status", "day", "category", "kelurahan"):
            sup.wait(f"chart-{chart}")

        # A report opens from the SLA watch with the supervisor's actions, not the officer's.
        sup.click("nav-sla")
        sup.nodes("breach-").first.click()
        sup.wait("action-reassign", timeout=20_000)
        assert sup.nodes("action-accept").count() == 0
        sup.back()
        sup.wait("sla-breaches")

        # The map cannot load its tiles here (no internet): a clear list, never a blank.
        sup.click("nav-map")
        sup.wait("map-offline", timeout=20_000)
        assert "offline" in sup.text_of("map-offline")
        assert "terlambat" in sup.text_of("map-fallback")
        sup.click("map-toggle")  # the markers anyway, on a plain background
        sup.wait("map-canvas")

        # The monthly CSV export, to a folder typed in (web build).
        sup.click("nav-team")
        folder = tmp_path / "evaluasi november"
        sup.type("export-folder", str(folder))
        sup.click("export-submit")
        sup.wait("export-done", timeout=20_000)
        files = sorted(folder.glob("*.csv"))
        assert [f.name.split("_")[0] for f in files] == ["laporan", "tim"]
        raw = files[0].read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0][:3] == ["Nomor Laporan", "Judul", "Kategori"]
        device = trio.device("supervisor")
        assert len(rows) - 1 == len(figures.export_rows(device.db, now=device.now())) > 0

        # The validator: the queue, then the review with J / K.
        val.open("/")
        val.wait_until(lambda: val.nodes("waiting-").count() >= 2, timeout_s=30)
        val.nodes("waiting-").first.click()
        val.wait("review-approve", timeout=20_000)
        val.wait_text("1 dari ")
        val.page.keyboard.press("j")
        val.wait_text("2 dari ")
        val.page.keyboard.press("k")
        val.wait_text("1 dari ")

        # The officer's app has none of it: its home is the queue, and the supervisor's
        # routes do not exist there.
        off.open("/")
        off.wait("queue-search", timeout=30_000)
        for other in ("nav-dispatch", "kpi-overdue", "review-approve"):
            assert off.nodes(other).count() == 0
        off.open("/disposisi")
        assert off.nodes("dispatch-submit").count() == 0
        assert off.nodes("kpi-overdue").count() == 0
        assert off.nodes("review-approve").count() == 0
    finally:
        for ctx in contexts:
            ctx.close()
