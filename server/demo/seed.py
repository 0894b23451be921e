"""Write the demo dataset into the central database, in bulk, in one transaction.

Invariants:
- all or nothing: everything goes in the caller's transaction (or one of our own);
- refuses to seed twice (`AlreadySeeded` when a demo login exists);
- tracking ids continue the server's per-year counters (`CRM-<year>-<n:06d>`) and the
  counters are moved past them, so reports created later never collide;
- every seeded report and officer is published to the change feed for the users who see
  it, computed with the same rules as `server.scope` (a device that synced before the
  seed learns about the new reports on its next pull); the feed lock is taken last;
- rows go in with a driver-level `executemany` (SQLite) or `COPY` (PostgreSQL), each
  value still through its column type's bind processor (aware UTC datetimes);
- all seeded users share one argon2 hash of the demo password (hashing a thousand
  passwords would take minutes); the demo photos go through the photo store's checks.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, select, update

from domain import Role, Status
from domain.protocol import ChangeOp, Entity

from ..apikeys import create_api_key, list_api_keys, revoke_api_key
from ..auth import hash_password
from ..config import Settings
from ..db import lock_feed, write_tx
from ..errors import ServerError
from ..photos import store_photo
from ..schema import (
    counters,
    feed,
    report_photos,
    reporters,
    reports,
    timeline,
    units,
    users,
)
from ..wilayah import install_wilayah_units
from .generate import Dataset, generate
from .world import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin

DEFAULT_REPORTS = 5_000
DEFAULT_SEED = 2024
DEMO_KEY_LABEL = "Demo "
API_KEY_CHANNELS = ("jaki", "qlue", "twitter", "whatsapp_sms", "email", "lapor_1708")
CHUNK = 5_000  # rows per executemany call


class DemoError(ServerError):
    """Root of the seeder's refusals.

    DemoError
     ├── AlreadySeeded   the demo logins already exist
     └── UnitConflict    a kelurahan is already installed under another unit id
    """

    status = 409
    code = "conflict"

    def __init__(self, message_id: str, message_en: str) -> None:
        super().__init__(message_en, message_id)


class AlreadySeeded(DemoError):
    """The database already holds the demo logins."""


class UnitConflict(DemoError):
    """A kelurahan the demo staffs is installed under another unit id."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    seed: int
    reports: int
    units_added: int
    users: int
    reporters: int
    photos: int
    by_status: Mapping[str, int]
    overdue: int  # open reports past their deadline at `now`
    demo_queue: int  # open reports assigned to petugas.demo
    demo_unit: str
    logins: tuple[DemoLogin, ...]
    password: str
    api_keys: Mapping[str, str]  # channel -> plain key (demo keys only)
    seconds: float


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """A driver-level executemany: SQLAlchemy's per-row parameter handling would double
    the seeding time. Values still go through each column type's bind processor."""
    if not rows:
        return
    keys = list(rows[0])
    dialect = conn.dialect
    compiled = table.insert().compile(dialect=dialect, column_keys=keys)
    procs = [(k, table.c[k].type.dialect_impl(dialect).bind_processor(dialect)) for k in keys]
    live = [(k, p) for k, p in procs if p is not None]
    if dialect.name == "postgresql":  # COPY: one stream instead of a statement per row
        columns = ", ".join(f'"{k}"' for k in keys)
        cursor = conn.connection.cursor()
        try:
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    values = dict(row)
                    for k, p in live:
                        values[k] = p(values[k])
                    copy.write_row([values[k] for k in keys])
        finally:
            cursor.close()
        return
    order = list(compiled.positiontup or ())
    for i in range(0, len(rows), CHUNK):
        batch: list[Any] = []
        for row in rows[i : i + CHUNK]:
            values = dict(row)
            for k, p in live:
                values[k] = p(values[k])
            batch.append(tuple(values[k] for k in order) if order else values)
        conn.exec_driver_sql(str(compiled), batch)


def _units(conn: Connection, ds: Dataset) -> int:
    added = install_wilayah_units(conn)
    present = set(conn.execute(select(units.c.id)).scalars())
    rows = [
        {
            "id": du.unit.id,
            "kind": du.unit.kind.value,
            "name": du.unit.name,
            "parent_id": du.unit.parent_id,
            "kota": du.unit.kota,
            "kelurahan_code": du.kelurahan_code,
            "officers_see_open_queue": du.unit.officers_see_open_queue,
        }
        for du in ds.world.units
        if du.unit.id not in present
    ]
    clash = [r["id"] for r in rows if r["kelurahan_code"]]
    if clash:
        raise UnitConflict(
            f"{len(clash)} kelurahan (mis. {clash[0]}) sudah terpasang dengan id unit lain",
            f"{len(clash)} kelurahan (e.g. {clash[0]}) are installed under other unit ids",
        )
    _insert(conn, units, rows)
    return added + len(rows)


def _tracking_offsets(conn: Connection, years: set[int]) -> dict[int, int]:
    names = {f"tracking-{y}": y for y in years}
    held = conn.execute(
        select(counters.c.name, counters.c.value).where(counters.c.name.in_(names))
    ).tuples()
    offsets = dict.fromkeys(years, 0)
    for name, value in held:
        offsets[names[name]] = int(value)
    return offsets


def _move_counters(conn: Connection, offsets: dict[int, int], used: Counter[int]) -> None:
    for year, count in used.items():
        name, value = f"tracking-{year}", offsets[year] + count
        if offsets[year]:
            conn.execute(update(counters).where(counters.c.name == name).values(value=value))
        else:
            conn.execute(counters.insert().values(name=name, value=value))


def _report_rows(
    ds: Dataset, offsets: dict[int, int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    report_rows: list[dict[str, Any]] = []
    timeline_rows: list[dict[str, Any]] = []
    photo_rows: list[dict[str, Any]] = []
    for dr in ds.reports:
        o, r = dr.outcome, dr.outcome.report
        report_rows.append(
            {
                "id": r.id,
                "tracking_id": f"CRM-{dr.year}-{offsets[dr.year] + dr.ordinal:06d}",
                "status": r.status.value,
                "category": r.category,
                "channel": r.channel,
                "unit_id": r.unit_id,
                "assignee_id": r.assignee_id,
                "reporter_id": dr.reporter_id,
                "received_at": r.received_at,
                "sla_days": r.sla_days,
                "deadline": r.deadline,
                "extended_deadline": r.extended_deadline,
                "extension_state": r.extension.state.value,
                "extension_proposed_deadline": r.extension.proposed_deadline,
                "extension_reason": r.extension.reason,
                "extension_note": r.extension.decision_note,
                "progress_pct": r.progress_pct,
                "rework_count": r.rework_count,
                "version": r.version,
                "title": r.title,
                "description": r.description,
                "address": r.address,
                "latitude": r.latitude,
                "longitude": r.longitude,
                "kelurahan_code": r.kelurahan_code,
                "is_public": r.is_public,
                "rating": o.rating,
                "dispatched_at": o.dispatched_at,
                "completed_at": o.completed_at,
                "validated_at": o.validated_at,
                "created_at": r.received_at,
                "updated_at": o.updated_at or r.received_at,
            }
        )
        timeline_rows.extend(
            {
                "report_id": r.id,
                "at": t.at,
                "event": t.event,
                "actor_id": t.actor_id,
                "actor_name": t.actor_name,
                "actor_role": t.actor_role,
                "status_from": t.status_from,
                "status_to": t.status_to,
                "note": t.note,
                "percent": t.percent,
            }
            for t in o.timeline
        )
        photo_rows.extend(
            {
                "report_id": r.id,
                "sha256": p.sha256,
                "kind": p.kind.value,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "accuracy_m": p.accuracy_m,
                "captured_at": p.captured_at,
                "taken_by": p.taken_by,
                "added_at": p.captured_at,
                "source": "camera",  # the demo's officers used the app's camera
                "flags": "",
            }
            for p in o.photos
        )
    return report_rows, timeline_rows, photo_rows


def _feed_rows(conn: Connection, ds: Dataset, now: datetime) -> list[dict[str, Any]]:
    """Upserts for everyone who sees each new report and officer (as `server.scope`)."""
    supervisors: dict[str | None, list[str]] = {}
    officers: dict[str | None, list[str]] = {}
    city: dict[Role, list[str]] = {Role.VALIDATOR: [], Role.COORDINATOR: []}
    for uid, role, unit_id in conn.execute(
        select(users.c.id, users.c.role, users.c.unit_id).where(users.c.active.is_(True))
    ).tuples():
        if role == Role.SUPERVISOR.value:
            supervisors.setdefault(unit_id, []).append(uid)
        elif role == Role.OFFICER.value:
            officers.setdefault(unit_id, []).append(uid)
        else:
            city.setdefault(Role(role), []).append(uid)
    open_queue = set(
        conn.execute(select(units.c.id).where(units.c.officers_see_open_queue.is_(True))).scalars()
    )
    rows: list[dict[str, Any]] = []

    def upsert(entity: Entity, entity_id: str, audience: set[str]) -> None:
        rows.extend(
            {
                "user_id": u,
                "entity": entity.value,
                "entity_id": entity_id,
                "op": ChangeOp.UPSERT.value,
                "at": now,
            }
            for u in sorted(audience)
        )

    for dr in ds.reports:
        r = dr.report
        audience = set(supervisors.get(r.unit_id, ()))
        if r.assignee_id is not None:
            audience.add(r.assignee_id)
        if r.status is Status.BARU and r.unit_id in open_queue:
            audience.update(officers.get(r.unit_id, ()))
        if r.status is Status.MENUNGGU_VALIDASI:
            audience.update(city[Role.VALIDATOR])
        if r.status is Status.KOORDINASI:
            audience.update(city[Role.COORDINATOR])
        upsert(Entity.REPORT, r.id, audience)
    for s in ds.world.staff:
        if s.role is Role.OFFICER:
            upsert(Entity.USER, s.id, set(supervisors.get(s.unit_id, ())))
    return rows


def issue_demo_keys(conn: Connection, now: datetime) -> dict[str, str]:
    """Fresh demo API keys (channel -> plain key) from `secrets`, never from the seed: a
    seed is public, a key must not be guessable. The demo keys issued before are revoked
    (only their hashes are stored, so a restarted demo prints new ones)."""
    for key in list_api_keys(conn):
        if key.revoked_at is None and key.label.startswith(DEMO_KEY_LABEL):
            revoke_api_key(conn, key.id, now=now)
    keys = {}
    for channel in API_KEY_CHANNELS:
        plain = f"t311_demo_{channel}_{secrets.token_urlsafe(24)}"
        create_api_key(conn, channel, now=now, label=f"{DEMO_KEY_LABEL}{channel}", key=plain)
        keys[channel] = plain
    return keys


def _seed(conn: Connection, ds: Dataset, settings: Settings, now: datetime) -> DemoSummary:
    taken = conn.execute(
        select(users.c.username).where(users.c.username.in_([d.username for d in DEMO_LOGINS]))
    ).first()
    if taken is not None:
        raise AlreadySeeded(
            f"login demo sudah ada ({taken.username})",
            f"the demo logins already exist ({taken.username})",
        )
    added = _units(conn, ds)
    password_hash = hash_password(DEMO_PASSWORD, settings)
    _insert(
        conn,
        users,
        [
            {
                "id": s.id,
                "username": s.username,
                "name": s.name,
                "role": s.role.value,
                "unit_id": s.unit_id,
                "password_hash": password_hash,
                "active": True,
                "created_at": now,
            }
            for s in ds.world.staff
        ],
    )
    _insert(
        conn,
        reporters,
        [{"id": r.id, "name": r.name, "email": r.email, "phone": r.phone} for r in ds.reporters],
    )
    for p in ds.photos:
        store_photo(conn, settings, p.data, uploaded_by=None, now=now)
    offsets = _tracking_offsets(conn, {dr.year for dr in ds.reports})
    report_rows, timeline_rows, photo_rows = _report_rows(ds, offsets)
    _insert(conn, reports, report_rows)
    _insert(conn, timeline, timeline_rows)
    _insert(conn, report_photos, photo_rows)
    _move_counters(conn, offsets, Counter(dr.year for dr in ds.reports))
    keys = issue_demo_keys(conn, now)
    feed_rows = _feed_rows(conn, ds, now)
    lock_feed(conn)  # last: only the tail of the transaction is serialised
    _insert(conn, feed, feed_rows)

    demo_officer = ds.world.demo["petugas.demo"].id
    statuses = Counter(dr.report.status.value for dr in ds.reports)
    open_reports = [dr.report for dr in ds.reports if dr.report.status.is_open]
    return DemoSummary(
        seed=ds.seed,
        reports=len(ds.reports),
        units_added=added,
        users=len(ds.world.staff),
        reporters=len(ds.reporters),
        photos=len(ds.photos),
        by_status=dict(sorted(statuses.items())),
        overdue=sum(1 for r in open_reports if r.deadline < now),
        demo_queue=sum(1 for r in open_reports if r.assignee_id == demo_officer),
        demo_unit=ds.world.demo["petugas.demo"].unit_id or "",
        logins=DEMO_LOGINS,
        password=DEMO_PASSWORD,
        api_keys=keys,
        seconds=0.0,  # filled in by seed_demo
    )


def seed_demo(
    target: Engine | Connection,
    *,
    reports: int = DEFAULT_REPORTS,
    seed: int = DEFAULT_SEED,
    settings: Settings | None = None,
    now: datetime | None = None,
    officers_per_unit: int | None = None,
    days: int | None = None,
) -> DemoSummary:
    """Generate and store the demo dataset; see the package docstring."""
    if reports < 0:
        raise ValueError("reports must be >= 0")
    settings = settings or Settings()
    at = now or settings.now()
    started = time.perf_counter()
    ds = generate(
        reports=reports,
        seed=seed,
        now=at,
        officers_per_unit=officers_per_unit,
        **({"days": days} if days else {}),
    )
    if isinstance(target, Connection):
        summary = _seed(target, ds, settings, at)
    else:
        with write_tx(target) as conn:
            summary = _seed(conn, ds, settings, at)
    return replace(summary, seconds=time.perf_counter() - started)
