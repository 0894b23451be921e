"""One report's life, simulated through the real workflow rules.

Each report gets a story (the usual path, rework, an extension, a return as not the
kelurahan's duty and a re-route to a suku dinas, a close as duplicate, or a stall) whose
steps are applied with `domain.workflow.apply` by the actor the rule names, so every
demo report is in a state the server itself could have reached, and its timeline is the
list of steps taken. Time runs from the receipt: each step comes after a random delay
(coordination about 6 h, completion about 40 h on average, as the 2021 figures), and the
story stops at the first step that would fall after `now`. Forced stories (the demo
officer's queue) stop after a chosen action and squeeze their steps before `now`.

Invariants: `apply` never refuses a step (a refusal would be a bug here and raises);
timeline times never decrease; a report's photos have distinct hashes.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from domain import CHANNELS, Action, Actor, PhotoKind, Report, Status, apply
from domain.protocol import iso

from . import text
from .world import Staff, World


class StoryKind(StrEnum):
    NORMAL = "normal"
    REWORK = "rework"
    EXTENSION = "extension"
    REROUTE = "reroute"
    CLOSE = "close"
    STALL = "stall"
    UNTOUCHED = "untouched"  # still `baru`: nobody has acted yet


@dataclass(frozen=True, slots=True)
class TimelineRow:
    at: datetime
    event: str
    actor_id: str | None
    actor_name: str
    actor_role: str
    status_from: str | None
    status_to: str | None
    note: str
    percent: int | None


@dataclass(frozen=True, slots=True)
class PhotoRow:
    sha256: str
    kind: PhotoKind
    latitude: float | None
    longitude: float | None
    accuracy_m: float
    captured_at: datetime
    taken_by: str


@dataclass(frozen=True, slots=True)
class Plan:
    kind: StoryKind
    stop_at: Action | None = None  # stop right after this action
    officer: Staff | None = None  # dispatch to this officer
    squeeze: bool = False  # fit every step before `now` instead of cutting
    approve_extension: bool = True
    reassign: bool = False


@dataclass(slots=True)
class Outcome:
    report: Report
    timeline: list[TimelineRow]
    photos: list[PhotoRow]
    rating: int | None = None
    dispatched_at: datetime | None = None
    completed_at: datetime | None = None
    validated_at: datetime | None = None
    updated_at: datetime | None = None


class _Cut(Exception):
    """The story ends here (the next step is in the future, or a forced stop)."""


@dataclass(slots=True)
class _Sim:
    rng: random.Random
    world: World
    report: Report
    now: datetime
    plan: Plan
    before_pool: tuple[str, ...]
    after_pool: tuple[str, ...]
    t: datetime = field(init=False)
    out: Outcome = field(init=False)

    def __post_init__(self) -> None:
        self.t = self.report.received_at
        received = TimelineRow(
            at=self.t,
            event="received",
            actor_id=None,
            actor_name="",
            actor_role="",
            status_from=None,
            status_to=Status.BARU.value,
            note=CHANNELS[self.report.channel].name,
            percent=None,
        )
        self.out = Outcome(self.report, [received], [], updated_at=self.t)

    def hours(self, mean: float) -> timedelta:
        return timedelta(hours=self.rng.expovariate(1.0 / mean))

    def do(
        self,
        mean_h: float,
        staff: Staff,
        action: Action,
        payload: dict[str, Any] | None = None,
        *,
        note: str = "",
        photo: tuple[str, PhotoKind] | None = None,
    ) -> None:
        at = self.t + self.hours(mean_h) + timedelta(minutes=1)
        if at > self.now:
            if not self.plan.squeeze:
                raise _Cut
            at = self.t + (self.now - self.t) * self.rng.uniform(0.2, 0.6)
        body = dict(payload or {})
        if photo is not None:
            body["photo"] = {"sha256": photo[0], "kind": photo[1].value}
        actor = Actor(staff.id, staff.role, staff.unit_id)
        status_from = self.report.status
        self.report = apply(self.report, actor, action, body)
        self.t = at
        self.out.updated_at = at
        self.out.timeline.append(
            TimelineRow(
                at=at,
                event=action.value,
                actor_id=staff.id,
                actor_name=staff.name,
                actor_role=staff.role.value,
                status_from=status_from.value,
                status_to=self.report.status.value,
                note=note,
                percent=body.get("percent") if action is Action.PROGRESS else None,
            )
        )
        if photo is not None:
            self._photo(photo, staff, at)
        if action in (Action.DISPATCH, Action.REASSIGN):
            self.out.dispatched_at = at
        elif action is Action.COMPLETE:
            self.out.completed_at = at
        elif action is Action.APPROVE:
            self.out.validated_at = at
        if action is self.plan.stop_at:
            raise _Cut

    def _photo(self, photo: tuple[str, PhotoKind], staff: Staff, at: datetime) -> None:
        lat, lon = self.report.latitude, self.report.longitude
        if lat is not None and lon is not None:  # taken at the scene, a few metres off
            lat = round(lat + self.rng.gauss(0, 12) / 111_320, 6)
            lon = round(lon + self.rng.gauss(0, 12) / 110_500, 6)
        self.out.photos.append(
            PhotoRow(photo[0], photo[1], lat, lon, round(self.rng.uniform(4, 30), 1), at, staff.id)
        )

    def pick_photo(self, kind: PhotoKind) -> tuple[str, PhotoKind]:
        pool = self.before_pool if kind is PhotoKind.BEFORE else self.after_pool
        used = {p.sha256 for p in self.out.photos}
        free = [sha for sha in pool if sha not in used]
        return self.rng.choice(free), kind

    # --- who acts ----------------------------------------------------------------------

    def supervisor(self) -> Staff:
        return self.world.supervisor_by_unit[self.report.unit_id]

    def officers(self) -> tuple[Staff, ...]:
        return self.world.officers_by_unit[self.report.unit_id]

    def validator(self) -> Staff:
        return self.rng.choice(self.world.validators)

    def coordinator(self) -> Staff:
        return self.rng.choice(self.world.coordinators)


def _work(sim: _Sim, category: str) -> None:
    """From `baru` at the current unit to `selesai` (or wherever the story is cut)."""
    rng, plan = sim.rng, sim.plan
    sup = sim.supervisor()
    team = sim.officers()
    officer = plan.officer if plan.officer is not None else rng.choice(team)
    sim.do(5.0, sup, Action.DISPATCH, {"assignee_id": officer.id}, note="")
    if plan.reassign and len(team) > 1:
        officer = rng.choice([o for o in team if o.id != officer.id])
        sim.do(2.0, sup, Action.REASSIGN, {"assignee_id": officer.id}, note="Dialihkan.")
    sim.do(1.5, officer, Action.ACCEPT)
    slow = 1.0
    if plan.kind is StoryKind.EXTENSION:
        reason = text.pick(rng, text.EXTENSION_REASONS)
        proposed = sim.report.deadline + timedelta(days=rng.randint(7, 14))
        sim.do(
            4.0,
            officer,
            Action.REQUEST_EXTENSION,
            {"reason": reason, "proposed_deadline": iso(proposed)},
            note=reason,
        )
        if plan.approve_extension:
            sim.do(10.0, sup, Action.APPROVE_EXTENSION, {"note": "Disetujui."}, note="Disetujui.")
            slow = 5.0  # the approved extension was asked for because the work is long
        else:
            no = text.pick(rng, text.REFUSE_EXTENSION_NOTES)
            sim.do(10.0, sup, Action.REFUSE_EXTENSION, {"note": no}, note=no)
    sim.do(3.0, officer, Action.START)
    if rng.random() < 0.7:
        sim.do(0.3, officer, Action.ADD_PHOTO, photo=sim.pick_photo(PhotoKind.BEFORE))
    if rng.random() < 0.5 or slow > 1:
        pct = rng.choice((25, 30, 40, 50, 60, 70))
        note = text.pick(rng, text.PROGRESS_NOTES)
        sim.do(6.0 * slow, officer, Action.PROGRESS, {"percent": pct, "note": note}, note=note)
    done = text.DONE_NOTES.get(category, text.DEFAULT_DONE_NOTE)
    sim.do(
        14.0 * slow,
        officer,
        Action.COMPLETE,
        {"note": done},
        note=done,
        photo=sim.pick_photo(PhotoKind.AFTER),
    )
    if plan.kind is StoryKind.REWORK:
        back = text.pick(rng, text.SEND_BACK_NOTES)
        sim.do(8.0, sim.validator(), Action.SEND_BACK, {"note": back}, note=back)
        note = "Penanganan ulang dilakukan."
        sim.do(8.0, officer, Action.PROGRESS, {"percent": 80, "note": note}, note=note)
        sim.do(
            8.0,
            officer,
            Action.COMPLETE,
            {"note": done},
            note=done,
            photo=sim.pick_photo(PhotoKind.AFTER),
        )
    sim.do(10.0, sim.validator(), Action.APPROVE)
    if rng.random() < 0.75:
        sim.out.rating = rng.choices((5, 4, 3, 2, 1), weights=(55, 25, 10, 5, 5))[0]


def _story(sim: _Sim, category: str, kota: str) -> None:
    rng, plan = sim.rng, sim.plan
    if plan.kind is StoryKind.UNTOUCHED:
        return
    if plan.kind is StoryKind.CLOSE:
        reason = text.pick(rng, text.CLOSE_REASONS)
        sim.do(6.0, sim.coordinator(), Action.CLOSE, {"reason": reason}, note=reason)
        return
    if plan.kind is StoryKind.REROUTE:
        target = sim.world.sudin_for(category, kota)
        assert target is not None, f"no suku dinas for {category}"
        unit_name = next(u.unit.name for u in sim.world.units if u.unit.id == target)
        reason = f"Bukan kewenangan kelurahan; kewenangan {unit_name}."
        if rng.random() < 0.6:
            sim.do(
                4.0, sim.supervisor(), Action.RETURN_NOT_OUR_DUTY, {"reason": reason}, note=reason
            )
        else:
            officer = rng.choice(sim.officers())
            sim.do(5.0, sim.supervisor(), Action.DISPATCH, {"assignee_id": officer.id})
            sim.do(1.5, officer, Action.ACCEPT)
            sim.do(3.0, officer, Action.RETURN_NOT_OUR_DUTY, {"reason": reason}, note=reason)
        note = f"Dialihkan ke {unit_name}."
        sim.do(8.0, sim.coordinator(), Action.REROUTE, {"unit_id": target, "note": note}, note=note)
    _work(sim, category)


def simulate(
    rng: random.Random,
    world: World,
    draft: Report,
    plan: Plan,
    now: datetime,
    kota: str,
    before_pool: tuple[str, ...],
    after_pool: tuple[str, ...],
) -> Outcome:
    """The report after its story, with its timeline and photos."""
    sim = _Sim(rng, world, draft, now, plan, before_pool, after_pool)
    with contextlib.suppress(_Cut):
        _story(sim, draft.category, kota)
    if sim.report.status is not Status.SELESAI:
        sim.out.rating = None
    sim.out.report = sim.report
    return sim.out
