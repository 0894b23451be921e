"""Fixtures of the reliability scenarios: the seeded world, the fault proxy, a device.

Scale and seed:
- `TINDAK_RELIABILITY_SCALE` (default 1) multiplies every iteration count, for a long
  local soak (e.g. 20);
- `TINDAK_RELIABILITY_SEED` fixes the random seed (default: a fresh one per run). Each
  test derives its own seed from it and prints it, and every failure message names it,
  so a failing run can be replayed exactly.

The `tally` fixture counts the faults really injected (cuts, lost responses, kills...);
the totals are printed at the end of the run and kept in pytest's cache under
`tindak/reliability` (`pytest --cache-show tindak/reliability`).
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.device import Device
from tests.support.faultproxy import FaultProxy
from tests.support.scale import BASE_SEED, SCALE
from tests.support.verify import TOTALS
from tests.support.world import World, small_world

_TALLY: Counter[str] = Counter()


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    value = BASE_SEED ^ zlib.crc32(request.node.nodeid.encode())
    print(f"seed {value} (TINDAK_RELIABILITY_SEED={BASE_SEED})")
    return value


@pytest.fixture
def rnd(seed: int) -> random.Random:
    return random.Random(seed)


@pytest.fixture
def tally() -> Counter[str]:
    return _TALLY


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with small_world(tmp_path / "server", n_reports=12) as w:
        yield w


@pytest.fixture
def proxy(world: World) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", world.server.port) as p:
        yield p


@pytest.fixture
def device(world: World, proxy: FaultProxy, tmp_path: Path) -> Iterator[Device]:
    d = Device(tmp_path / "device", proxy.url, world.officer.username, world.officer.password)
    d.login()
    d.sync_clean()
    yield d
    d.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _TALLY and not TOTALS:
        return
    terminalreporter.section("reliability: faults injected")
    for key in sorted(_TALLY):
        terminalreporter.write_line(f"{key:>40}: {_TALLY[key]}")
    terminalreporter.section("reliability: verdicts")
    for key, n in TOTALS.items():
        terminalreporter.write_line(f"{key:>40}: {n}")
    terminalreporter.write_line(
        f"{'seed':>40}: TINDAK_RELIABILITY_SEED={BASE_SEED} (scale {SCALE:g})"
    )
    cache = getattr(terminalreporter.config, "cache", None)  # absent with -p no:cacheprovider
    if cache is not None:
        counts = {"seed": BASE_SEED, "scale": SCALE, **_TALLY, **TOTALS}
        cache.set("tindak/reliability", counts)
