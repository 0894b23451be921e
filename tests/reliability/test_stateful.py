"""Many devices, many roles: random interleavings converge, and nothing is lost or doubled.

A hypothesis `RuleBasedStateMachine` drives five devices, each a real SQLite file with
the real sync engine, against the real reference server over loopback (through the TCP
fault proxy and the HTTP fault wrapper): officer Andi on a phone and on a desktop,
officer Budi, the supervisor and the validator. Its rules: a device goes offline or
back online; a device records any action its local rules allow (accept, start,
progress, photos, complete, extension request/approve/refuse, dispatch/reassign,
approve/send back); a device syncs, clean or cut before the server answers (a gateway
error, a request cut upstream) or after it did the work (a lost answer, a 504, a cut
downstream at a random byte); a device restarts; the officer resends or dismisses a
Perlu perhatian item. Some rules set up the hard interleavings on purpose (reassign
while the officer is offline, the same officer on two devices on one report, send back
while photos are uploading, two extension requests racing); every sync counts the ones
that really reached the server.

Checked after every step, on every device: the file's invariants
(`devicecheck.check_device`: integrity, outbox <-> timeline, pending markers, photos of
unsent work), and no device photo shown that the report does not hold on the server,
unless unsent work or a Perlu perhatian item needs it (a dismissed photo leaves with
its row and file). After every successful sync: the device shows each report without
unsent work exactly as the server does for its user (status, assignee, deadlines,
extension, photos, timeline length). At the end (all online, synced until quiet): every
locally recorded action is applied exactly once, or is in that device's Perlu perhatian
with a reason, or the officer dismissed or resent it; nothing applied twice; every
photo byte-identical on the server; every device equals the server's view.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

import local_db
from domain import Action, PhotoKind, Status
from local_db import ActionRefusedLocally
from server.db import read_tx
from server.schema import mutations
from sync import SyncReport
from tests.support.api import ApiClient
from tests.support.device import Device
from tests.support.devicecheck import check_device
from tests.support.faultproxy import Fault, FaultProxy
from tests.support.faulttransport import HttpFault
from tests.support.photos import new_photo
from tests.support.roles import random_role_action
from tests.support.scale import scaled
from tests.support.servercheck import (
    check_applied_once,
    check_photos_stored,
    diff_views,
    recorded_mutations,
    snapshot_key,
)
from tests.support.world import Person, World, seed_reports, small_world

PHONE, DESKTOP, BUDI, SUPERVISOR, VALIDATOR = "phone", "desktop", "budi", "supervisor", "validator"
DEVICES = (PHONE, DESKTOP, BUDI, SUPERVISOR, VALIDATOR)
OFFICER_DEVICES = (PHONE, DESKTOP, BUDI)
ANDI = (PHONE, DESKTOP)
UNSENT = ("pending", "sent", "held")

# How a sync is cut: before the server does the work, or after it did (answer lost).
CUTS: dict[str, HttpFault | None] = {
    "clean": None,
    "before push (gateway 502)": HttpFault.gateway_error(502, match="POST /v1/sync/push"),
    "before photo (gateway 503)": HttpFault.gateway_error(503, match="PUT /v1/photos/"),
    "after push (answer lost)": HttpFault.lose_response(match="POST /v1/sync/push"),
    "after push (504)": HttpFault.answered_then_error(504, match="POST /v1/sync/push"),
    "after photo chunk (answer lost)": HttpFault.lose_response(match="PUT /v1/photos/"),
    "after pull (half JSON)": HttpFault.truncated_json(match="GET /v1/sync/pull"),
    "captive portal": HttpFault.captive_portal(),
}
MARKERS = (b"POST /v1/sync/push", b"GET /v1/sync/pull", b"PUT /v1/photos/", None)
SMALL = (160, 120)  # photos: real JPEGs, small enough to keep a step cheap

# What a step does, by weight (hypothesis shrinks towards the first: a plain sync).
WEIGHTS = {
    "sync": 24,
    "sync_cut_at_a_random_byte": 6,
    "work": 22,
    "take_photo": 8,
    "network": 10,
    "restart": 4,
    "resend": 5,
    "dismiss": 6,
    "reassign_while_officer_offline": 4,
    "same_officer_two_devices_one_report": 5,
    "send_back_while_photos_upload": 6,
}
# CI's run: EXAMPLES runs of STEPS steps (TINDAK_RELIABILITY_SCALE multiplies the runs).
EXAMPLES, STEPS = 6, 40
PLAN = tuple(kind for kind, n in WEIGHTS.items() for _ in range(n))

STATS: Counter[str] = Counter()
HARD: Counter[str] = Counter()
FIRST_FAILURE: dict[str, Any] = {}
STARTED = [0.0]


def _failed(what: str) -> None:
    """Remember when the first failure happened (before hypothesis shrinks it)."""
    if not FIRST_FAILURE:
        FIRST_FAILURE.update(
            what=what,
            run=STATS["runs"],
            steps=STATS["steps"],
            seconds=round(time.monotonic() - STARTED[0], 1),
        )


def _query(device: Device, sql: str, *args: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(f"file:{device.path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def photos_shown_without_reason(device: Device) -> list[str]:
    """Device photos the report does not hold on the server that nothing unsent and no
    Perlu perhatian item needs: the screen would show them as waiting for good."""
    needed = {
        (r["report_id"], r["sha"])
        for r in _query(
            device,
            "SELECT outbox.report_id, dep.value AS sha FROM outbox, "
            "json_each(outbox.depends_on) AS dep WHERE outbox.state IN (?, ?, ?)",
            *UNSENT,
        )
    }
    kept = {
        (r["report_id"], r["sha"])
        for r in _query(
            device,
            "SELECT attention.report_id, json_extract(p.value, '$.sha256') AS sha "
            "FROM attention, json_each(attention.photos) AS p",
        )
    }
    return [
        f"{r['report_id']}/{r['sha256'][:12]} ({r['upload_state']})"
        for r in _query(device, "SELECT * FROM photos WHERE origin = 'device' AND on_server = 0")
        if (r["report_id"], r["sha256"]) not in needed | kept
    ]


@dataclass
class Handset:
    """One device of the fleet and what the test knows about it."""

    name: str
    person: Person
    device: Device
    offline: bool = False
    dismissed: set[str] = field(default_factory=set)  # mutation ids the officer let go
    resent: set[str] = field(default_factory=set)  # ids replaced by a retry (new id)
    dropped_photos: set[str] = field(default_factory=set)  # photos of dismissed items

    def set_offline(self, offline: bool) -> None:
        self.offline = offline
        self.device.http.offline = offline

    def unsent(self) -> list[sqlite3.Row]:
        return _query(
            self.device,
            "SELECT id, action, report_id FROM outbox WHERE state IN (?, ?, ?)",
            *UNSENT,
        )

    def status_of(self, report_id: str) -> Status | None:
        rows = _query(self.device, "SELECT status FROM reports WHERE id = ?", report_id)
        return Status(rows[0]["status"]) if rows else None

    def unsent_reports(self) -> set[str]:
        return {r["report_id"] for r in self.unsent()}

    def uploading_on(self) -> set[str]:
        """Reports with a photo of this device not on the server yet."""
        return {
            r["report_id"]
            for r in _query(
                self.device,
                "SELECT report_id FROM photos WHERE origin = 'device' "
                "AND upload_state IN ('pending', 'uploading')",
            )
        }


class Fleet(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="tindak-fleet-"))
        self.stack = ExitStack()
        self.world: World = self.stack.enter_context(
            small_world(self.folder / "server", n_reports=6)
        )
        seed_reports(self.world, 2, random.Random(7), dispatch=False)  # for the supervisor
        self.proxy = self.stack.enter_context(FaultProxy("127.0.0.1", self.world.server.port))
        w = self.world
        people = {
            PHONE: w.officer,
            DESKTOP: w.officer,
            BUDI: w.officer2,
            SUPERVISOR: w.supervisor,
            VALIDATOR: w.validator,
        }
        self.fleet: dict[str, Handset] = {}
        for name, person in people.items():
            device = Device(self.folder / name, self.proxy.url, person.username, person.password)
            self.fleet[name] = Handset(name, person, device)
            device.login()
            device.sync_clean()
        self.officers = (w.officer.id, w.officer2.id)
        self.observers: dict[str, ApiClient] = {}
        self.broken = False  # a check failed in this run: no verdict on top of it
        self.touched: set[str] = set(DEVICES)
        self.n = 0  # steps taken in this run
        STATS["runs"] += 1

    # --- helpers --------------------------------------------------------------------

    def _fail(self, what: str) -> None:
        self.broken = True
        _failed(what)

    def _observer(self, person: Person) -> ApiClient:
        if person.id not in self.observers:
            # Straight to the server (not through the proxy): the server's truth.
            self.observers[person.id] = ApiClient(
                self.world.base_url, person.username, person.password
            )
        return self.observers[person.id]

    def _server_view(self, person: Person) -> dict[str, dict[str, Any]]:
        return {rid: snapshot_key(w) for rid, w in self._observer(person).visible_reports().items()}

    def _record(self, h: Handset, seed: int, **kw: Any) -> bool:
        entry = random_role_action(
            h.device.db,
            h.device.engine.now_server(),
            random.Random(seed),
            h.device.photo_dir,
            self.officers,
            photo_size=SMALL,
            **kw,
        )
        if entry is not None:
            h.device.created.append(entry.id)
            STATS[f"actions recorded: {entry.action.value}"] += 1
        return entry is not None

    def _count_hard_cases(self, h: Handset, before: list[sqlite3.Row]) -> None:
        """Which of the hard interleavings this sync really carried to the server."""
        assert self.world.server.engine is not None
        recorded = recorded_mutations(self.world.server.engine, h.person.id)
        for r in before:
            m = recorded.get(r["id"])
            if m is None or m.outcome != "applied":
                continue
            action, rid = Action(r["action"]), r["report_id"]
            if action is Action.REASSIGN and any(
                self.fleet[o].offline and rid in self._holds(self.fleet[o]) for o in OFFICER_DEVICES
            ):
                HARD["reassign while the officer is offline"] += 1
            if action is Action.SEND_BACK and any(
                rid in self.fleet[o].uploading_on() or rid in self.fleet[o].unsent_reports()
                for o in OFFICER_DEVICES
            ):
                HARD["send back while the officer's photos/work are on the way"] += 1
            if h.name in ANDI:
                other = self.fleet[DESKTOP if h.name == PHONE else PHONE]
                theirs = [u for u in other.unsent() if u["report_id"] == rid]
                if theirs:
                    HARD["same officer, two devices, one report"] += 1
                if action is Action.REQUEST_EXTENSION and any(
                    u["action"] == Action.REQUEST_EXTENSION.value for u in theirs
                ):
                    HARD["two extension requests racing"] += 1

    def _holds(self, h: Handset) -> set[str]:
        return {r["id"] for r in _query(h.device, "SELECT id FROM reports")}

    def _check_view(self, h: Handset) -> None:
        """After a successful pass: every report without unsent work looks as on the server."""
        busy = h.unsent_reports()
        device = {k: v for k, v in h.device.view().items() if k not in busy}
        server = {k: v for k, v in self._server_view(h.person).items() if k not in busy}
        problems = diff_views(device, server)
        if problems:
            self._fail(f"{h.name} disagrees with the server after a sync")
        assert not problems, f"{h.name} after a sync:\n" + "\n".join(problems)

    # --- the step: one of the activities below, by weight ---------------------------

    @initialize(seed=st.integers(0, 2**31))
    def hard_cases_first(self, seed: int) -> None:
        """Every run starts with each hard interleaving set up once (the random steps
        then decide how it plays out), so even a short run meets all of them."""
        rnd = random.Random(seed)
        self.touched = set(DEVICES)
        self.reassign_while_officer_offline(self.fleet[SUPERVISOR], rnd)
        self.same_officer_two_devices_one_report(self.fleet[PHONE], rnd, racing=True)
        self.send_back_while_photos_upload(self.fleet[VALIDATOR], rnd)

    @rule(
        kind=st.sampled_from(PLAN),
        name=st.sampled_from(DEVICES),
        seed=st.integers(0, 2**31),
    )
    def step(self, kind: str, name: str, seed: int) -> None:
        STATS["steps"] += 1
        STATS[f"step: {kind}"] += 1
        h = self.fleet[name]
        self.touched = {name}
        self.n += 1
        # One generator per step, from the drawn seed and the step's place in the run:
        # deterministic for a given sequence of steps (hypothesis replays it exactly),
        # and varied even when hypothesis draws the same small seed again.
        try:
            getattr(self, kind)(h, random.Random(f"{seed}-{self.n}"))
        except Exception as exc:  # e.g. a raw database error escaping an action
            self._fail(f"{kind} on {name}: {exc!r}")
            raise

    def sync(self, h: Handset, rnd: random.Random) -> None:
        cut = rnd.choice(sorted(CUTS))
        http = CUTS[cut]
        if http is not None:
            h.device.http.arm(http)
        self._sync(h, cut)

    def sync_cut_at_a_random_byte(self, h: Handset, rnd: random.Random) -> None:
        upstream = rnd.random() < 0.5
        nbytes = rnd.randint(0, 600) if rnd.random() < 0.8 else rnd.randint(0, 20_000)
        fault = Fault.cut_upstream if upstream else Fault.cut_downstream
        self.proxy.set(fault(nbytes, after=rnd.choice(MARKERS)))
        cuts = self.proxy.stats.cuts
        self._sync(h, "tcp cut " + ("before" if upstream else "after") + " the server")
        if self.proxy.stats.cuts > cuts:
            STATS["tcp cuts fired (" + ("before" if upstream else "after") + " the server)"] += 1

    def _sync(self, h: Handset, how: str) -> SyncReport:
        self.touched.add(h.name)
        before = h.unsent()
        try:
            report = h.device.sync()
        finally:
            h.device.http.disarm()
            self.proxy.set(Fault.passthrough())
        STATS["sync passes ok" if report.ok else "sync passes failed (offline or cut)"] += 1
        if not h.offline:
            STATS[f"syncs: {how}"] += 1
        self._count_hard_cases(h, before)
        if report.ok:
            self._check_view(h)
        return report

    def network(self, h: Handset, rnd: random.Random) -> None:
        h.set_offline(rnd.random() < 0.4)

    def work(self, h: Handset, rnd: random.Random) -> None:
        for _ in range(rnd.randint(1, 3)):
            self._record(h, rnd.getrandbits(32))

    def take_photo(self, h: Handset, rnd: random.Random) -> None:
        if h.name in OFFICER_DEVICES:
            self._record(h, rnd.getrandbits(32), only=Action.ADD_PHOTO)

    def restart(self, h: Handset, rnd: random.Random) -> None:
        h.device.restart()
        h.set_offline(h.offline)

    def resend(self, h: Handset, rnd: random.Random) -> None:
        items = [i for i in local_db.attention_items(h.device.db) if i.action is not None]
        if not items:
            return
        item = rnd.choice(items)
        try:
            entry = local_db.retry_attention(h.device.db, item.id, h.device.engine.now_server())
        except ActionRefusedLocally:
            STATS["resends refused by the local rules (item kept)"] += 1
            return
        if entry is not None:
            assert item.mutation_id is not None
            h.resent.add(item.mutation_id)
            h.device.created.append(entry.id)
            STATS["resends queued"] += 1

    def dismiss(self, h: Handset, rnd: random.Random) -> None:
        items = local_db.attention_items(h.device.db)
        if not items:
            return
        item = rnd.choice(items)
        if item.mutation_id is not None:
            h.dismissed.add(item.mutation_id)
        h.dropped_photos.update(p.sha256 for p in item.photos)
        local_db.dismiss_attention(h.device.db, item.id)
        STATS[f"dismissed: {item.kind.value}"] += 1

    # --- the hard interleavings, set up on purpose -----------------------------------

    def reassign_while_officer_offline(self, h: Handset, rnd: random.Random) -> None:
        officer = self.fleet[rnd.choice(OFFICER_DEVICES)]
        self.touched.add(officer.name)
        officer.set_offline(True)
        self._record(officer, rnd.getrandbits(32))  # work the office does not know of
        sup = self.fleet[SUPERVISOR]
        self.touched.add(SUPERVISOR)
        if self._record(sup, rnd.getrandbits(32), only=Action.REASSIGN) and not sup.offline:
            self._sync(sup, "clean")

    def same_officer_two_devices_one_report(
        self, h: Handset, rnd: random.Random, racing: bool | None = None
    ) -> None:
        """Andi works on one report on the phone and on the desktop before either syncs
        (half the time both ask for more time: two extension requests racing)."""
        phone, desktop = self.fleet[PHONE], self.fleet[DESKTOP]
        self.touched.update(ANDI)
        rid = self._andis_report(rnd, Status.DITERIMA)
        if rid is None:
            return
        racing = rnd.random() < 0.5 if racing is None else racing
        only = Action.REQUEST_EXTENSION if racing else None
        for one in (phone, desktop):
            self._record(one, rnd.getrandbits(32), only=only, report_id=rid)

    def send_back_while_photos_upload(self, h: Handset, rnd: random.Random) -> None:
        """The desktop completes; the phone (not yet told) adds a photo offline; the
        validator sends the work back before the phone's photo is up."""
        phone, desktop, val = self.fleet[PHONE], self.fleet[DESKTOP], self.fleet[VALIDATOR]
        self.touched.update((PHONE, DESKTOP, VALIDATOR))
        if val.offline:
            return
        rid = self._andis_report(rnd, Status.DALAM_PROSES)
        if rid is None:
            return
        now = desktop.device.engine.now_server()
        actor = local_db.actor(desktop.device.db)
        assert actor is not None
        try:
            photo = new_photo(desktop.device.photo_dir, rnd, PhotoKind.AFTER, now, SMALL)
            done = local_db.add_photo(desktop.device.db, actor, rid, photo, now)
            desktop.device.created.append(done.id)
            fin = local_db.record_action(
                desktop.device.db, actor, rid, Action.COMPLETE, {"note": "Selesai"}, now
            )
            desktop.device.created.append(fin.id)
        except ActionRefusedLocally:
            return
        was_offline = phone.offline
        phone.set_offline(True)
        self._record(phone, rnd.getrandbits(32), only=Action.ADD_PHOTO, report_id=rid)
        self._sync(desktop, "clean")
        self._sync(val, "clean")
        if self._record(val, rnd.getrandbits(32), only=Action.SEND_BACK, report_id=rid):
            self._sync(val, "clean")
        phone.set_offline(was_offline)

    def _andis_report(self, rnd: random.Random, at_least: Status) -> str | None:
        """One of Andi's working reports, moved on (accept, start: recorded on the phone
        and synced to the desktop) until it is at least `at_least`; both devices online.
        None if Andi has none."""
        phone, desktop = self.fleet[PHONE], self.fleet[DESKTOP]
        phone.set_offline(False)
        desktop.set_offline(False)
        self._sync(phone, "clean")
        now = phone.device.engine.now_server()
        # By tracking id (the server numbers reports in order), not by the random uuid:
        # a replay of the same steps must pick the same report.
        mine = sorted(
            (i.report.tracking_id, i.report.id)
            for i in local_db.queue(phone.device.db, now=now, limit=500)
            if i.report.status in (Status.DIDISPOSISIKAN, Status.DITERIMA, Status.DALAM_PROSES)
        )
        if not mine:
            return None
        rid = rnd.choice(mine)[1]
        order = (Status.DIDISPOSISIKAN, Status.DITERIMA, Status.DALAM_PROSES)
        for status, action in (
            (Status.DIDISPOSISIKAN, Action.ACCEPT),
            (Status.DITERIMA, Action.START),
        ):
            shown = phone.status_of(rid)
            if shown is status and order.index(at_least) > order.index(status):
                self._record(phone, rnd.getrandbits(32), only=action, report_id=rid)
        self._sync(phone, "clean")
        self._sync(desktop, "clean")
        return rid if desktop.status_of(rid) is at_least else None

    # --- invariants -----------------------------------------------------------------

    @invariant()
    def every_device_file_keeps_its_invariants(self) -> None:
        for h in self._touched():
            try:
                check_device(h.device.path, hash_files=False)
            except AssertionError:
                self._fail(f"{h.name}: device invariant")
                raise

    @invariant()
    def no_photo_shown_that_the_report_does_not_hold(self) -> None:
        for h in self._touched():
            stray = photos_shown_without_reason(h.device)
            if stray:
                self._fail(f"{h.name}: photo shown that the server does not have")
            assert not stray, (
                f"{h.name}: device photos not on the server, with no unsent work and no "
                f"Perlu perhatian item: {stray}"
            )

    def _touched(self) -> list[Handset]:
        """The devices the last step changed (the others' files did not move)."""
        return [self.fleet[n] for n in sorted(self.touched)]

    # --- the verdict ----------------------------------------------------------------

    def _sync_until_quiet(self) -> None:
        assert self.world.server.engine is not None
        for h in self.fleet.values():
            h.set_offline(False)
        for _ in range(10):
            with read_tx(self.world.server.engine) as conn:
                before = conn.execute(select(func.count()).select_from(mutations)).scalar()
            for h in self.fleet.values():
                h.device.sync_clean()
            with read_tx(self.world.server.engine) as conn:
                after = conn.execute(select(func.count()).select_from(mutations)).scalar()
            if after == before:
                return  # a whole round changed nothing: every device pulled the last state
        raise AssertionError("the fleet did not go quiet in 10 rounds")

    def verdict(self) -> None:
        assert self.world.server.engine is not None
        engine = self.world.server.engine
        self._sync_until_quiet()
        for h in self.fleet.values():
            d = h.device
            facts = check_device(d.path)
            recorded = recorded_mutations(engine, h.person.id)
            attention = d.attention()
            phantom = [
                i
                for i, m in recorded.items()
                if m.device_id == facts.device_id and i not in d.created
            ]
            assert not phantom, f"{h.name}: the server holds mutations it never made: {phantom}"
            lost: list[str] = []
            for mid in d.created:
                m = recorded.get(mid)
                let_go = mid in h.dismissed or mid in h.resent
                if m is None:
                    ok = let_go or attention.get(mid) == "depends_on_rejected"
                    STATS["verdict: held, in Perlu perhatian or let go"] += ok
                elif m.outcome == "applied":
                    ok = True
                    STATS["verdict: applied exactly once"] += 1
                else:
                    ok = mid in attention or let_go
                    STATS["verdict: refused, in Perlu perhatian or let go"] += ok
                if not ok:
                    lost.append(f"{mid} ({m.outcome if m else 'unknown to the server'})")
            assert not lost, f"{h.name}: LOST mutations: {lost}"
            assert not d.attention_without_reason(), f"{h.name}: attention without a reason"
            assert not facts.unsent - set(attention), f"{h.name}: unsent after going quiet"
            STATS["verdict: photos byte-identical"] += check_photos_stored(
                engine, self.world.settings, facts.device_photos
            )
            stray = photos_shown_without_reason(d)
            assert not stray, f"{h.name}: photos the server does not have: {stray}"
            kept = d.photos_in_attention() | set(facts.device_photos)
            for sha in h.dropped_photos - kept:
                gone = not (d.photo_dir / f"{sha}.jpg").exists()
                assert gone, f"{h.name}: the file of dismissed photo {sha[:12]} is still there"
            problems = diff_views(d.view(), self._server_view(h.person))
            assert not problems, f"{h.name} does not converge:\n" + "\n".join(problems)
            STATS["verdict: devices converged"] += 1
        for person in {h.person.id: h.person for h in self.fleet.values()}.values():
            check_applied_once(engine, person.id)

    def teardown(self) -> None:
        try:
            self.proxy.set(Fault.passthrough())
            if not self.broken:
                try:
                    self.verdict()
                except AssertionError as exc:
                    self._fail(f"verdict: {str(exc).splitlines()[0]}")
                    raise
        finally:
            for client in self.observers.values():
                client.close()
            for h in self.fleet.values():
                h.device.close()
            self.stack.close()
            shutil.rmtree(self.folder, ignore_errors=True)


def test_many_devices_many_roles_converge_and_lose_nothing(tally: Counter[str]) -> None:
    STATS.clear()
    HARD.clear()
    FIRST_FAILURE.clear()
    STARTED[0] = time.monotonic()
    try:
        run_state_machine_as_test(
            Fleet,
            settings=settings(
                max_examples=scaled(EXAMPLES),
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        took = time.monotonic() - STARTED[0]
        print(f"fleet: {STATS['runs']} runs, {STATS['steps']} steps in {took:.1f} s")
        for key in sorted(STATS):
            print(f"  {key}: {STATS[key]}")
        print("hard interleavings that reached the server:")
        for key in sorted(HARD):
            print(f"  {key}: {HARD[key]}")
        if FIRST_FAILURE:
            print(f"first failure: {FIRST_FAILURE}")
    tally["fleet runs"] += STATS["runs"]
    tally["fleet steps"] += STATS["steps"]
    for key in ("before", "after"):
        tally[f"fleet tcp cuts fired ({key} the server)"] += STATS[
            f"tcp cuts fired ({key} the server)"
        ]
    for key, n in HARD.items():
        tally[f"fleet hard case: {key}"] += n
    assert STATS["steps"] > 0
    # The hard interleavings must really happen, not just be possible.
    for case in (
        "reassign while the officer is offline",
        "same officer, two devices, one report",
        "send back while the officer's photos/work are on the way",
        "two extension requests racing",
    ):
        assert HARD[case] > 0, f"no {case!r} in {STATS['runs']} runs: {dict(HARD)}"
