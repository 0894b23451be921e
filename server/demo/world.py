"""The demo's organisation: units and the people in them (pure, seeded).

Units: the 317 wilayah units from `server.routing` (6 kota, 44 kecamatan, 267
kelurahan), five provincial dinas with a suku dinas in every kota (Bina Marga,
Pertamanan dan Hutan Kota, Perhubungan, Lingkungan Hidup, Satpol PP), and Biro
Pemerintahan. People: 2-4 officers and one supervisor per kelurahan, three officers and
a supervisor per suku dinas, validators and coordinators in Biro Pemerintahan, and the
four fixed demo logins. The demo officer and supervisor work in Kelurahan Menteng.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass

from domain import Role, Unit, UnitKind

from .. import routing
from . import text

DEMO_PASSWORD = "tindak123"
DEMO_KELURAHAN_CODE = "31.71.06.1001"  # Menteng, Jakarta Pusat
BIRO_PEMERINTAHAN = "biro-pemerintahan"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: Role
    description_id: str
    description_en: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "petugas.demo",
        Role.OFFICER,
        "petugas lapangan Kelurahan Menteng",
        "field officer, Kelurahan Menteng",
    ),
    DemoLogin(
        "supervisor.demo",
        Role.SUPERVISOR,
        "supervisor Kelurahan Menteng",
        "supervisor of Kelurahan Menteng",
    ),
    DemoLogin(
        "validator.demo",
        Role.VALIDATOR,
        "validator Biro Pemerintahan",
        "validator (Biro Pemerintahan)",
    ),
    DemoLogin(
        "koordinator.demo",
        Role.COORDINATOR,
        "koordinator (routing ulang)",
        "coordinator (re-routing)",
    ),
    DemoLogin(
        "analis.demo",
        Role.ANALYST,
        "tim data Biro Pemerintahan (Dasbor kota)",
        "data team, Biro Pemerintahan (city dashboard)",
    ),
)

# (slug, dinas name, suku dinas name prefix)
DINAS: tuple[tuple[str, str, str], ...] = (
    ("bina-marga", "Dinas Bina Marga", "Suku Dinas Bina Marga"),
    ("pertamanan", "Dinas Pertamanan dan Hutan Kota", "Suku Dinas Pertamanan dan Hutan Kota"),
    ("perhubungan", "Dinas Perhubungan", "Suku Dinas Perhubungan"),
    ("lingkungan-hidup", "Dinas Lingkungan Hidup", "Suku Dinas Lingkungan Hidup"),
    ("satpol-pp", "Satuan Polisi Pamong Praja", "Satpol PP"),
)

# Which dinas a category belongs to when the kelurahan returns it as not its duty.
CATEGORY_DINAS: dict[str, str] = {
    "jalan": "bina-marga",
    "jaringan_listrik": "bina-marga",
    "pohon": "pertamanan",
    "parkir_liar": "perhubungan",
    "lalu_lintas": "perhubungan",
    "sampah": "lingkungan-hidup",
    "pkl_liar": "satpol-pp",
    "kebisingan": "satpol-pp",
    "ketertiban": "satpol-pp",
    "kawasan_dilarang_merokok": "satpol-pp",
    "pelanggaran_perda": "satpol-pp",
}

KOTA_SHORT: dict[str, str] = {
    "Jakarta Pusat": "jakpus",
    "Jakarta Utara": "jakut",
    "Jakarta Barat": "jakbar",
    "Jakarta Selatan": "jaksel",
    "Jakarta Timur": "jaktim",
    "Kepulauan Seribu": "kepseribu",
}


@dataclass(frozen=True, slots=True)
class DemoUnit:
    unit: Unit
    kelurahan_code: str | None = None


@dataclass(frozen=True, slots=True)
class Staff:
    id: str
    username: str
    name: str
    role: Role
    unit_id: str | None


@dataclass(frozen=True, slots=True)
class World:
    units: tuple[DemoUnit, ...]
    staff: tuple[Staff, ...]
    officers_by_unit: dict[str, tuple[Staff, ...]]
    supervisor_by_unit: dict[str, Staff]
    validators: tuple[Staff, ...]
    coordinators: tuple[Staff, ...]
    demo: dict[str, Staff]  # username -> the fixed demo login

    def sudin_for(self, category: str, kota: str) -> str | None:
        dinas = CATEGORY_DINAS.get(category)
        return None if dinas is None else sudin_id(dinas, kota)


def sudin_id(dinas_slug: str, kota: str) -> str:
    return f"sudin-{dinas_slug}-{KOTA_SHORT[kota]}"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build_units() -> tuple[DemoUnit, ...]:
    out = [
        DemoUnit(u, u.id.removeprefix("kel-") if u.kind is UnitKind.KELURAHAN else None)
        for u in routing.wilayah_units()
    ]
    out.append(DemoUnit(Unit(BIRO_PEMERINTAHAN, UnitKind.BIRO, "Biro Pemerintahan")))
    for dinas_slug, dinas_name, _ in DINAS:
        out.append(DemoUnit(Unit(f"dinas-{dinas_slug}", UnitKind.DINAS, dinas_name)))
    for dinas_slug, _, sudin_name in DINAS:
        for kota in KOTA_SHORT:
            out.append(
                DemoUnit(
                    Unit(
                        sudin_id(dinas_slug, kota),
                        UnitKind.SUKU_DINAS,
                        f"{sudin_name} {routing.kota_unit_name(kota)}",
                        f"dinas-{dinas_slug}",
                        kota,
                    )
                )
            )
    return tuple(out)


def build_world(rng: random.Random, officers_per_unit: int | None = None) -> World:
    """Units and staff. `officers_per_unit=None` gives each kelurahan 2-4 officers."""
    units = build_units()
    staff: list[Staff] = []
    officers: dict[str, tuple[Staff, ...]] = {}
    supervisors: dict[str, Staff] = {}
    demo: dict[str, Staff] = {}
    demo_unit = routing.kelurahan_unit_id(DEMO_KELURAHAN_CODE)

    def person(username: str, role: Role, unit_id: str | None) -> Staff:
        s = Staff(new_id(rng), username, text.person_name(rng), role, unit_id)
        staff.append(s)
        return s

    for du in units:
        u = du.unit
        if u.kind not in (UnitKind.KELURAHAN, UnitKind.SUKU_DINAS):
            continue
        key = slug(u.name.removeprefix("Kelurahan ")) if u.kind is UnitKind.KELURAHAN else u.id
        if u.kind is UnitKind.SUKU_DINAS:
            count = 3
        else:
            count = officers_per_unit if officers_per_unit is not None else rng.randint(2, 4)
        team = []
        if u.id == demo_unit:
            demo["petugas.demo"] = person("petugas.demo", Role.OFFICER, u.id)
            team.append(demo["petugas.demo"])
            count = max(count - 1, 1)
        team.extend(person(f"ptg.{key}.{i}", Role.OFFICER, u.id) for i in range(1, count + 1))
        officers[u.id] = tuple(team)
        if u.id == demo_unit:
            demo["supervisor.demo"] = person("supervisor.demo", Role.SUPERVISOR, u.id)
            supervisors[u.id] = demo["supervisor.demo"]
        else:
            supervisors[u.id] = person(f"spv.{key}", Role.SUPERVISOR, u.id)

    demo["validator.demo"] = person("validator.demo", Role.VALIDATOR, BIRO_PEMERINTAHAN)
    validators = [demo["validator.demo"]]
    validators += [person(f"val.{i}", Role.VALIDATOR, BIRO_PEMERINTAHAN) for i in range(1, 8)]
    demo["koordinator.demo"] = person("koordinator.demo", Role.COORDINATOR, BIRO_PEMERINTAHAN)
    coordinators = [demo["koordinator.demo"]]
    coordinators += [person(f"koor.{i}", Role.COORDINATOR, BIRO_PEMERINTAHAN) for i in (1, 2)]
    # The analyst draws nothing from `rng`: adding a login must not reshuffle the demo's
    # reports (the browser tests and the screenshots rely on the same data for a seed).
    analyst = Staff(
        str(uuid.uuid5(uuid.NAMESPACE_URL, "tindak-demo/analis.demo")),
        "analis.demo",
        "Rina Analis Data",
        Role.ANALYST,
        BIRO_PEMERINTAHAN,
    )
    staff.append(analyst)
    demo["analis.demo"] = analyst
    return World(
        units=units,
        staff=tuple(staff),
        officers_by_unit=officers,
        supervisor_by_unit=supervisors,
        validators=tuple(validators),
        coordinators=tuple(coordinators),
        demo=demo,
    )
