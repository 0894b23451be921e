"""The workflow table: who may do what to a report, when, and with what.

One function, `check(actor, report, action, payload)`, answers "may this actor do this
to this report now, and if not, why" for the client (to queue an action or explain a
disabled button) and the server (to accept or reject a pushed mutation). `apply()` then
computes the report after the action; both sides run the same code, so the officer's
optimistic screen and the server's truth agree whenever the server accepts.

Who acts on what ("party"), by role:
- officer: only reports assigned to them;
- supervisor: only reports of their unit;
- validator (Biro Pemerintahan) and coordinator: city-wide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from .errors import DomainError
from .refusals import Refusal, RefusalText, explain
from .report import Extension, Report
from .rework import PhotoClaim, after_attaching, counts_as_new_after_photo, needs_new_after_photo
from .statuses import ExtensionState, PhotoKind, Role, Status

Payload = Mapping[str, Any]

MAX_TEXT = 4000


class Action(StrEnum):
    DISPATCH = "dispatch"
    REASSIGN = "reassign"
    ACCEPT = "accept"
    START = "start"
    PROGRESS = "progress"
    ADD_PHOTO = "add_photo"
    COMPLETE = "complete"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    RETURN_NOT_OUR_DUTY = "return_not_our_duty"
    REROUTE = "reroute"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    CLOSE = "close"


class Need(StrEnum):
    """What an action needs, from the payload or from the report's state."""

    NOTE = "note"
    REASON = "reason"
    PERCENT = "percent"
    PROPOSED_DEADLINE = "proposed_deadline"
    ASSIGNEE = "assignee_id"
    UNIT = "unit_id"
    PHOTO = "photo"
    # state: the report (or this payload) holds an after photo; after a send-back, a new
    # one captured since (`domain.rework`)
    AFTER_PHOTO = "after_photo"
    PENDING_EXTENSION = "pending_extension"  # state
    NO_PENDING_EXTENSION = "no_pending_extension"  # state


_STATE_NEEDS = frozenset({Need.AFTER_PHOTO, Need.PENDING_EXTENSION, Need.NO_PENDING_EXTENSION})


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: str
    role: Role
    unit_id: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    action: Action
    roles: frozenset[Role]
    from_statuses: frozenset[Status]
    to_status: Status | None  # None: the status does not change
    needs: tuple[Need, ...] = ()


_WORKING = frozenset({Status.DIDISPOSISIKAN, Status.DITERIMA, Status.DALAM_PROSES})
_OPEN = frozenset(s for s in Status if s.is_open)
_O, _S, _V, _C = Role.OFFICER, Role.SUPERVISOR, Role.VALIDATOR, Role.COORDINATOR


def _rule(
    action: Action,
    roles: set[Role],
    from_: set[Status] | frozenset[Status],
    to: Status | None,
    *needs: Need,
) -> Rule:
    return Rule(action, frozenset(roles), frozenset(from_), to, needs)


RULES: Mapping[Action, Rule] = MappingProxyType(
    {
        r.action: r
        for r in (
            _rule(Action.DISPATCH, {_S}, {Status.BARU}, Status.DIDISPOSISIKAN, Need.ASSIGNEE),
            _rule(Action.REASSIGN, {_S}, _WORKING, Status.DIDISPOSISIKAN, Need.ASSIGNEE),
            _rule(Action.ACCEPT, {_O}, {Status.DIDISPOSISIKAN}, Status.DITERIMA),
            _rule(Action.START, {_O}, {Status.DITERIMA}, Status.DALAM_PROSES),
            _rule(Action.PROGRESS, {_O}, {Status.DALAM_PROSES}, None, Need.PERCENT),
            _rule(Action.ADD_PHOTO, {_O}, _WORKING, None, Need.PHOTO),
            _rule(
                Action.COMPLETE,
                {_O},
                {Status.DALAM_PROSES},
                Status.MENUNGGU_VALIDASI,
                Need.AFTER_PHOTO,
            ),
            _rule(
                Action.REQUEST_EXTENSION,
                {_O},
                {Status.DITERIMA, Status.DALAM_PROSES},
                None,
                Need.NO_PENDING_EXTENSION,
                Need.REASON,
                Need.PROPOSED_DEADLINE,
            ),
            _rule(Action.APPROVE_EXTENSION, {_S}, _WORKING, None, Need.PENDING_EXTENSION),
            _rule(Action.REFUSE_EXTENSION, {_S}, _WORKING, None, Need.PENDING_EXTENSION, Need.NOTE),
            _rule(
                Action.RETURN_NOT_OUR_DUTY,
                {_O, _S},
                {Status.BARU} | _WORKING,
                Status.KOORDINASI,
                Need.REASON,
            ),
            _rule(Action.REROUTE, {_C}, {Status.KOORDINASI}, Status.BARU, Need.UNIT),
            _rule(Action.APPROVE, {_V}, {Status.MENUNGGU_VALIDASI}, Status.SELESAI),
            _rule(
                Action.SEND_BACK,
                {_V},
                {Status.MENUNGGU_VALIDASI},
                Status.DALAM_PROSES,
                Need.NOTE,
            ),
            _rule(Action.CLOSE, {_C}, _OPEN, Status.DITUTUP, Need.REASON),
        )
    }
)

# The actions an officer's app offers on a report (the rest belong to other roles).
OFFICER_ACTIONS: tuple[Action, ...] = tuple(a for a, r in RULES.items() if _O in r.roles)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    refusal: RefusalText | None = None

    @classmethod
    def ok(cls) -> Decision:
        return cls(True)

    @classmethod
    def no(cls, code: Refusal, **params: str) -> Decision:
        return cls(False, explain(code, **params))


class ActionRefused(DomainError):
    """`apply()` was asked to do what `check()` refuses."""

    def __init__(self, decision: Decision) -> None:
        assert decision.refusal is not None
        super().__init__(decision.refusal.message_en)
        self.decision = decision


def _party_refusal(actor: Actor, report: Report) -> Decision | None:
    if actor.role is Role.OFFICER and report.assignee_id != actor.user_id:
        return Decision.no(Refusal.NOT_ASSIGNEE)
    if actor.role is Role.SUPERVISOR and report.unit_id != actor.unit_id:
        return Decision.no(Refusal.OTHER_UNIT)
    return None


def _text(payload: Payload, key: str) -> str:
    value = payload.get(key)
    return value.strip() if isinstance(value, str) else ""


def parse_deadline(value: object) -> datetime | None:
    """An ISO-8601 datetime with offset, or None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def parse_photo(value: object) -> tuple[str, PhotoKind] | None:
    """A payload's photo reference: {"sha256": 64 hex, "kind": before|during|after}."""
    if not isinstance(value, Mapping):
        return None
    sha, kind = value.get("sha256"), value.get("kind")
    if not isinstance(sha, str) or len(sha) != 64:
        return None
    try:
        int(sha, 16)
        photo_kind = PhotoKind(str(kind))
    except (ValueError, TypeError):
        return None
    if photo_kind is PhotoKind.REPORTER:
        return None
    return sha.lower(), photo_kind


def photo_claim(value: object) -> PhotoClaim | None:
    """A payload's photo as `domain.rework` weighs it (its capture time when given)."""
    ref = parse_photo(value)
    if ref is None:
        return None
    assert isinstance(value, Mapping)
    return PhotoClaim(ref[0], ref[1], parse_deadline(value.get("captured_at")))


def _need_refusal(need: Need, report: Report, payload: Payload) -> Decision | None:
    if need is Need.AFTER_PHOTO:
        if needs_new_after_photo(report):
            claim = photo_claim(payload.get("photo"))
            fresh = claim is not None and counts_as_new_after_photo(report, claim)
            return None if fresh else Decision.no(Refusal.NEEDS_NEW_AFTER_PHOTO)
        photo = parse_photo(payload.get("photo"))
        has_after = PhotoKind.AFTER in report.photo_kinds or (
            photo is not None and photo[1] is PhotoKind.AFTER
        )
        return None if has_after else Decision.no(Refusal.NEEDS_AFTER_PHOTO)
    if need is Need.PENDING_EXTENSION:
        pending = report.extension.state is ExtensionState.REQUESTED
        return None if pending else Decision.no(Refusal.NO_PENDING_EXTENSION)
    if need is Need.NO_PENDING_EXTENSION:
        pending = report.extension.state is ExtensionState.REQUESTED
        return Decision.no(Refusal.EXTENSION_PENDING) if pending else None
    if need in (Need.NOTE, Need.REASON):
        text = _text(payload, need.value)
        if not text:
            return Decision.no(Refusal.NEEDS_NOTE if need is Need.NOTE else Refusal.NEEDS_REASON)
        if len(text) > MAX_TEXT:
            return Decision.no(Refusal.INVALID_PAYLOAD, detail=f"{need.value} > {MAX_TEXT}")
        return None
    if need is Need.PERCENT:
        pct = payload.get("percent")
        valid = isinstance(pct, int) and not isinstance(pct, bool) and 0 <= pct <= 100
        return None if valid else Decision.no(Refusal.INVALID_PERCENT)
    if need is Need.PROPOSED_DEADLINE:
        proposed = parse_deadline(payload.get("proposed_deadline"))
        if proposed is None:
            return Decision.no(Refusal.NEEDS_DATE)
        return None if proposed > report.deadline else Decision.no(Refusal.DATE_NOT_LATER)
    if need is Need.ASSIGNEE:
        return None if _text(payload, "assignee_id") else Decision.no(Refusal.NEEDS_ASSIGNEE)
    if need is Need.UNIT:
        return None if _text(payload, "unit_id") else Decision.no(Refusal.NEEDS_UNIT)
    if need is Need.PHOTO:
        return None if parse_photo(payload.get("photo")) else Decision.no(Refusal.INVALID_PHOTO)
    raise AssertionError(f"unhandled need {need}")  # pragma: no cover


def check(actor: Actor, report: Report, action: Action, payload: Payload | None = None) -> Decision:
    """May `actor` do `action` to `report` now?

    With `payload=None` only the role, party, status and report-state conditions are
    checked: that is what a screen needs to decide whether to offer the action (and to
    say why not). With a payload, the payload's own requirements are checked too.
    """
    rule = RULES[action]
    if actor.role not in rule.roles:
        return Decision.no(Refusal.ROLE_NOT_ALLOWED)
    refusal = _party_refusal(actor, report)
    if refusal is not None:
        return refusal
    if report.status not in rule.from_statuses:
        return Decision.no(Refusal.WRONG_STATUS, status=report.status.value)
    for need in rule.needs:
        if payload is None and need not in _STATE_NEEDS:
            continue
        refusal = _need_refusal(need, report, payload or {})
        if refusal is not None:
            return refusal
    return Decision.ok()


def apply(
    report: Report,
    actor: Actor,
    action: Action,
    payload: Payload,
    *,
    at: datetime | None = None,
) -> Report:
    """The report after `actor` did `action` with `payload`; raises `ActionRefused`.

    `at` is when it happens (server time); a send-back records it as `sent_back_at`
    (without it the report keeps its previous one: only the server's time counts).
    """
    decision = check(actor, report, action, payload)
    if not decision.allowed:
        raise ActionRefused(decision)
    rule = RULES[action]
    changes: dict[str, Any] = {"version": report.version + 1}
    if rule.to_status is not None:
        changes["status"] = rule.to_status
    if action in (Action.DISPATCH, Action.REASSIGN):
        changes["assignee_id"] = _text(payload, "assignee_id")
        changes["progress_pct"] = 0 if action is Action.DISPATCH else report.progress_pct
    elif action is Action.PROGRESS:
        changes["progress_pct"] = payload["percent"]
    elif action in (Action.ADD_PHOTO, Action.COMPLETE):
        claim = photo_claim(payload.get("photo"))
        if claim is not None:
            attached = after_attaching(report, claim)
            changes["photo_kinds"] = attached.photo_kinds
            changes["photo_shas"] = attached.photo_shas
            changes["awaiting_new_after_photo"] = attached.awaiting_new_after_photo
        if action is Action.COMPLETE:
            changes["progress_pct"] = 100
    elif action is Action.REQUEST_EXTENSION:
        changes["extension"] = Extension(
            ExtensionState.REQUESTED,
            parse_deadline(payload["proposed_deadline"]),
            _text(payload, "reason"),
        )
    elif action is Action.APPROVE_EXTENSION:
        ext = report.extension
        changes["extension"] = Extension(
            ExtensionState.APPROVED, ext.proposed_deadline, ext.reason, _text(payload, "note")
        )
        changes["extended_deadline"] = ext.proposed_deadline
    elif action is Action.REFUSE_EXTENSION:
        ext = report.extension
        changes["extension"] = Extension(
            ExtensionState.REFUSED, ext.proposed_deadline, ext.reason, _text(payload, "note")
        )
    elif action is Action.RETURN_NOT_OUR_DUTY:
        changes["assignee_id"] = None
    elif action is Action.REROUTE:
        changes["unit_id"] = _text(payload, "unit_id")
        changes["assignee_id"] = None
        changes["progress_pct"] = 0
    elif action is Action.SEND_BACK:
        changes["rework_count"] = report.rework_count + 1
        changes["awaiting_new_after_photo"] = True
        if at is not None:
            changes["sent_back_at"] = at
    return report.evolve(**changes)


def available(actor: Actor, report: Report) -> list[tuple[Action, Decision]]:
    """Every action of the actor's role with whether it is possible now (and why not)."""
    return [(a, check(actor, report, a)) for a, r in RULES.items() if actor.role in r.roles]
