"""The supervisor's and validator's figures: dashboard, team, dispatch, SLA watch, queues.

Every function reads one consistent snapshot of the device database and returns typed
rows; the screens never see SQL. Definitions (docs/roles.md has them for users too):

- scope: the reports the device holds in scope (`in_scope = 1`), of one unit when a
  `unit_id` is given (a supervisor's device holds only its unit anyway);
- SLA-active: open and still the city's to act on: baru, didisposisikan, diterima,
  dalam_proses, menunggu_validasi (koordinasi waits for re-routing: the unit's clock
  is not running on it);
- overdue: SLA-active with deadline < now; due within 24 h: now <= deadline < now+24h;
  at risk: now <= deadline < now+72h (`domain.sla`);
- "today" and the days of the charts are Asia/Jakarta calendar days; the period of the
  period figures is the last `days` Jakarta days including today, by date received
  (`days=None`: every report held);
- coordination time: receipt to the last `dispatch` event (the dispatch that put the
  report with an officer of its current unit; a reassignment is not coordination);
- completion time: receipt to the last `complete` event, over reports `selesai`;
- resolved within SLA: of the reports whose SLA has played out (selesai, or SLA-active
  past the deadline), the share completed (last `complete`) by the deadline;
- team: per officer (the unit's officers, plus anyone holding one of its reports):
  done = selesai, in progress = didisposisikan/diterima/dalam_proses now, overdue =
  those past the deadline now, average completion time, rework rate = share of the
  submitted reports (waiting for validation, selesai, or sent back at least once)
  sent back at least once, the citizens' average rating; period figures by receipt.

Invariants: `now` is the caller's server-corrected clock (never read here); datetimes
are compared as the fixed-width UTC text of `codec` (text order is time order); the
local overlay counts (a supervisor's unsent dispatch already shows as dispatched).
"""

from .aggregates import dashboard, officer_loads, team
from .lists import (
    dispatch_queue,
    export_rows,
    extension_requests,
    kelurahan_loads,
    map_points,
    sla_watch,
    validation_queue,
    working_queue,
)
from .values import (
    DEFAULT_DAYS,
    SLA_ACTIVE,
    Average,
    Count,
    DashboardFigures,
    DayCount,
    ExportRow,
    HolderKind,
    KelurahanLoad,
    MapPoint,
    OfficerLoad,
    Period,
    Share,
    SlaWatch,
    TeamRow,
    WaitingItem,
    WatchItem,
    jakarta_midnight,
)

__all__ = [
    "DEFAULT_DAYS",
    "SLA_ACTIVE",
    "Average",
    "Count",
    "DashboardFigures",
    "DayCount",
    "ExportRow",
    "HolderKind",
    "KelurahanLoad",
    "MapPoint",
    "OfficerLoad",
    "Period",
    "Share",
    "SlaWatch",
    "TeamRow",
    "WaitingItem",
    "WatchItem",
    "dashboard",
    "dispatch_queue",
    "export_rows",
    "extension_requests",
    "jakarta_midnight",
    "kelurahan_loads",
    "map_points",
    "officer_loads",
    "sla_watch",
    "team",
    "validation_queue",
    "working_queue",
]
