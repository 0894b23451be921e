"""The demo dataset, generated in memory from a seed (no I/O).

Mix (see DOMAIN.md): categories follow the 2024 volumes (`Category.reports_2024`) with a
small share (`OTHER_CATEGORY_SHARE`) for the categories that have no 2024 figure;
channels follow `Channel.reports_2024`; about one reporter per 4.5 reports, a few of
them frequent; private by default (`PUBLIC_SHARE` chose public). Reports are received
over the last `days` days with a weekday rhythm and Jakarta's daily hours, at a random
point inside their kelurahan (kelurahan weighted by size with a seeded "busyness"), and
routed there. Each report's state comes from its story (`stories.py`).

The demo officer's queue (`FORCED_QUEUE`, in Kelurahan Menteng) is made of stories
stopped at chosen steps, some of them received more than seven days ago (overdue), so
the demo always opens on a realistic mix whatever the seed.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain import CATEGORIES, CHANNELS, JAKARTA, Action, Report, Status, category
from domain.geo import in_polygon

from .. import routing
from . import text
from .photos import DemoPhoto, demo_photos
from .stories import Outcome, Plan, StoryKind, simulate
from .world import DEMO_KELURAHAN_CODE, World, build_world, new_id

OTHER_CATEGORY_SHARE = 0.05
PUBLIC_SHARE = 0.3
REPORTERS_PER_REPORT = 41_528 / 185_852  # 2024: reports per distinct reporter
DEFAULT_DAYS = 60

# Share of each story among the natural reports (the rest is NORMAL).
STORY_SHARES: dict[StoryKind, float] = {
    StoryKind.CLOSE: 0.03,
    StoryKind.REROUTE: 0.08,  # only for categories a dinas handles
    StoryKind.REWORK: 0.06,
    StoryKind.EXTENSION: 0.05,
    StoryKind.STALL: 0.04,
}
STALL_POINTS = (Action.DISPATCH, Action.ACCEPT, Action.START, Action.PROGRESS)

WEEKDAY = (1.15, 1.1, 1.05, 1.0, 0.95, 0.8, 0.75)  # Monday first
HOURS = (1, 0.6, 0.4, 0.3, 0.5, 1.5, 3, 5, 6, 6, 5.5, 5, 4.5, 4.5, 4.5, 4.5, 5, 5.5, 5, 5, 4.5, 3.5, 2.5, 1.5)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Forced:
    """A report in the demo officer's queue: a story stopped at `stop_at`."""

    kind: StoryKind
    stop_at: Action | None
    age_h: tuple[float, float]  # received between these many hours ago
    count: int
    approve_extension: bool = True


FORCED_QUEUE: tuple[Forced, ...] = (
    Forced(StoryKind.UNTOUCHED, None, (1, 20), 6),  # the supervisor's dispatch queue
    Forced(StoryKind.NORMAL, Action.DISPATCH, (2, 60), 6),
    Forced(StoryKind.NORMAL, Action.DISPATCH, (190, 240), 2),  # overdue
    Forced(StoryKind.NORMAL, Action.ACCEPT, (4, 100), 5),
    Forced(StoryKind.NORMAL, Action.ACCEPT, (200, 260), 1),  # overdue
    Forced(StoryKind.NORMAL, Action.START, (6, 120), 4),
    Forced(StoryKind.NORMAL, Action.START, (180, 230), 1),  # overdue
    Forced(StoryKind.NORMAL, Action.PROGRESS, (10, 140), 4),
    Forced(StoryKind.NORMAL, Action.PROGRESS, (175, 300), 2),  # overdue
    Forced(StoryKind.EXTENSION, Action.REQUEST_EXTENSION, (70, 150), 3),  # waits for the supervisor
    Forced(StoryKind.EXTENSION, Action.PROGRESS, (190, 280), 2),  # approved: deadline moved
    Forced(StoryKind.REWORK, Action.SEND_BACK, (60, 140), 2),
    Forced(StoryKind.NORMAL, Action.COMPLETE, (20, 100), 4),  # waits for validation
    Forced(StoryKind.NORMAL, None, (40, 160), 3),  # done
)
FORCED_TOTAL = sum(f.count for f in FORCED_QUEUE)


@dataclass(frozen=True, slots=True)
class DemoReporter:
    id: str
    name: str
    email: str
    phone: str


@dataclass(frozen=True, slots=True)
class DemoReport:
    outcome: Outcome
    reporter_id: str
    year: int  # of receipt in Jakarta: the tracking id's year
    ordinal: int  # 1-based within the year, by receipt time

    @property
    def report(self) -> Report:
        return self.outcome.report


@dataclass(frozen=True, slots=True)
class Dataset:
    seed: int
    now: datetime
    world: World
    reporters: tuple[DemoReporter, ...]
    reports: tuple[DemoReport, ...]
    photos: tuple[DemoPhoto, ...]


def _cum(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def category_weights() -> dict[str, float]:
    """Each category's expected share of the demo's reports."""
    top = {c.code: c.reports_2024 for c in CATEGORIES.values() if c.reports_2024}
    others = [c.code for c in CATEGORIES.values() if not c.reports_2024]
    total = sum(top.values())
    weights = {code: (1 - OTHER_CATEGORY_SHARE) * n / total for code, n in top.items()}
    weights.update({code: OTHER_CATEGORY_SHARE / len(others) for code in others})
    return weights


def channel_weights() -> dict[str, float]:
    total = sum(c.reports_2024 for c in CHANNELS.values())
    return {c.code: c.reports_2024 / total for c in CHANNELS.values() if c.reports_2024}


def _ring_area_km2(ring: routing.Ring) -> float:
    k = math.cos(math.radians(ring[0][1])) * 111.32
    s = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise((*ring, ring[0])):
        s += x1 * y2 - x2 * y1
    return abs(s) / 2 * k * 110.57


def _polygon_areas(k: routing.Kelurahan) -> list[float]:
    return [_ring_area_km2(poly[0]) for poly in k.polygons]


def kelurahan_weights(rng: random.Random) -> dict[str, float]:
    """Size (square root of the area) times a seeded busyness; the islands are quiet."""
    out = {}
    for k in routing.kelurahan_list():
        w = math.sqrt(sum(_polygon_areas(k))) * rng.lognormvariate(0, 0.4)
        out[k.code] = w * (0.3 if k.kota == "Kepulauan Seribu" else 1.0)
    return out


_Box = tuple[float, float, float, float]  # min lat, max lat, min lon, max lon


class _PointSampler:
    """Random points that route to their own kelurahan (inside it, in no neighbour)."""

    def __init__(self) -> None:
        # Per kelurahan: cumulative part areas, and each part's rings and bounding box.
        self._parts: dict[str, tuple[list[float], list[tuple[routing.Polygon, _Box]]]] = {}
        self._neighbours: dict[str, list[routing.Kelurahan]] = {}
        every = routing.kelurahan_list()
        for k in every:
            parts: list[tuple[routing.Polygon, _Box]] = []
            for poly in k.polygons:
                lons = [p[0] for p in poly[0]]
                lats = [p[1] for p in poly[0]]
                parts.append((poly, (min(lats), max(lats), min(lons), max(lons))))
            self._parts[k.code] = (_cum(_polygon_areas(k)), parts)
            x0, y0, x1, y1 = k.bbox
            self._neighbours[k.code] = [
                o
                for o in every
                if o.code != k.code
                and o.bbox[0] <= x1
                and o.bbox[2] >= x0
                and o.bbox[1] <= y1
                and o.bbox[3] >= y0
            ]

    def point(self, rng: random.Random, k: routing.Kelurahan) -> tuple[float, float]:
        cum, parts = self._parts[k.code]
        neighbours = self._neighbours[k.code]
        for _ in range(10_000):
            rings, (lat0, lat1, lon0, lon1) = parts[bisect.bisect(cum, rng.random() * cum[-1])]
            lat = round(rng.uniform(lat0, lat1), 6)
            lon = round(rng.uniform(lon0, lon1), 6)
            if in_polygon(lon, lat, rings) and not any(o.contains(lat, lon) for o in neighbours):
                return lat, lon
        return k.label_lat, k.label_lon  # pragma: no cover - every polygon has room


def _received_at(rng: random.Random, now: datetime, days: int, day_cum: list[float]) -> datetime:
    day = bisect.bisect(day_cum, rng.random() * day_cum[-1])
    local_now = now.astimezone(JAKARTA)
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight - timedelta(days=days - 1 - day)
    hour = rng.choices(range(24), weights=HOURS)[0]
    at = start + timedelta(hours=hour, seconds=rng.randrange(3600))
    if at >= local_now:  # later today: not yet
        at = midnight + (local_now - midnight) * rng.random()
    return at.astimezone(now.tzinfo)


def _day_weights(rng: random.Random, now: datetime, days: int) -> list[float]:
    first = now.astimezone(JAKARTA).date() - timedelta(days=days - 1)
    weights = [
        WEEKDAY[(first + timedelta(days=d)).weekday()] * rng.uniform(0.85, 1.15)
        for d in range(days)
    ]
    weights[rng.randrange(days)] *= 1.6  # one peak day, as on 14 May 2024
    return weights


def _natural_plan(rng: random.Random, cat: str, world: World) -> Plan:
    r = rng.random()
    reassign = rng.random() < 0.03
    for kind, share in STORY_SHARES.items():
        if r < share:
            if kind is StoryKind.REROUTE and cat not in _DINAS_CATEGORIES:
                break
            if kind is StoryKind.STALL:
                # Some stall in coordination, waiting for a coordinator to re-route.
                if rng.random() < 0.15 and cat in _DINAS_CATEGORIES:
                    return Plan(StoryKind.REROUTE, Action.RETURN_NOT_OUR_DUTY)
                return Plan(StoryKind.STALL, rng.choice(STALL_POINTS), reassign=reassign)
            approve = rng.random() < 0.8
            return Plan(kind, approve_extension=approve, reassign=reassign)
        r -= share
    return Plan(StoryKind.NORMAL, reassign=reassign)


_DINAS_CATEGORIES = frozenset(
    {
        "jalan",
        "jaringan_listrik",
        "pohon",
        "parkir_liar",
        "lalu_lintas",
        "sampah",
        "pkl_liar",
        "kebisingan",
        "ketertiban",
        "kawasan_dilarang_merokok",
        "pelanggaran_perda",
    }
)


def generate(
    *,
    reports: int,
    seed: int,
    now: datetime,
    days: int = DEFAULT_DAYS,
    officers_per_unit: int | None = None,
) -> Dataset:
    """The whole demo dataset for `reports` reports (the demo queue included)."""
    rng = random.Random(seed)
    world = build_world(rng, officers_per_unit)
    photos = demo_photos(seed)
    before_pool = tuple(p.sha256 for p in photos if p.kind.value == "before")
    after_pool = tuple(p.sha256 for p in photos if p.kind.value == "after")

    n_reporters = max(1, round(reports * REPORTERS_PER_REPORT))
    reporters = []
    for _ in range(n_reporters):
        name = text.person_name(rng)
        reporters.append(
            DemoReporter(new_id(rng), name, text.email_for(rng, name), text.phone(rng))
        )

    cat_w = category_weights()
    cat_codes, cat_cum = list(cat_w), _cum(list(cat_w.values()))
    ch_w = channel_weights()
    ch_codes, ch_cum = list(ch_w), _cum(list(ch_w.values()))
    kel_w = kelurahan_weights(rng)
    kel_codes, kel_cum = list(kel_w), _cum(list(kel_w.values()))
    day_cum = _cum(_day_weights(rng, now, days))
    sampler = _PointSampler()
    demo_officer = world.demo["petugas.demo"]

    forced: list[Forced] = []
    for f in FORCED_QUEUE:  # interleaved, so a small dataset still gets a varied queue
        forced.extend(replace(f, count=1) for _ in range(f.count))
    n_forced = min(FORCED_TOTAL, reports // 4)
    order = sorted(range(FORCED_TOTAL), key=lambda i: (i % 7, i))[:n_forced]

    drafts: list[tuple[Report, Plan, str, str]] = []  # report, plan, kota, reporter id
    for i in range(reports):
        is_forced = i < n_forced
        code = (
            DEMO_KELURAHAN_CODE
            if is_forced
            else kel_codes[bisect.bisect(kel_cum, rng.random() * kel_cum[-1])]
        )
        kel = routing.kelurahan(code)
        cat = cat_codes[bisect.bisect(cat_cum, rng.random() * cat_cum[-1])]
        if is_forced:
            spec = forced[order[i]]
            received = now - timedelta(hours=rng.uniform(*spec.age_h))
            plan = Plan(
                spec.kind,
                spec.stop_at,
                officer=demo_officer,
                squeeze=True,
                approve_extension=spec.approve_extension,
            )
        else:
            received = _received_at(rng, now, days, day_cum)
            plan = _natural_plan(rng, cat, world)
        lat, lon = sampler.point(rng, kel)
        title_text, st = text.title(rng, cat, kel.name, kel.kecamatan)
        reporter = reporters[int(n_reporters * rng.random() ** 1.6)]
        draft = Report(
            id=new_id(rng),
            tracking_id="",
            status=Status.BARU,
            category=cat,
            channel=ch_codes[bisect.bisect(ch_cum, rng.random() * ch_cum[-1])],
            unit_id=kel.unit_id,
            received_at=received,
            sla_days=category(cat).sla_days,
            title=title_text,
            description=text.description(rng, cat, title_text),
            address=text.address(rng, st, kel.name, kel.kecamatan, kel.kota),
            latitude=lat,
            longitude=lon,
            kelurahan_code=kel.code,
            is_public=rng.random() < PUBLIC_SHARE,
        )
        drafts.append((draft, plan, kel.kota, reporter.id))

    outcomes = [
        (simulate(rng, world, d, plan, now, kota, before_pool, after_pool), rid)
        for d, plan, kota, rid in drafts
    ]
    # Tracking ids: dense per year of receipt (Jakarta time), in order of receipt.
    outcomes.sort(key=lambda o: (o[0].report.received_at, o[0].report.id))
    per_year: dict[int, int] = {}
    out: list[DemoReport] = []
    for outcome, rid in outcomes:
        year = outcome.report.received_at.astimezone(JAKARTA).year
        per_year[year] = per_year.get(year, 0) + 1
        out.append(DemoReport(outcome, rid, year, per_year[year]))
    return Dataset(seed, now, world, tuple(reporters), tuple(out), photos)
