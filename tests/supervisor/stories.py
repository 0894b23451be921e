"""Report histories for the supervisor tests, driven through the real domain rules.

A `Story` starts as a `baru` report and takes actions with `domain.apply` (so every
state is legal), writing the timeline entries the server would; `snapshot()` gives the
`ReportSnapshot` a pull would carry. `fill(db, snaps)` stores snapshots in a real
device database through the real pull path (`local_db.apply_page`).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import local_db
from domain import Action, Actor, PhotoKind, Report, Role, Status, apply
from domain.protocol import (
    Change,
    ChangeOp,
    Entity,
    PhotoRef,
    PullPage,
    ReportSnapshot,
    TimelineEntry,
    UserInfo,
)

UNIT = "kel-3171061002"
OTHER_UNIT = "kel-3171061003"
SUP = Actor("sup-1", Role.SUPERVISOR, UNIT)
VAL = Actor("val-1", Role.VALIDATOR, None)
OFFICERS = (
    UserInfo("off-1", "budi", "Budi Santoso", Role.OFFICER, UNIT, "Kel. Menteng"),
    UserInfo("off-2", "ani", "Ani Wijaya", Role.OFFICER, UNIT, "Kel. Menteng"),
    UserInfo("off-3", "cahya", "Cahya Putra", Role.OFFICER, UNIT, "Kel. Menteng"),
)
NAMES = {u.id: u.name for u in OFFICERS}
SUPERVISOR_INFO = UserInfo("sup-1", "supervisor", "Sri Supervisor", Role.SUPERVISOR, UNIT, "")
VALIDATOR_INFO = UserInfo("val-1", "validator", "Vina Validator", Role.VALIDATOR, None, "")
KELURAHAN = (("3171061002", "Menteng"), ("3171061003", "Cikini"), ("3171061004", "Gondangdia"))
AFTER = {"sha256": "a" * 64, "kind": "after"}
BEFORE = {"sha256": "b" * 64, "kind": "before"}
REDONE = {"sha256": "c" * 64, "kind": "after"}


def officer(oid: str) -> Actor:
    return Actor(oid, Role.OFFICER, UNIT)


@dataclass
class Story:
    report: Report
    timeline: list[TimelineEntry] = field(default_factory=list)
    photos: list[PhotoRef] = field(default_factory=list)
    rating: int | None = None
    t: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.t = self.report.received_at
        self.timeline.append(TimelineEntry(self.t, "received", status_to="baru"))

    @classmethod
    def new(
        cls,
        rid: str,
        received: datetime,
        *,
        category: str = "jalan",
        kelurahan: tuple[str, str] = KELURAHAN[0],
        unit: str = UNIT,
        lat: float | None = -6.19,
        lon: float | None = 106.83,
        sla_days: int = 7,
    ) -> Story:
        return cls(
            Report(
                id=rid,
                tracking_id=f"CRM-2026-{rid}",
                status=Status.BARU,
                category=category,
                channel="jaki",
                unit_id=unit,
                received_at=received,
                sla_days=sla_days,
                title=f"Laporan {rid}",
                address="Jl. Teuku Umar",
                latitude=lat,
                longitude=lon,
                kelurahan_code=kelurahan[0],
            )
        )

    def do(
        self,
        actor: Actor,
        action: Action,
        after: timedelta,
        payload: Mapping[str, Any] | None = None,
    ) -> Story:
        body = dict(payload or {})
        before = self.report.status
        self.report = apply(self.report, actor, action, body)
        self.t = self.t + after
        names = {**NAMES, SUP.user_id: "Sri Supervisor", VAL.user_id: "Vina Validator"}
        self.timeline.append(
            TimelineEntry(
                self.t,
                action.value,
                names.get(actor.user_id, ""),
                actor.role.value,
                before.value,
                self.report.status.value,
                str(body.get("note") or body.get("reason") or ""),
                body.get("percent") if action is Action.PROGRESS else None,
            )
        )
        photo = body.get("photo")
        if isinstance(photo, dict):
            taken = photo.get("captured_at")
            self.photos.append(
                PhotoRef(
                    photo["sha256"],
                    PhotoKind(photo["kind"]),
                    latitude=photo.get("latitude"),
                    longitude=photo.get("longitude"),
                    accuracy_m=photo.get("accuracy_m"),
                    captured_at=datetime.fromisoformat(taken) if taken else self.t,
                    taken_by=NAMES.get(actor.user_id, ""),
                )
            )
        return self

    # Common paths ---------------------------------------------------------------------

    def dispatch(self, oid: str, after: timedelta) -> Story:
        return self.do(SUP, Action.DISPATCH, after, {"assignee_id": oid})

    def work(self, after: timedelta) -> Story:
        """Accept, start and add an after photo (quickly, then `after` later)."""
        oid = self.report.assignee_id
        assert oid is not None
        me = officer(oid)
        self.do(me, Action.ACCEPT, timedelta(minutes=10))
        self.do(me, Action.START, timedelta(minutes=10))
        return self.do(me, Action.ADD_PHOTO, after, {"photo": AFTER})

    def complete(self, after: timedelta, photo: Mapping[str, Any] | None = None) -> Story:
        oid = self.report.assignee_id
        assert oid is not None
        payload = None if photo is None else {"photo": dict(photo)}
        return self.do(officer(oid), Action.COMPLETE, after, payload)

    def approve(self, after: timedelta, rating: int | None = None) -> Story:
        self.rating = rating
        return self.do(VAL, Action.APPROVE, after)

    def send_back(self, after: timedelta) -> Story:
        return self.do(VAL, Action.SEND_BACK, after, {"note": "Foto kurang jelas"})

    def snapshot(self) -> ReportSnapshot:
        assignee = self.report.assignee_id
        kel_name = dict(KELURAHAN).get(self.report.kelurahan_code or "", "")
        return ReportSnapshot(
            report=self.report.evolve(photo_kinds=frozenset(p.kind for p in self.photos)),
            unit_name="Kelurahan Menteng",
            assignee_name=NAMES.get(assignee or "", ""),
            kelurahan=kel_name,
            kecamatan="Menteng",
            kota="Jakarta Pusat",
            timeline=tuple(self.timeline),
            photos=tuple(self.photos),
            rating=self.rating,
            updated_at=self.t,
        )


def sign_in(db: local_db.LocalDb, user: UserInfo, at: datetime) -> None:
    local_db.sign_in(db, user, "http://127.0.0.1:1", at)


def fill(
    db: local_db.LocalDb,
    snaps: Iterable[ReportSnapshot],
    now: datetime,
    users: Sequence[UserInfo] = OFFICERS,
) -> None:
    changes = [Change(ChangeOp.UPSERT, Entity.USER, u.id, u.to_wire()) for u in users]
    changes += [Change(ChangeOp.UPSERT, Entity.REPORT, s.report.id, s.to_wire()) for s in snaps]
    for i in range(0, len(changes), 500):
        page = PullPage(tuple(changes[i : i + 500]), f"c{i}", i + 500 < len(changes), now)
        local_db.apply_page(db, page, now)


def random_stories(rng: random.Random, n: int, now: datetime) -> list[Story]:
    """A varied unit: every stage, overdue ones, extensions, rework, ratings."""
    out = []
    h = timedelta(hours=1)
    for i in range(n):
        received = now - timedelta(hours=rng.uniform(0.5, 40 * 24))
        kel = rng.choice(KELURAHAN)
        cat = rng.choice(("jalan", "pohon", "sampah", "parkir_liar"))
        lat = None if rng.random() < 0.1 else -6.19 + rng.uniform(-0.01, 0.01)
        s = Story.new(f"{i:05d}", received, category=cat, kelurahan=kel, lat=lat, lon=106.83)
        budget = now - received

        def fits(delta: timedelta, s: Story = s) -> bool:
            return s.t + delta + timedelta(minutes=30) < now

        stop = rng.random()
        d = h * rng.uniform(0.2, 20)
        if stop < 0.15 or not fits(d):
            out.append(s)
            continue
        s.dispatch(rng.choice(OFFICERS).id, d)
        if stop < 0.25 and rng.random() < 0.5 and fits(h):
            s.do(SUP, Action.REASSIGN, h, {"assignee_id": rng.choice(OFFICERS).id})
        d = h * rng.uniform(1, 100)
        if stop < 0.35 or not fits(d):
            out.append(s)
            continue
        s.work(d)
        if stop < 0.42 and fits(h):
            proposed = s.report.deadline + timedelta(days=rng.choice((3, 10)))
            oid = s.report.assignee_id
            assert oid is not None
            s.do(officer(oid), Action.REQUEST_EXTENSION, h, {
                "reason": "Menunggu alat berat",
                "proposed_deadline": proposed.isoformat(),
            })  # fmt: skip
            if rng.random() < 0.5 and fits(h):
                s.do(SUP, Action.APPROVE_EXTENSION, h)
            out.append(s)
            continue
        d = h * rng.uniform(1, 60)
        if stop < 0.5 or not fits(d):
            out.append(s)
            continue
        s.complete(d)
        if rng.random() < 0.2 and fits(h * 3):
            s.send_back(h)
            s.complete(h * 2, photo=REDONE)  # a rework needs a new after photo
        d = h * rng.uniform(1, 30)
        if stop < 0.6 or not fits(d):
            out.append(s)
            continue
        s.approve(d, rating=rng.choice((None, 3, 4, 5)))
        assert budget > timedelta(0)
        out.append(s)
    return out


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
