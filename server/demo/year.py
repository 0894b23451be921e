"""A full demo year (`tindak-server seed-demo --year 2024`) whose figures are the sources'.

The Dasbor kota of the seeded year reproduces DOMAIN.md's 2024 table exactly:
- 185,852 reports from 41,528 distinct reporters;
- every category with a 2024 volume (`domain.categories`) and every channel's reports
  *and* distinct reporters (`domain.categories.CHANNELS`); the reports of categories
  without a published volume are spread over the other categories;
- the peak day, 14 May 2024: 800 reports from 434 reporters; every other day has fewer
  (a weekly rhythm around the average of 508 a day);
- 179,932 resolved (96.8 %); the rest closed as duplicates, still in coordination or
  never dispatched.
Plausible, not published (documented in docs/server.md): kelurahan weighted half by
land area and half evenly (dense small kelurahan still get reports); coordination ~6 h and
completion ~40 h on average (the 2021 figures), ~7 % of resolved reports late.

How the reporters add up: the channels' reporter counts sum to 41,582, so 54 people
reported through two channels: 30 Twitter and 24 e-mail reporters also used JAKI.
Each channel's reporters each get at least one of its reports.

Invariants: deterministic for a seed; all in the caller's transaction; tracking ids
continue the server's per-year counter; the reports go to each kelurahan's unit, and
the users who see them (the unit's supervisors, coordinators for `koordinasi`) get them
through the change feed like any other seeded report.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, select

from domain import Role, Status
from domain.categories import CATEGORIES, CHANNELS
from domain.protocol import ChangeOp, Entity

from .. import routing
from ..db import lock_feed
from ..figures.compute import day_start_utc
from ..schema import feed, reporters, reports, units, users
from ..wilayah import install_wilayah_units
from .seed import DemoError, _insert, _move_counters, _tracking_offsets

YEAR_REPORTS = 185_852
YEAR_REPORTERS = 41_528
PEAK_DAY = date(2024, 5, 14)
PEAK_REPORTS = 800
PEAK_REPORTERS = 434
RESOLVED = 179_932
# The 5,920 unresolved reports: closed as duplicate/invalid, waiting for re-routing,
# received but never dispatched (mostly the year's last weeks).
UNRESOLVED = {Status.DITUTUP: 3_500, Status.KOORDINASI: 620, Status.BARU: 1_800}
# Reporters who used two channels (see the module docstring).
ALSO_JAKI = {"twitter": 30, "email": 24}
SUPPORTED_YEARS = (2024,)


class YearError(DemoError):
    """The year cannot be seeded (not one whose figures are known)."""


@dataclass(frozen=True, slots=True)
class YearSummary:
    year: int
    reports: int
    reporters: int
    seconds: float


def _daily_counts(rng: random.Random, year: int) -> list[int]:
    days = [
        date(year, 1, 1) + timedelta(days=i)
        for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
    ]
    rest = YEAR_REPORTS - PEAK_REPORTS
    weights = []
    for d in days:
        if d == PEAK_DAY:
            weights.append(0.0)
            continue
        weekly = 0.78 if d.weekday() >= 5 else 1.08  # fewer reports at weekends
        seasonal = 1.0 + 0.08 * math.sin(2 * math.pi * (d.timetuple().tm_yday - 30) / 366)
        weights.append(weekly * seasonal * rng.uniform(0.9, 1.1))
    scale = rest / sum(weights)
    counts = [int(w * scale) for w in weights]
    short = rest - sum(counts)
    peak = days.index(PEAK_DAY)
    quiet = sorted((i for i in range(len(days)) if i != peak), key=lambda i: counts[i])
    order = quiet  # top up the quietest days
    for i in order[:short]:
        counts[i] += 1
    counts[peak] = PEAK_REPORTS
    assert max(c for d, c in zip(days, counts, strict=True) if d != PEAK_DAY) < PEAK_REPORTS
    return counts


def _category_bag() -> list[str]:
    published = {c.code: c.reports_2024 for c in CATEGORIES.values() if c.reports_2024}
    others = [c.code for c in CATEGORIES.values() if not c.reports_2024]
    rest = YEAR_REPORTS - sum(published.values())
    bag = [code for code, n in published.items() for _ in range(n)]
    share = [rest // len(others) + (1 if i < rest % len(others) else 0) for i in range(len(others))]
    bag += [code for code, n in zip(others, share, strict=True) for _ in range(n)]
    return bag


def _reporter_pools() -> dict[str, list[int]]:
    """Reporter numbers per channel (JAKI's first numbers double as the two-channel ones)."""
    pools: dict[str, list[int]] = {}
    jaki = CHANNELS["jaki"].reporters_2024
    pools["jaki"] = list(range(jaki))
    next_id, borrowed = jaki, 0
    for ch in CHANNELS.values():
        if ch.code == "jaki" or not ch.reports_2024:
            continue
        shared = ALSO_JAKI.get(ch.code, 0)
        pools[ch.code] = list(range(borrowed, borrowed + shared)) + list(
            range(next_id, next_id + ch.reporters_2024 - shared)
        )
        borrowed += shared
        next_id += ch.reporters_2024 - shared
    assert next_id == YEAR_REPORTERS
    return pools


def _assign_reporters(
    rng: random.Random, channels: Sequence[str], peak: set[int], pools: dict[str, list[int]]
) -> list[int]:
    """A reporter for every report: each pool member at least once; the peak day's
    reports from exactly PEAK_REPORTERS people."""
    by_channel: dict[str, list[int]] = {}
    for i, ch in enumerate(channels):
        by_channel.setdefault(ch, []).append(i)
    out = [-1] * len(channels)
    # The peak day first: split its reporters over its channels, none shared between them.
    peak_by_ch = {ch: [i for i in idx if i in peak] for ch, idx in by_channel.items()}
    want: dict[str, int] = {}
    for ch, idx in peak_by_ch.items():
        if idx:
            n_total, r_total = len(by_channel[ch]), len(pools[ch])
            low = max(1, r_total - (n_total - len(idx)))  # keep enough reports to cover the pool
            want[ch] = max(low, min(len(idx), round(len(idx) * PEAK_REPORTERS / PEAK_REPORTS)))
    want["jaki"] += PEAK_REPORTERS - sum(want.values())
    overlap = set(range(sum(ALSO_JAKI.values())))
    used_today: set[int] = set()
    covered: dict[str, set[int]] = {}
    for ch, idx in peak_by_ch.items():
        if not idx:
            continue
        candidates = [p for p in pools[ch] if p not in used_today and p not in overlap]
        people = rng.sample(candidates, want[ch])
        used_today.update(people)
        covered[ch] = set(people)
        rng.shuffle(idx)
        for k, i in enumerate(idx):
            out[i] = people[k] if k < len(people) else rng.choice(people)
    # Then the rest of each channel: first every pool member not yet covered, then a
    # skewed choice (a few people report often).
    for ch, idx in by_channel.items():
        rest = [i for i in idx if i not in peak]
        rng.shuffle(rest)
        pool = pools[ch]
        seen = covered.get(ch, set())
        missing = [p for p in pool if p not in seen]
        assert len(missing) <= len(rest), ch
        for i, p in zip(rest, missing, strict=False):
            out[i] = p
        for i in rest[len(missing) :]:
            out[i] = pool[int(len(pool) * rng.random() ** 2)]  # the first ones report more
    return out


def _polygon_area(ring: Sequence[tuple[float, float]]) -> float:
    """Shoelace area in square degrees (enough to weigh kelurahan against each other)."""
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring))) / 2


def _kelurahan_weights() -> tuple[list[routing.Kelurahan], list[float]]:
    """Half by land area (the polygons' outer rings, not their boxes: the islands of
    Kepulauan Seribu have wide boxes and little land), half evenly."""
    kel = list(routing.kelurahan_list())
    areas = [max(1e-9, sum(_polygon_area(part[0]) for part in k.polygons)) for k in kel]
    total = sum(areas)
    return kel, [0.5 / len(kel) + 0.5 * a / total for a in areas]


def _statuses(rng: random.Random, received: Sequence[datetime]) -> list[Status]:
    n = len(received)
    out = [Status.SELESAI] * n
    by_time = sorted(range(n), key=lambda i: received[i])
    late_year = by_time[int(n * 0.9) :]  # the never-dispatched ones are mostly recent
    baru = rng.sample(late_year, UNRESOLVED[Status.BARU])
    taken = set(baru)
    for i in baru:
        out[i] = Status.BARU
    others = [i for i in range(n) if i not in taken]
    picked = rng.sample(others, UNRESOLVED[Status.DITUTUP] + UNRESOLVED[Status.KOORDINASI])
    for k, i in enumerate(picked):
        out[i] = Status.DITUTUP if k < UNRESOLVED[Status.DITUTUP] else Status.KOORDINASI
    assert sum(1 for s in out if s is Status.SELESAI) == RESOLVED
    return out


def _hours(rng: random.Random, mean: float, sigma: float) -> float:
    mu = math.log(mean) - sigma * sigma / 2
    return rng.lognormvariate(mu, sigma)


def year_rows(year: int, seed: int = 2024) -> tuple[list[dict[str, Any]], int]:
    """The report rows of the year (tracking ids and reporter ids filled in by the caller)."""
    if year not in SUPPORTED_YEARS:
        years = ", ".join(map(str, SUPPORTED_YEARS))
        raise YearError(
            f"hanya tahun {years} yang angkanya diterbitkan",
            f"only {years} has published figures",
        )
    rng = random.Random(f"year-{year}-{seed}")
    counts = _daily_counts(rng, year)
    received: list[datetime] = []
    for d, n in enumerate(counts):
        start = day_start_utc(date(year, 1, 1) + timedelta(days=d))
        # Reports arrive in waking hours (06:00-23:00 WIB), in time order within the day.
        secs = sorted(rng.uniform(6 * 3600, 23 * 3600) for _ in range(n))
        received += [start + timedelta(seconds=s) for s in secs]
    categories = _category_bag()
    rng.shuffle(categories)
    channels = [ch.code for ch in CHANNELS.values() for _ in range(ch.reports_2024)]
    rng.shuffle(channels)
    # Small channels (walk-ins, offices) never fall on the peak day: their few reporters
    # must each keep a report of their own elsewhere in the year.
    peak_start = sum(counts[: (PEAK_DAY - date(year, 1, 1)).days])
    peak = set(range(peak_start, peak_start + PEAK_REPORTS))
    big = {c.code for c in CHANNELS.values() if c.reports_2024 >= 300}
    swap_from = [i for i in range(len(channels)) if i not in peak and channels[i] in big]
    for i in sorted(peak):
        if channels[i] not in big:
            j = swap_from.pop()
            channels[i], channels[j] = channels[j], channels[i]
    who = _assign_reporters(rng, channels, peak, _reporter_pools())
    statuses = _statuses(rng, received)
    kel, weights = _kelurahan_weights()
    places = rng.choices(kel, weights=weights, k=len(received))
    rows = []
    for i, at in enumerate(received):
        status, k = statuses[i], places[i]
        deadline = at + timedelta(days=7)
        extended = None
        if rng.random() < 0.03:
            extended = deadline = at + timedelta(days=rng.choice((14, 21)))
        dispatched = completed = validated = None
        if status is Status.SELESAI:
            dispatched = at + timedelta(hours=_hours(rng, 6.4, 1.0))
            late = rng.random() < 0.07
            work = _hours(rng, 34.0, 0.9)
            if late:
                work = (deadline - dispatched).total_seconds() / 3600 + rng.uniform(2, 120)
            else:
                work = min(work, (deadline - dispatched).total_seconds() / 3600 - 1)
            completed = dispatched + timedelta(hours=max(0.5, work))
            validated = completed + timedelta(hours=_hours(rng, 5.0, 0.8))
        cat = categories[i]
        lat = k.label_lat + rng.uniform(-0.002, 0.002)
        lon = k.label_lon + rng.uniform(-0.002, 0.002)
        rows.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "status": status.value,
                "category": cat,
                "channel": channels[i],
                "unit_id": k.unit_id,
                "assignee_id": None,
                "reporter_no": who[i],
                "received_at": at,
                "sla_days": 7,
                "deadline": deadline,
                "extended_deadline": extended,
                "extension_state": "approved" if extended else "none",
                "extension_proposed_deadline": extended,
                "extension_reason": "",
                "extension_note": "",
                "progress_pct": 100 if completed else 0,
                "rework_count": 0,
                "version": 1,
                "title": f"{CATEGORIES[cat].name_id} di {k.name}",
                "description": "",
                "address": f"Kel. {k.name}, Kec. {k.kecamatan}, {k.kota}",
                "latitude": round(lat, 6),
                "longitude": round(lon, 6),
                "kelurahan_code": k.code,
                "is_public": False,
                "rating": None,
                "dispatched_at": dispatched,
                "completed_at": completed,
                "validated_at": validated,
                "created_at": at,
                "updated_at": validated or at,
            }
        )
    return rows, YEAR_REPORTERS


def seed_year(conn: Connection, year: int, now: datetime, *, seed: int = 2024) -> YearSummary:
    """Write the year into the caller's transaction; see the module docstring."""
    started = datetime.now(UTC)
    install_wilayah_units(conn)
    rows, n_reporters = year_rows(year, seed)
    prefix = uuid.uuid5(uuid.NAMESPACE_URL, f"tindak-year-{year}-{seed}").hex[:8]
    reporter_ids = [f"rep-{prefix}-{n:06d}" for n in range(n_reporters)]
    _insert(
        conn, reporters, [{"id": r, "name": "", "email": "", "phone": ""} for r in reporter_ids]
    )
    offsets = _tracking_offsets(conn, {year})
    for n, row in enumerate(rows, start=1):
        row["tracking_id"] = f"CRM-{year}-{offsets[year] + n:06d}"
        row["reporter_id"] = reporter_ids[row.pop("reporter_no")]
    _insert(conn, reports, rows)
    _move_counters(conn, offsets, Counter({year: len(rows)}))
    _publish(conn, rows, now)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return YearSummary(year=year, reports=len(rows), reporters=n_reporters, seconds=seconds)


def _publish(conn: Connection, rows: list[dict[str, Any]], now: datetime) -> None:
    """Feed upserts for the users who see the year's reports (as `server.scope`)."""
    supervisors: dict[str, list[str]] = {}
    coordinators: list[str] = []
    officers: dict[str, list[str]] = {}
    for uid, role, unit_id in conn.execute(
        select(users.c.id, users.c.role, users.c.unit_id).where(users.c.active.is_(True))
    ).tuples():
        if role == Role.SUPERVISOR.value and unit_id:
            supervisors.setdefault(unit_id, []).append(uid)
        elif role == Role.COORDINATOR.value:
            coordinators.append(uid)
        elif role == Role.OFFICER.value and unit_id:
            officers.setdefault(unit_id, []).append(uid)
    open_queue = set(
        conn.execute(select(units.c.id).where(units.c.officers_see_open_queue.is_(True))).scalars()
    )
    out = []
    for row in rows:
        audience = set(supervisors.get(row["unit_id"], ()))
        if row["status"] == Status.KOORDINASI.value:
            audience.update(coordinators)
        if row["status"] == Status.BARU.value and row["unit_id"] in open_queue:
            audience.update(officers.get(row["unit_id"], ()))
        out += [
            {
                "user_id": u,
                "entity": Entity.REPORT.value,
                "entity_id": row["id"],
                "op": ChangeOp.UPSERT.value,
                "at": now,
            }
            for u in sorted(audience)
        ]
    lock_feed(conn)
    _insert(conn, feed, out)
