"""The report as both sides of the sync protocol see it (the officer-visible projection).

Invariants:
- every datetime is timezone-aware (UTC inside, Asia/Jakarta only for display);
- the reporter's identity is not a field here at all: nothing built from a `Report`
  can leak it to a device.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .categories import DEFAULT_SLA_DAYS
from .errors import InvalidValue
from .statuses import ExtensionState, PhotoKind, Status


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(f"{name} must be timezone-aware, got naive {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Extension:
    """An officer's request for more time (an estimated completion date)."""

    state: ExtensionState
    proposed_deadline: datetime | None = None
    reason: str = ""
    decision_note: str = ""


NO_EXTENSION = Extension(ExtensionState.NONE)


@dataclass(frozen=True, slots=True)
class Report:
    id: str
    tracking_id: str
    status: Status
    category: str
    channel: str
    unit_id: str
    received_at: datetime
    sla_days: int = DEFAULT_SLA_DAYS
    assignee_id: str | None = None
    progress_pct: int = 0
    extension: Extension = NO_EXTENSION
    # Deadline moved by an approved extension; None means received_at + sla_days.
    extended_deadline: datetime | None = None
    photo_kinds: frozenset[PhotoKind] = field(default_factory=frozenset)
    rework_count: int = 0
    # Rework (`domain.rework`): when the work was last sent back, whether a new
    # after-photo is still owed since then, and the content addresses of its photos.
    sent_back_at: datetime | None = None
    awaiting_new_after_photo: bool = False
    photo_shas: frozenset[str] = field(default_factory=frozenset)
    version: int = 0
    title: str = ""
    description: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    kelurahan_code: str | None = None
    is_public: bool = False

    def __post_init__(self) -> None:
        require_aware(self.received_at, "received_at")
        if self.extended_deadline is not None:
            require_aware(self.extended_deadline, "extended_deadline")
        if self.sent_back_at is not None:
            require_aware(self.sent_back_at, "sent_back_at")
        if not 0 <= self.progress_pct <= 100:
            raise InvalidValue(f"progress_pct must be 0..100, got {self.progress_pct}")

    @property
    def deadline(self) -> datetime:
        if self.extended_deadline is not None:
            return self.extended_deadline
        return self.received_at + timedelta(days=self.sla_days)

    def evolve(self, **changes: object) -> Report:
        return replace(self, **changes)  # type: ignore[arg-type]
