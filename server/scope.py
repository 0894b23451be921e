"""Who sees what: the audience of a report and of a user.

The rules (one place, used by pull, push, photo access and the feed):
- officer: reports assigned to them (any status), plus their unit's `baru` reports
  when the unit lets officers see its open queue (`officers_see_open_queue`);
- supervisor: every report of their unit;
- validator: every report waiting for validation (`menunggu_validasi`), city-wide;
- coordinator: every report in `koordinasi`, city-wide.
Users: a supervisor sees the active officers of their unit (to dispatch to them).

`visible_*` give SQL conditions for paging a viewer's set (`visible_report_branches`:
the same set as branches, one index each, for the initial sync's keyset pages); `sees`
answers the same for one report already read (a push has the row locked anyway);
`*_audience` give the user ids that see one entity now, which the feed diffs before and
after a change. The three must agree; the tests check them against the same seeded world.

Acting is slightly wider than seeing for one role: a coordinator may close any open
report (the workflow's CLOSE rule), so `may_act` lets coordinators act city-wide.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, false, or_, select, true

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


def sees(viewer: Actor, report: Mapping[Any, Any], *, open_queue: bool) -> bool:
    """`visible_reports` for one report already read (a mapping with status, unit and
    assignee), given whether its unit shares its open queue: the same rules, no query."""
    status, unit_id = report["status"], report["unit_id"]
    if viewer.role is Role.OFFICER:
        if report["assignee_id"] == viewer.user_id:
            return True
        return open_queue and unit_id == viewer.unit_id and status == Status.BARU.value
    if viewer.role is Role.SUPERVISOR:
        return viewer.unit_id is not None and unit_id == viewer.unit_id
    if viewer.role is Role.VALIDATOR:
        return bool(status == Status.MENUNGGU_VALIDASI.value)
    if viewer.role is Role.COORDINATOR:
        return bool(status == Status.KOORDINASI.value)
    return False  # pragma: no cover - every role is handled above


def may_act(actor: Actor, report: Mapping[Any, Any], *, open_queue: bool) -> bool:
    """Whether a pushed mutation may even address this report, already read (else
    `unknown_report`): what its author sees, and for a coordinator any report."""
    return actor.role is Role.COORDINATOR or sees(actor, report, open_queue=open_queue)


def _active(role: Role) -> ColumnElement[bool]:
    return and_(users.c.role == role.value, users.c.active == true())


def audience_of(conn: Connection, report: Mapping[Any, Any]) -> set[str]:
    """User ids that see this report (a row mapping with status, unit and assignee) now."""
    return Audiences(conn).of(report)


class Audiences:
    """`audience_of` for many reports within one transaction, each distinct question
    asked once. Only for a transaction that changes reports, not users or units (a push
    batch): who sees a report then depends only on its status, unit and assignee."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._open_queue: dict[str | None, bool] = {}
        self._users: dict[tuple[str | None, str, bool], frozenset[str]] = {}

    def open_queue(self, unit_id: str | None) -> bool:
        """Whether the unit shows its undispatched reports to its officers."""
        if unit_id not in self._open_queue:
            self._open_queue[unit_id] = _unit_open_queue(self._conn, unit_id)
        return self._open_queue[unit_id]

    def know_open_queue(self, unit_id: str | None, flag: bool) -> None:
        """Record a unit's flag read along with a report (saves asking for it again)."""
        self._open_queue[unit_id] = bool(flag)

    def of(self, report: Mapping[Any, Any]) -> set[str]:
        status, unit_id = report["status"], report["unit_id"]
        shared = status == Status.BARU.value and self.open_queue(unit_id)
        key = (unit_id, status, shared)
        if key not in self._users:
            self._users[key] = frozenset(self._conn.execute(_audience_query(*key)).scalars())
        found = set(self._users[key])
        if report["assignee_id"] is not None:
            found.add(report["assignee_id"])
        return found


def _audience_query(unit_id: str | None, status: str, open_queue: bool) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = [
        and_(_active(Role.SUPERVISOR), users.c.unit_id == unit_id)
    ]
    if open_queue:
        conditions.append(and_(_active(Role.OFFICER), users.c.unit_id == unit_id))
    if status == Status.MENUNGGU_VALIDASI.value:
        conditions.append(_active(Role.VALIDATOR))
    if status == Status.KOORDINASI.value:
        conditions.append(_active(Role.COORDINATOR))
    return select(users.c.id).where(or_(*conditions))


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
