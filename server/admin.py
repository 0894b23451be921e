"""Administration services: units, users, device revocation.

Called by the admin CLI, the demo seeder and tests, inside the caller's transaction.
Every change that alters what someone may see publishes the matching feed rows, so
devices learn about new colleagues, moved officers or a unit's changed queue policy on
their next pull.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, or_, select, update

from domain import Role, Status, UnitKind
from domain.protocol import Entity

from .auth import EndReason, hash_password, revoke_device
from .config import Settings, system_clock
from .errors import InvalidRequest
from .feed import publish_audience_change, publish_report_changes, publish_user_change
from .schema import reports, sessions, units, users
from .scope import report_audience, user_audience

__all__ = [
    "create_unit",
    "create_user",
    "deactivate_user",
    "move_user",
    "revoke_device",
    "set_open_queue",
]


def create_unit(
    conn: Connection,
    *,
    id: str,
    kind: UnitKind | str,
    name: str,
    parent_id: str | None = None,
    kota: str | None = None,
    kelurahan_code: str | None = None,
    officers_see_open_queue: bool = False,
) -> str:
    try:
        unit_kind = UnitKind(kind)
    except ValueError as exc:
        raise InvalidRequest(f"unknown unit kind {kind!r}") from exc
    conn.execute(
        units.insert().values(
            id=id,
            kind=unit_kind.value,
            name=name,
            parent_id=parent_id,
            kota=kota,
            kelurahan_code=kelurahan_code,
            officers_see_open_queue=officers_see_open_queue,
        )
    )
    return id


def create_user(
    conn: Connection,
    username: str,
    password: str,
    name: str,
    role: Role | str,
    unit_id: str | None,
    *,
    user_id: str | None = None,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> str:
    """Create an active user; returns the id. Officers and supervisors need a unit."""
    try:
        user_role = Role(role)
    except ValueError as exc:
        raise InvalidRequest(f"unknown role {role!r}") from exc
    if user_role in (Role.OFFICER, Role.SUPERVISOR) and unit_id is None:
        raise InvalidRequest(f"a {user_role.value} needs a unit")
    if (
        unit_id is not None
        and conn.execute(select(units.c.id).where(units.c.id == unit_id)).first() is None
    ):
        raise InvalidRequest(f"unknown unit {unit_id!r}")
    uid = user_id or str(uuid.uuid4())
    at = now or system_clock()
    conn.execute(
        users.insert().values(
            id=uid,
            username=username,
            name=name,
            role=user_role.value,
            unit_id=unit_id,
            password_hash=hash_password(password, settings),
            active=True,
            created_at=at,
        )
    )
    publish_user_change(conn, uid, set(), now=at)
    return uid


def deactivate_user(conn: Connection, username: str, *, now: datetime | None = None) -> bool:
    """Deactivate a user and end all their sessions; False if no such user.

    Their devices get `session_revoked` (not `device_revoked`): nothing is wiped by
    this alone; revoke a device (`revoke_device`) to have it wipe its data."""
    at = now or system_clock()
    user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if user_id is None:
        return False
    before = user_audience(conn, user_id)
    conn.execute(update(users).where(users.c.id == user_id).values(active=False))
    conn.execute(
        update(sessions)
        .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=at, revoked_reason=EndReason.DEACTIVATED.value)
    )
    publish_user_change(conn, user_id, before, now=at)
    return True


def set_open_queue(
    conn: Connection, unit_id: str, visible: bool, *, now: datetime | None = None
) -> None:
    """Let (or stop) a unit's officers see its undispatched queue; publishes the change."""
    at = now or system_clock()
    open_ids = list(
        conn.execute(
            select(reports.c.id).where(
                reports.c.unit_id == unit_id, reports.c.status == Status.BARU.value
            )
        ).scalars()
    )
    before = {rid: report_audience(conn, rid) for rid in open_ids}
    conn.execute(update(units).where(units.c.id == unit_id).values(officers_see_open_queue=visible))
    publish_report_changes(conn, before, now=at)


# Assignments an officer still has to act on: after a move they stay theirs (they may
# finish them), and the old unit's supervisor decides whether to reassign them.
_UNFINISHED = (Status.DIDISPOSISIKAN, Status.DITERIMA, Status.DALAM_PROSES)


@dataclass(frozen=True, slots=True)
class Moved:
    """What moving a user changed on devices."""

    old_unit: str | None
    new_unit: str
    reports_changed: int  # reports that left or reached someone's device
    users_changed: int  # colleagues who left or reached a supervisor's device
    unfinished: tuple[str, ...]  # tracking ids still assigned to the moved officer


def move_user(
    conn: Connection, username: str, unit_id: str, *, now: datetime | None = None
) -> Moved:
    """Move a user to another unit and publish what that changes on devices.

    An officer's device drops the old unit's open queue and gets the new one's (when
    the unit shows it to officers); the old unit's supervisors lose the officer from
    their team and the new unit's gain them. A supervisor's device drops every report
    and officer of the old unit and gets the new unit's. Only the devices whose view
    changed get a feed row (a remove or an upsert), not every viewer of the reports.
    Reports assigned to the officer stay assigned (see `_UNFINISHED`).
    """
    at = now or system_clock()
    user = conn.execute(
        select(users.c.id, users.c.unit_id, users.c.role).where(users.c.username == username)
    ).first()
    if user is None:
        raise InvalidRequest(f"no user {username}")
    if conn.execute(select(units.c.id).where(units.c.id == unit_id)).first() is None:
        raise InvalidRequest(f"no unit {unit_id}")
    old = user.unit_id
    units_touched = [u for u in (old, unit_id) if u is not None]
    report_ids = list(
        conn.execute(
            select(reports.c.id).where(
                or_(reports.c.unit_id.in_(units_touched), reports.c.assignee_id == user.id)
            )
        ).scalars()
    )
    # The moved user, and for a supervisor their old and new teams.
    user_ids = [user.id]
    if user.role == Role.SUPERVISOR.value:
        user_ids += list(
            conn.execute(
                select(users.c.id).where(users.c.unit_id.in_(units_touched), users.c.id != user.id)
            ).scalars()
        )
    reports_before = {rid: report_audience(conn, rid) for rid in report_ids}
    users_before = {uid: user_audience(conn, uid) for uid in user_ids}
    conn.execute(update(users).where(users.c.id == user.id).values(unit_id=unit_id))
    reports_changed = sum(
        publish_audience_change(conn, Entity.REPORT, rid, before, report_audience(conn, rid), at)
        for rid, before in reports_before.items()
    )
    users_changed = sum(
        publish_audience_change(conn, Entity.USER, uid, before, user_audience(conn, uid), at)
        for uid, before in users_before.items()
    )
    unfinished = tuple(
        conn.execute(
            select(reports.c.tracking_id)
            .where(
                reports.c.assignee_id == user.id,
                reports.c.status.in_([s.value for s in _UNFINISHED]),
            )
            .order_by(reports.c.tracking_id)
        ).scalars()
    )
    return Moved(old, unit_id, reports_changed, users_changed, unfinished)
