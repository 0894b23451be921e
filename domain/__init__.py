"""CRM rules shared by the device and the reference server. Pure Python, no I/O."""

from .categories import CATEGORIES, CHANNELS, DEFAULT_SLA_DAYS, Category, Channel, category, channel
from .errors import DomainError, InvalidValue, UnknownCode
from .refusals import Refusal, RefusalText, explain
from .report import NO_EXTENSION, Extension, Report
from .rework import PhotoClaim, counts_as_new_after_photo, needs_new_after_photo
from .sla import JAKARTA, Urgency, UrgencyLevel, by_urgency, urgency, urgency_key
from .statuses import OPEN_STATUSES, ExtensionState, PhotoKind, Role, Status
from .units import Unit, UnitKind
from .workflow import RULES, Action, ActionRefused, Actor, Decision, Need, apply, available, check

__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "DEFAULT_SLA_DAYS",
    "JAKARTA",
    "NO_EXTENSION",
    "OPEN_STATUSES",
    "RULES",
    "Action",
    "ActionRefused",
    "Actor",
    "Category",
    "Channel",
    "Decision",
    "DomainError",
    "Extension",
    "ExtensionState",
    "InvalidValue",
    "Need",
    "PhotoClaim",
    "PhotoKind",
    "Refusal",
    "RefusalText",
    "Report",
    "Role",
    "Status",
    "Unit",
    "UnitKind",
    "UnknownCode",
    "Urgency",
    "UrgencyLevel",
    "apply",
    "available",
    "by_urgency",
    "category",
    "channel",
    "check",
    "counts_as_new_after_photo",
    "explain",
    "needs_new_after_photo",
    "urgency",
    "urgency_key",
]
