"""The device database: every read of the app, every write with its outbox entry.

The app (view-models), the photo pipeline and the sync engine call only what is listed
in `__all__`; see docs/sync.md.
"""

from .actions import add_photo, dismiss_attention, photo_payload, record_action, retry_attention
from .changes import PageApplied, apply_page, reset_cursor, start_pull, unsent_work, wipe
from .connection import LocalDb
from .errors import ActionRefusedLocally, LocalDbError, ReportNotFound, SchemaTooNew
from .queries import (
    attention_items,
    colleagues,
    get_report,
    pending_counts,
    queue,
    search,
)
from .rows import (
    Account,
    AttentionItem,
    AttentionKind,
    HoldReason,
    LocalPhoto,
    LocationSource,
    NewPhoto,
    OutboxEntry,
    OutboxState,
    PendingCounts,
    PhotoKeep,
    QueueCounts,
    QueueFilter,
    QueueItem,
    ReportDetail,
    ReportView,
    Stage,
    SyncState,
    TimelineItem,
    UnsentWork,
    UploadState,
)
from .session import account, actor, sign_in, sign_out, sync_state
from .tab_counts import counts

__all__ = [
    "Account",
    "ActionRefusedLocally",
    "AttentionItem",
    "AttentionKind",
    "HoldReason",
    "LocalDb",
    "LocalDbError",
    "LocalPhoto",
    "LocationSource",
    "NewPhoto",
    "OutboxEntry",
    "OutboxState",
    "PageApplied",
    "PendingCounts",
    "PhotoKeep",
    "QueueCounts",
    "QueueFilter",
    "QueueItem",
    "ReportDetail",
    "ReportNotFound",
    "ReportView",
    "SchemaTooNew",
    "Stage",
    "SyncState",
    "TimelineItem",
    "UnsentWork",
    "UploadState",
    "account",
    "actor",
    "add_photo",
    "apply_page",
    "attention_items",
    "colleagues",
    "counts",
    "dismiss_attention",
    "get_report",
    "pending_counts",
    "photo_payload",
    "queue",
    "record_action",
    "reset_cursor",
    "retry_attention",
    "search",
    "sign_in",
    "sign_out",
    "start_pull",
    "sync_state",
    "unsent_work",
    "wipe",
]
