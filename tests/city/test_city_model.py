"""The Dasbor kota's view-model on a real device against the real server's seeded 2024:
period, filters, drill-down to a kelurahan's reports, exports, and what it says when
the server is out of reach or the role may not read the city."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from domain.city import Period, PeriodKind
from officer_app.city.model import CityModel
from officer_app.device import Device
from officer_app.i18n import Translator
from officer_app.profile import Profile
from sync import MemoryTokenStore
from tests.city.conftest import YearServer
from tests.server.kit import PASSWORD
from tests.support.faultproxy import Fault, FaultProxy

# The first test seeds a whole year (185,852 reports, per database) in its setup: on a
# busy 2-core machine that alone can pass the suite's 300 s default.
# One worker seeds the year (a session fixture) and runs every city test with it.
pytestmark = [pytest.mark.timeout(1500), pytest.mark.xdist_group("city")]

TR = Translator("id")


def device(tmp_path: Path, year: YearServer, username: str) -> Device:
    d = Device(
        Profile().with_server(year.running.base_url), tmp_path / username, MemoryTokenStore()
    )
    d.login(username, PASSWORD)
    return d


def model_for(dev: Device) -> CityModel:
    m = CityModel(dev, TR.t)
    m.period = Period(date(2024, 1, 1), date(2024, 12, 31))
    return m


def test_drill_from_the_city_to_a_kelurahan_and_its_reports(
    tmp_path: Path, sqlite_year: YearServer
) -> None:
    dev = device(tmp_path, sqlite_year, "analis")
    try:
        m = model_for(dev)
        asyncio.run(m.refresh())
        assert m.figures is not None and m.figures.totals.reports == 185_852
        assert m.reports is None  # the list comes at a kelurahan
        kota = next(a for a in m.figures.areas if a.code == "31.71")
        asyncio.run(m.drill("31.71"))
        assert m.figures.totals.reports == kota.reports
        kecamatan = m.figures.areas[0]
        asyncio.run(m.drill(kecamatan.code))
        kelurahan = m.figures.areas[0]
        asyncio.run(m.drill(kelurahan.code))
        assert m.at_kelurahan and m.reports is not None
        assert m.reports.total == kelurahan.reports
        first = len(m.reports.reports)
        asyncio.run(m.more_reports())
        assert len(m.reports.reports) == min(kelurahan.reports, 2 * first)
        assert m.area_names[kecamatan.code] == kecamatan.name
        asyncio.run(m.up())
        assert m.area == kecamatan.code and m.reports is None
        asyncio.run(m.drill(None))
        assert m.area is None and m.figures.totals.reports == 185_852
    finally:
        dev.close()


def test_period_and_filters_change_the_question(tmp_path: Path, sqlite_year: YearServer) -> None:
    dev = device(tmp_path, sqlite_year, "analis")
    try:
        m = model_for(dev)
        asyncio.run(m.set_kind(PeriodKind.MONTH))
        assert m.period == Period(date(2024, 1, 1), date(2024, 1, 31))
        asyncio.run(m.shift(1))
        assert m.period == Period(date(2024, 2, 1), date(2024, 2, 29))
        may = Period(date(2024, 5, 14), date(2024, 5, 14))
        asyncio.run(m.set_custom(may.end, may.start))
        assert m.kind is PeriodKind.CUSTOM and m.figures is not None
        assert (m.figures.totals.reports, m.figures.totals.reporters) == (800, 434)
        asyncio.run(m.set_filter("channel", "twitter"))
        assert m.figures.channels and {c.code for c in m.figures.channels} == {"twitter"}
        asyncio.run(m.set_filter("channel", None))
        assert m.figures.totals.reports == 800
        with pytest.raises(ValueError):
            asyncio.run(m.set_filter("reporter", "x"))
    finally:
        dev.close()


def test_an_export_is_the_servers_file(tmp_path: Path, sqlite_year: YearServer) -> None:
    dev = device(tmp_path, sqlite_year, "analis")
    try:
        m = model_for(dev)
        asyncio.run(m.drill("31.71"))
        result = asyncio.run(m.export("csv", "kategori"))
        assert result is not None
        data, name = result
        assert name.endswith("-kategori.csv")
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert sum(int(r["laporan"]) for r in rows) == m.figures.totals.reports  # type: ignore[union-attr]
    finally:
        dev.close()


def test_offline_and_forbidden_are_said_in_indonesian(
    tmp_path: Path, sqlite_year: YearServer
) -> None:
    officer = device(tmp_path, sqlite_year, "petugas")
    try:
        m = model_for(officer)
        asyncio.run(m.refresh())
        assert m.figures is None and m.error == TR.t("city.error.forbidden")
    finally:
        officer.close()
    upstream = urlsplit(sqlite_year.running.base_url)
    proxy = FaultProxy(upstream.hostname or "127.0.0.1", upstream.port or 80).start()
    dev = Device(Profile().with_server(proxy.url), tmp_path / "through-proxy", MemoryTokenStore())
    try:
        dev.login("analis", PASSWORD)
        m = model_for(dev)
        asyncio.run(m.refresh())
        assert m.figures is not None
        proxy.set(Fault.refuse())  # the link is gone
        asyncio.run(m.shift(-1))
        assert m.error == TR.t("city.error.offline")
        # The last answer stays on screen, and it is known to be for another question
        # (the screen says so: city-stale).
        assert m.figures.query.period.start.year == 2024 and m.figures.query != m.query
        assert m.export is not None and asyncio.run(m.export("xlsx")) is None
    finally:
        dev.close()
        proxy.stop()
