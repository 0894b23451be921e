"""What any role does on its own device, at random: officer, supervisor, validator.

`random_role_action` picks a report from the device's own queue and one action the
domain rules allow on it *as the device shows it* (so the server may still refuse it,
exactly as in the field), builds a realistic payload and records it through `local_db`
as the app does. Officers use `officer.random_action` (photos included); a supervisor
dispatches, reassigns and decides extensions; a validator approves or sends work back.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import local_db
from domain import Action, Role, available
from local_db import ActionRefusedLocally, LocalDb, OutboxEntry

from .officer import random_action

OFFICE_WEIGHTS: dict[Action, int] = {
    Action.DISPATCH: 4,
    Action.REASSIGN: 3,
    Action.APPROVE_EXTENSION: 3,
    Action.REFUSE_EXTENSION: 2,
    Action.APPROVE: 2,
    Action.SEND_BACK: 3,
}


def office_payload(
    action: Action, rnd: random.Random, assignee: str | None, officers: Sequence[str]
) -> dict[str, object]:
    if action in (Action.DISPATCH, Action.REASSIGN):
        others = [o for o in officers if o != assignee] or list(officers)
        return {"assignee_id": rnd.choice(others)}
    if action is Action.REFUSE_EXTENSION:
        return {"note": "Alasan perpanjangan belum cukup"}
    if action is Action.APPROVE_EXTENSION:
        return {"note": "Disetujui"}
    if action is Action.SEND_BACK:
        return {"note": "Foto sesudah kurang jelas, mohon diulang"}
    return {}


def random_role_action(
    db: LocalDb,
    now: datetime,
    rnd: random.Random,
    photo_dir: Path,
    officers: Sequence[str],
    *,
    only: Action | None = None,
    report_id: str | None = None,
    photo_size: tuple[int, int] | None = None,
) -> OutboxEntry | None:
    """Record one action the local rules allow for the signed-in user (None if none);
    `only` restricts the action, `report_id` the report (`photo_size`: see
    `officer.random_action`)."""
    actor = local_db.actor(db)
    if actor is None:
        return None
    if actor.role is Role.OFFICER:
        return random_action(db, now, rnd, photo_dir, only, report_id, photo_size)
    items = [i for i in local_db.queue(db, now=now, limit=500) if report_id in (None, i.report.id)]
    rnd.shuffle(items)
    for item in items:
        choices = [
            a
            for a, d in available(actor, item.report)
            if d.allowed and a in OFFICE_WEIGHTS and only in (None, a)
        ]
        if choices:
            break
    else:
        return None
    action = rnd.choices(choices, [OFFICE_WEIGHTS[a] for a in choices])[0]
    payload = office_payload(action, rnd, item.report.assignee_id, officers)
    try:
        return local_db.record_action(db, actor, item.report.id, action, payload, now)
    except ActionRefusedLocally:
        return None
