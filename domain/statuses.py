"""Report statuses and user roles of the CRM 2.0 workflow."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a report stands. Values are the wire and database codes."""

    BARU = "baru"  # received, routed to a unit, not yet given to an officer
    DIDISPOSISIKAN = "didisposisikan"  # dispatched to an officer
    DITERIMA = "diterima"  # the officer acknowledged it
    DALAM_PROSES = "dalam_proses"  # the officer is working on it (progress %)
    MENUNGGU_VALIDASI = "menunggu_validasi"  # completion submitted, waits for Biro Pemerintahan
    SELESAI = "selesai"  # validated: done
    KOORDINASI = "koordinasi"  # returned as not the unit's duty, to be re-routed
    DITUTUP = "ditutup"  # closed as duplicate or invalid

    @property
    def is_terminal(self) -> bool:
        return self in (Status.SELESAI, Status.DITUTUP)

    @property
    def is_open(self) -> bool:
        """Open reports run against their SLA deadline."""
        return not self.is_terminal


OPEN_STATUSES: frozenset[Status] = frozenset(s for s in Status if s.is_open)

# What a status is called in a sentence (a refusal), Indonesian then English. The app's
# translation files carry the same names under `status.<code>` (a test keeps them equal).
STATUS_NAMES: dict[Status, tuple[str, str]] = {
    Status.BARU: ("Baru", "New"),
    Status.DIDISPOSISIKAN: ("Didisposisikan", "Dispatched"),
    Status.DITERIMA: ("Diterima", "Accepted"),
    Status.DALAM_PROSES: ("Dalam proses", "In progress"),
    Status.MENUNGGU_VALIDASI: ("Menunggu validasi", "Waiting for validation"),
    Status.SELESAI: ("Selesai", "Done"),
    Status.KOORDINASI: ("Koordinasi", "Coordination"),
    Status.DITUTUP: ("Ditutup", "Closed"),
}


class Role(StrEnum):
    OFFICER = "officer"  # petugas lapangan
    SUPERVISOR = "supervisor"  # kepala seksi / supervisor of a unit
    VALIDATOR = "validator"  # Biro Pemerintahan
    COORDINATOR = "coordinator"  # routing / admin
    # Biro Pemerintahan's data team: city-wide figures only (read-only, no device scope,
    # never a report's text or its reporter); see domain/city.py.
    ANALYST = "analyst"


class PhotoKind(StrEnum):
    REPORTER = "reporter"  # the citizen's own photo (hidden for private reports)
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


class ExtensionState(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
