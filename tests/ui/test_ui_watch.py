"""The failure report of a browser test (watch.py): a page that answers gives its picture
and messages; a page stuck in script says so and where, instead of a bare timeout."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from . import harness, watch
from .harness import Ui
from .watch import PageWatch

pytestmark = pytest.mark.browser

STUCK = """<html><body>stuck<script>
function spinForever() { let n = 0; for (;;) { n++; } }
function startSpinning() { spinForever(); }
console.log('about to spin');
setTimeout(startSpinning, 300);
</script></body></html>"""


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def bare_ui(page: Page, tmp_path: Path) -> Ui:
    """The harness's page object on a page of the test's own (no app behind it)."""
    stack = SimpleNamespace(tmp=tmp_path, web=SimpleNamespace(url="http://127.0.0.1:9"), blocked=[])
    return Ui(page, stack)  # type: ignore[arg-type]


def test_a_page_that_answers_gives_its_picture_and_messages(page: Page, tmp_path: Path) -> None:
    watched = PageWatch(page)
    page.set_content("<html><body><script>console.warn('hati-hati')</script>ok</body></html>")
    shot = tmp_path / "failure.png"
    report = watched.report(shot)
    assert f"screenshot of the failure: {shot}" in report
    assert shot.stat().st_size > 0
    assert "console.warning: hati-hati" in report


def test_a_page_stuck_in_script_says_where(
    page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watch, "SHOT_MS", 3_000)
    watched = PageWatch(page)
    page.set_content(STUCK)
    page.wait_for_timeout(1_000)  # the spin has started
    report = watched.report(tmp_path / "failure.png")
    assert "did not answer a screenshot in 3 s" in report
    busy = float(report.split("script ran ")[1].split(" s")[0])
    assert busy > 1.0, report  # of the 2 s watched: the script never yields
    assert "spinForever" in report and "startSpinning" in report, report
    assert re.search(r"\n  \d+ [A-Z] [\d.]+ renderer\n", report), report  # the kernel's view
    assert "console.log: about to spin" in report


def test_a_failed_harness_step_carries_the_report(page: Page, tmp_path: Path) -> None:
    ui = bare_ui(page, tmp_path)
    page.set_content("<html><body>kosong</body></html>")
    with pytest.raises(PlaywrightTimeoutError) as failed:
        ui.wait("queue-row-CRM-1", timeout=500)
    notes = "\n".join(getattr(failed.value, "__notes__", []))
    assert "screenshot of the failure" in notes and "the screen's texts:" in notes
    # One report, however many harness steps the failure crossed.
    with pytest.raises(PlaywrightTimeoutError) as failed:
        ui.click("queue-row-CRM-1", timeout=500)
    assert len(failed.value.__notes__) == 1


def test_polling_a_stuck_page_fails_at_once_and_says_where(
    page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(harness, "ANSWER_MS", 2_000)
    monkeypatch.setattr(watch, "SHOT_MS", 3_000)
    ui = bare_ui(page, tmp_path)
    page.set_content(STUCK)
    page.wait_for_timeout(1_000)
    # The check reads the page with no timeout of its own: it would hang for good.
    with pytest.raises(PlaywrightTimeoutError) as failed:
        ui.poll(lambda: page.locator("body").count() == 2, timeout_s=600)
    assert "spinForever" in "\n".join(failed.value.__notes__)
