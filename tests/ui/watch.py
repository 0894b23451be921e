"""What a browser page was doing when a test failed: a picture, the page's own messages
and, when the page no longer answers, whether its JavaScript is busy and where.

A page whose JavaScript never yields answers nothing that goes through its main thread:
no screenshot, no `evaluate`. Two DevTools commands still get through, if their domains
were enabled while the page answered: `Performance.getMetrics` (is script running?) and
`Debugger.pause` (where is it?). Enabling both when the page opens costs little, so
every page of the harness has them from the start.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from collections import deque
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

SHOT_MS = 15_000  # a page that cannot paint in this long under load is stuck
BUSY_PROBE_MS = 2_000  # how long to watch the page's script time
PAUSE_WAIT_MS = 5_000  # for the debugger to stop the page's script
STACK_DEPTH = 12
PROJECT = ("officer_app", "sync", "local_db", "server", "domain", "flet")


class PageWatch:
    """Listens to one page from its start; `report()` says what it shows or does."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.messages: deque[str] = deque(maxlen=30)
        self.reported = False
        page.on("console", lambda m: self.messages.append(f"console.{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.messages.append(f"page error: {e}"))
        page.on("crash", lambda _: self.messages.append("the page crashed"))
        self._paused: list[dict[str, Any]] = []
        self._cdp = page.context.new_cdp_session(page)
        self._cdp.on("Debugger.paused", self._on_paused)
        self._cdp.send("Performance.enable")
        self._cdp.send("Debugger.enable")

    def _on_paused(self, event: dict[str, Any]) -> None:
        self._paused.append(event)

    def note(self, exc: BaseException, shot: Path) -> None:
        """Add the report to a failure (once, however many harness calls it crosses)."""
        if getattr(exc, "_page_watched", False):
            return
        exc._page_watched = True  # type: ignore[attr-defined]
        exc.add_note(self.report(shot))

    def report(self, shot: Path) -> str:
        self.reported = True
        lines: list[str] = []
        try:
            self.page.screenshot(path=str(shot), timeout=SHOT_MS)
            lines.append(f"screenshot of the failure: {shot}")
        except PlaywrightError as exc:
            lines.append(f"the page did not answer a screenshot in {SHOT_MS // 1000} s: {exc}")
            lines += self._stuck()
        else:
            # It answers: what the app showed, and what the Python side was doing.
            lines += ["the screen's texts:", screen_texts(self.page)[:2000], *python_threads()]
        if self.messages:
            lines += ["the page's last messages:", *self.messages]
        return "\n".join(lines)

    def _stuck(self) -> list[str]:
        """Whether a page that does not answer runs script, and where."""
        before, processes = self._script_seconds(), chromium_processes()
        self.page.wait_for_timeout(BUSY_PROBE_MS)  # a timer of the driver, not the page
        busy = self._script_seconds() - before
        lines = [
            f"script ran {busy:.1f} s of the last {BUSY_PROBE_MS / 1000:.0f} s",
            *_cpu_lines(processes, BUSY_PROBE_MS / 1000),
        ]
        self._paused.clear()
        self._cdp.send("Debugger.pause")
        for _ in range(PAUSE_WAIT_MS // 200):
            if self._paused:
                break
            self.page.wait_for_timeout(200)
        if not self._paused:
            return [*lines, "the debugger could not stop it: blocked outside script"]
        lines.append("where the page's script was:")
        for frame in self._paused[0]["callFrames"][:STACK_DEPTH]:
            where = frame["location"]
            url = frame.get("url", "").rsplit("/", 1)[-1]
            name = frame["functionName"] or "(anonymous)"
            lines.append(f"  {name} {url}:{where['lineNumber'] + 1}:{where.get('columnNumber', 0)}")
        self._cdp.send("Debugger.resume")
        return lines

    def _script_seconds(self) -> float:
        metrics = self._cdp.send("Performance.getMetrics")["metrics"]
        return float(next(m["value"] for m in metrics if m["name"] == "ScriptDuration"))


def screen_texts(page: Page) -> str:
    """What the app shows, as its semantics tree says it."""
    return "\n".join(page.locator("flt-semantics").all_inner_texts())


def chromium_processes() -> dict[str, tuple[str, float, str]]:
    """The machine's Chromium processes as the kernel sees them: pid -> (state, CPU
    seconds so far, type)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            # Chromium rewrites its children's titles into one space-separated string.
            argv = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").split()
        except OSError:
            continue  # gone meanwhile
        if not argv or not argv[0].endswith((b"chrome", b"chromium")):
            continue
        kind = next((a[7:].decode() for a in argv if a.startswith(b"--type=")), "browser")
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        found[stat.parent.name] = (fields[0], cpu, kind)
    return found


def _cpu_lines(before: dict[str, tuple[str, float, str]], window_s: float) -> list[str]:
    """A renderer whose script spins used CPU all through the window (as much as a
    loaded machine gave it); one asleep on something else used none."""
    lines = [f"chromium processes (pid, state, CPU s in the last {window_s:.0f} s, type):"]
    for pid, (state, cpu, kind) in sorted(chromium_processes().items()):
        used = cpu - before.get(pid, (state, cpu, kind))[1]
        lines.append(f"  {pid} {state} {used:.1f} {kind}")
    return lines


def python_threads() -> list[str]:
    """The test process's threads that are inside the project or Flet, innermost last:
    a deadlock between the app and its device shows here."""
    names = {t.ident: t.name for t in threading.enumerate()}
    lines: list[str] = []
    for ident, frame in sys._current_frames().items():
        stack = [
            f"  {'/'.join(f.filename.rsplit('/', 2)[-2:])}:{f.lineno} {f.name}"
            for f in traceback.extract_stack(frame)
            if any(f"/{part}/" in f.filename for part in PROJECT)
        ]
        if stack and ident != threading.get_ident():
            lines += [f"thread {names.get(ident, ident)}:", *stack[-6:]]
    return lines
