"""Government units a report can be routed to.

Jakarta: 5 kota administrasi + Kepulauan Seribu, 44 kecamatan, 267 kelurahan; provincial
dinas with a suku dinas per kota; biro (Biro Pemerintahan validates).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class UnitKind(StrEnum):
    KOTA = "kota"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    DINAS = "dinas"
    SUKU_DINAS = "suku_dinas"
    BIRO = "biro"


@dataclass(frozen=True, slots=True)
class Unit:
    id: str  # e.g. "kel-3171010001" or "sudin-bina-marga-jaksel"
    kind: UnitKind
    name: str
    parent_id: str | None = None  # kelurahan -> kecamatan -> kota; suku dinas -> dinas
    kota: str | None = None
    # Whether officers of the unit see the unit's undispatched queue ("as the unit decides").
    officers_see_open_queue: bool = False
