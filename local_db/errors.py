"""Exceptions raised by the device database.

    LocalDbError                 root of every error this package raises
     ├── ActionRefusedLocally    the domain rules refuse the action on the local state
     │                           (.refusal: domain.RefusalText, Indonesian and English)
     ├── ReportNotFound          no such report on this device
     ├── PhotoAlreadySent        the photo has left the device (uploaded or its action
     │                           sent): it is evidence and stays
     ├── PhotoInUse              an unsent completion relies on the photo
     └── SchemaTooNew            the file was written by a newer app version

sqlite3 errors that mean a broken disk or file are not wrapped: they are bugs or
hardware faults, not outcomes a screen can explain.
"""

from __future__ import annotations

from domain import RefusalText


class LocalDbError(Exception):
    """Root of every error the device database raises."""


class ActionRefusedLocally(LocalDbError):
    """`domain.check` refused the action against the report as the device holds it."""

    def __init__(self, refusal: RefusalText) -> None:
        super().__init__(refusal.message_en)
        self.refusal = refusal


class ReportNotFound(LocalDbError, LookupError):
    def __init__(self, report_id: str) -> None:
        super().__init__(f"no report {report_id!r} on this device")
        self.report_id = report_id


class PhotoAlreadySent(LocalDbError):
    def __init__(self, sha256: str) -> None:
        super().__init__(f"photo {sha256[:12]} has left the device: it stays")
        self.sha256 = sha256


class PhotoInUse(LocalDbError):
    def __init__(self, sha256: str) -> None:
        super().__init__(f"photo {sha256[:12]} is needed by an unsent completion")
        self.sha256 = sha256


class SchemaTooNew(LocalDbError):
    """The database holds migrations this version of the app does not know."""
