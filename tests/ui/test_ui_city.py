"""Dasbor kota in Chromium: the data team's analyst signs in, filters to one kota,
drills down to a kelurahan and its reports, and downloads a table as CSV (the download
really arrives, and parses)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.ui.harness import WAIT_MS

from .harness import DESKTOP, Stack, Ui

# The city modules' group: the worker that seeded the year serves this one too.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("city")]


def test_analyst_filters_to_a_kota_drills_to_a_kelurahan_and_downloads_csv(
    browser: Browser, stack: Stack
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="id-ID", accept_downloads=True)
    try:
        ui = Ui(context.new_page(), stack).open()
        ui.sign_in("analis.demo")
        ui.wait("city-kpi-reports", timeout=WAIT_MS)
        ui.wait("city-choropleth")
        city_total = ui.text_of("city-kpi-reports")

        # Filter to one kota through the area filter (the city's kota are its options).
        # The demo officer's Kelurahan Menteng is in Jakarta Pusat (31.71).
        ui.click("city-filter-area")
        ui.page.get_by_role("button", name="Jakarta Pusat", exact=True).last.click()
        ui.wait("city-crumb-31.71", timeout=WAIT_MS)
        ui.wait_until(lambda: ui.text_of("city-kpi-reports") != city_total, timeout_s=60)

        # Kota -> kecamatan -> kelurahan through the area list.
        code = "31.71"
        for _ in range(2):
            first = ui.nodes(f"city-area-{code}.").first
            first.wait_for(state="attached", timeout=WAIT_MS)
            ident = first.get_attribute("flt-semantics-identifier") or ""
            first.click()
            code = ident.removeprefix("city-area-")
            ui.wait(f"city-crumb-{code}", timeout=WAIT_MS)
        ui.wait("city-reports", timeout=WAIT_MS)

        with ui.page.expect_download(timeout=WAIT_MS) as download_info:
            ui.click("city-csv-laporan")
        download = download_info.value
        assert download.suggested_filename.endswith("-laporan.csv")
        rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
        assert rows and all(r["kelurahan"] == code for r in rows), (code, rows[0])
        assert {"nomor_laporan", "kategori", "kode_kategori", "status"} <= set(rows[0])
    finally:
        context.close()
