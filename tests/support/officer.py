"""What an officer does on the device, at random: the same choices in-process and in the
killed child process.

`random_action` picks one of the officer's reports that is still being worked on, one
action the domain rules allow on it now (weighted towards the common ones), builds a
realistic payload and records it through `local_db` exactly as the app does: one
transaction for the change and its outbox entry. Photos are real JPEG files written to
the photo folder first, as the photo pipeline does.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import local_db
from domain import Action, PhotoKind, Status, available
from local_db import ActionRefusedLocally, LocalDb, OutboxEntry

from .photos import new_photo

WEIGHTS: dict[Action, int] = {
    Action.ACCEPT: 5,
    Action.START: 5,
    Action.PROGRESS: 6,
    Action.ADD_PHOTO: 3,
    Action.COMPLETE: 1,
    Action.REQUEST_EXTENSION: 1,
}
WORKING = (Status.DIDISPOSISIKAN, Status.DITERIMA, Status.DALAM_PROSES)


def _payload(action: Action, rnd: random.Random, proposed: datetime) -> dict[str, object]:
    if action is Action.PROGRESS:
        return {"percent": rnd.randint(0, 99), "note": f"progres {rnd.randint(1, 999)}"}
    if action is Action.REQUEST_EXTENSION:
        return {"reason": "Menunggu material dari dinas", "proposed_deadline": proposed.isoformat()}
    if action is Action.COMPLETE:
        return {"note": "Pekerjaan selesai"}
    return {}


def random_action(
    db: LocalDb,
    now: datetime,
    rnd: random.Random,
    photo_dir: Path,
    only: Action | None = None,
    report_id: str | None = None,
    photo_size: tuple[int, int] | None = None,
) -> OutboxEntry | None:
    """Record one allowed officer action on a random working report (None if none);
    `only` restricts the choice to one action (e.g. a photo, so an upload happens),
    `report_id` to one report; `photo_size` fixes the size of a photo taken."""
    actor = local_db.actor(db)
    if actor is None:
        return None
    items = [
        i
        for i in local_db.queue(db, now=now, limit=500)
        if i.report.status in WORKING and report_id in (None, i.report.id)
    ]
    rnd.shuffle(items)
    for item in items:
        report = item.report
        choices = [
            a
            for a, d in available(actor, report)
            if d.allowed and a in WEIGHTS and (only is None or a is only)
        ]
        if choices:
            break
    else:
        return None
    action = rnd.choices(choices, [WEIGHTS[a] for a in choices])[0]
    try:
        if action is Action.ADD_PHOTO:
            kind = rnd.choice((PhotoKind.BEFORE, PhotoKind.DURING, PhotoKind.AFTER))
            photo = new_photo(photo_dir, rnd, kind, now - timedelta(minutes=1), photo_size)
            return local_db.add_photo(db, actor, report.id, photo, now)
        proposed = report.deadline + timedelta(days=rnd.randint(2, 20))
        payload = _payload(action, rnd, proposed)
        return local_db.record_action(db, actor, report.id, action, payload, now)
    except ActionRefusedLocally:
        return None  # e.g. completion without an after photo: the app would say why
