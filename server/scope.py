"""Who sees what: the audience of a report and of a user.

The rules (one place, used by pull, push, photo access and the feed):
- officer: reports assigned to them (any status), plus their unit's `baru` reports
  when the unit lets officers see its open queue (`officers_see_open_queue`);
- supervisor: every report of their unit;
- validator: every report waiting for validation (`menunggu_validasi`), city-wide;
- coordinator: every report in `koordinasi`, city-wide.
Users: a supervisor sees the active officers of their unit (to dispatch to them).

`visible_*` give SQL conditions for paging a viewer's set (`visible_report_branches`:
the same set as branches, one index each, for the initial sync's keyset pages); `*_audience` give the user
ids that see one entity now, which the feed diffs before and after a change. The two
must agree; the tests check both against the same seeded world.

Acting is slightly wider than seeing for one role: a coordinator may close any open
report (the workflow's CLOSE rule), so `may_act_on` lets coordinators act city-wide.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, or_, select, true

from domain import Actor, Role, Status

from .schema import reports, units, users


def _unit_open_queue(conn: Connection, unit_id: str | None) -> bool:
    if unit_id is None:
        return False
    flag = conn.execute(
        select(units.c.officers_see_open_queue).where(units.c.id == unit_id)
    ).scalar()
    return bool(flag)


def visible_report_branches(conn: Connection, viewer: Actor) -> tuple[ColumnElement[bool], ...]:
    """What `viewer` may see, as conditions whose union is the whole set. Each is
    equalities only, matched by an index with `id` after them (revision 0002), so a
    keyset page (`id > after ORDER BY id`) reads one index range per branch."""
    if viewer.role is Role.OFFICER:
        mine = reports.c.assignee_id == viewer.user_id
        if _unit_open_queue(conn, viewer.unit_id):
            open_queue = and_(
                reports.c.unit_id == viewer.unit_id, reports.c.status == Status.BARU.value
            )
            return (mine, open_queue)
        return (mine,)
    if viewer.role is Role.SUPERVISOR:
        return (reports.c.unit_id == viewer.unit_id if viewer.unit_id else false(),)
    if viewer.role is Role.VALIDATOR:
        return (reports.c.status == Status.MENUNGGU_VALIDASI.value,)
    if viewer.role is Role.COORDINATOR:
        return (reports.c.status == Status.KOORDINASI.value,)
    return (false(),)  # pragma: no cover - every role is handled above


def visible_reports(conn: Connection, viewer: Actor) -> ColumnElement[bool]:
    """A WHERE condition on `reports` selecting what `viewer` may see."""
    branches = visible_report_branches(conn, viewer)
    return branches[0] if len(branches) == 1 else or_(*branches)


def can_see_report(conn: Connection, viewer: Actor, report_id: str) -> bool:
    found = conn.execute(
        select(reports.c.id).where(reports.c.id == report_id, visible_reports(conn, viewer))
    ).first()
    return found is not None


def may_act_on(conn: Connection, actor: Actor, report_id: str) -> bool:
    """Whether a pushed mutation may even address this report (else `unknown_report`)."""
    if actor.role is Role.COORDINATOR:
        return (
            conn.execute(select(reports.c.id).where(reports.c.id == report_id)).first() is not None
        )
    return can_see_report(conn, actor, report_id)


def _active(role: Role) -> ColumnElement[bool]:
    return and_(users.c.role == role.value, users.c.active == true())


def audience_of(conn: Connection, report: Mapping[Any, Any]) -> set[str]:
    """User ids that see this report (a row mapping with status, unit and assignee) now."""
    status = report["status"]
    unit_id = report["unit_id"]
    assignee_id = report["assignee_id"]
    conditions: list[ColumnElement[bool]] = [
        and_(_active(Role.SUPERVISOR), users.c.unit_id == unit_id)
    ]
    if status == Status.BARU.value and _unit_open_queue(conn, unit_id):
        conditions.append(and_(_active(Role.OFFICER), users.c.unit_id == unit_id))
    if status == Status.MENUNGGU_VALIDASI.value:
        conditions.append(_active(Role.VALIDATOR))
    if status == Status.KOORDINASI.value:
        conditions.append(_active(Role.COORDINATOR))
    found = set(conn.execute(select(users.c.id).where(or_(*conditions))).scalars())
    if assignee_id is not None:
        found.add(assignee_id)
    return found


def report_audience(conn: Connection, report_id: str) -> set[str]:
    row = conn.execute(
        select(reports.c.status, reports.c.unit_id, reports.c.assignee_id).where(
            reports.c.id == report_id
        )
    ).first()
    return set() if row is None else audience_of(conn, row._mapping)


def visible_users(viewer: Actor) -> ColumnElement[bool]:
    """A WHERE condition on `users` selecting the colleagues `viewer` may see."""
    if viewer.role is Role.SUPERVISOR and viewer.unit_id is not None:
        return and_(_active(Role.OFFICER), users.c.unit_id == viewer.unit_id)
    return false()


def user_audience(conn: Connection, user_id: str) -> set[str]:
    """User ids that see this user now: the supervisors of an active officer's unit."""
    row = conn.execute(
        select(users.c.role, users.c.unit_id, users.c.active).where(users.c.id == user_id)
    ).first()
    if row is None or not row.active or row.role != Role.OFFICER.value or row.unit_id is None:
        return set()
    return set(
        conn.execute(
            select(users.c.id).where(_active(Role.SUPERVISOR), users.c.unit_id == row.unit_id)
        ).scalars()
    )
