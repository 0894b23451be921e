"""Install the wilayah unit tree (kota, kecamatan, kelurahan) into the central database.

The tree comes from `server.routing` (the kelurahan data shipped in domain/data). It is
reference data, installed by `tindak-server migrate`, by the demo seeder and, on first
need, by the Open311 intake, so a report can always be routed to its kelurahan's unit.

Invariants: idempotent (units already present are left as they are, so a unit's own
settings such as `officers_see_open_queue` survive); parents are inserted before their
children (the `parent_id` foreign key); a kelurahan already present under another id
(`units.kelurahan_code` is unique) is kept, never duplicated: find a kelurahan's unit
with `kelurahan_unit(conn, code)`, not by building its id.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from domain import UnitKind

from . import routing
from .schema import units


def install_wilayah_units(conn: Connection) -> int:
    """Insert the missing kota/kecamatan/kelurahan units; returns how many were added."""
    present = dict(conn.execute(select(units.c.id, units.c.kelurahan_code)).tuples().all())
    held_codes = {code: uid for uid, code in present.items() if code}
    rows = []
    for unit in routing.wilayah_units():
        if unit.id in present:
            continue
        code = unit.id.removeprefix("kel-") if unit.kind is UnitKind.KELURAHAN else None
        if code is not None and code in held_codes:
            continue
        rows.append(
            {
                "id": unit.id,
                "kind": unit.kind.value,
                "name": unit.name,
                "parent_id": unit.parent_id,
                "kota": unit.kota,
                "kelurahan_code": code,
                "officers_see_open_queue": unit.officers_see_open_queue,
            }
        )
    if rows:
        conn.execute(units.insert(), rows)
    return len(rows)


def kelurahan_unit(conn: Connection, code: str) -> tuple[str, str] | None:
    """(unit id, unit name) of the kelurahan with this Kemendagri code, if installed."""
    row = conn.execute(
        select(units.c.id, units.c.name).where(units.c.kelurahan_code == code)
    ).first()
    return None if row is None else (row.id, row.name)
