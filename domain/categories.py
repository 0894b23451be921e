"""Report categories and the citizen channels reports arrive through.

The lists follow DOMAIN.md: the ten largest 2024 categories, the other categories seen
in 2021, and every official channel. `share_2024` carries the 2024 volumes so that the
demo data (and capacity planning) can follow the real mix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .errors import InvalidValue, UnknownCode

DEFAULT_SLA_DAYS = 7


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name_id: str
    name_en: str
    icon: str  # a Material icon name the app shows next to the report
    reports_2024: int = 0  # 2024 volume (0 where DOMAIN.md gives none)
    sla_days: int = DEFAULT_SLA_DAYS

    def name(self, lang: str) -> str:
        return self.name_id if lang == "id" else self.name_en


_CATEGORIES: tuple[Category, ...] = (
    Category("jalan", "Jalan", "Roads", "ADD_ROAD", 26_014),
    Category("pohon", "Pohon", "Trees", "PARK", 19_683),
    Category("parkir_liar", "Parkir Liar", "Illegal parking", "LOCAL_PARKING", 19_152),
    Category("sampah", "Sampah", "Garbage", "DELETE", 16_619),
    Category(
        "fasilitas_gedung",
        "Fasilitas Gedung Pemerintah",
        "Government buildings",
        "ACCOUNT_BALANCE",
        12_481,
    ),
    Category(
        "kebisingan",
        "Gangguan Ketenteraman/Kebisingan",
        "Disturbance and noise",
        "VOLUME_UP",
        10_663,
    ),
    Category("jaringan_listrik", "Jaringan Listrik", "Power lines", "ELECTRIC_BOLT", 9_522),
    Category("pkl_liar", "PKL Liar", "Illegal street vendors", "STOREFRONT", 9_000),
    Category(
        "kawasan_dilarang_merokok",
        "Kawasan Dilarang Merokok",
        "No-smoking zones",
        "SMOKE_FREE",
        8_090,
    ),
    Category("lalu_lintas", "Arus Lalu Lintas", "Traffic flow", "TRAFFIC", 6_984),
    Category(
        "ketertiban",
        "Gangguan Ketenteraman dan Ketertiban",
        "Public order",
        "GAVEL",
    ),
    Category("bantuan_sosial", "Bantuan Sosial", "Social assistance", "VOLUNTEER_ACTIVISM"),
    Category("pendataan_kesehatan", "Pendataan Kesehatan", "Health registration", "FACT_CHECK"),
    Category(
        "hubungan_pekerja",
        "Hubungan Pekerja-Pengusaha",
        "Worker-employer relations",
        "HANDSHAKE",
    ),
    Category("fasilitas_kesehatan", "Fasilitas Kesehatan", "Health facilities", "LOCAL_HOSPITAL"),
    Category(
        "pelanggaran_perda",
        "Pelanggaran PPKM/Perda/Pergub",
        "PPKM / by-law violations",
        "POLICY",
    ),
)

CATEGORIES: Mapping[str, Category] = MappingProxyType({c.code: c for c in _CATEGORIES})


def category(code: str) -> Category:
    try:
        return CATEGORIES[code]
    except KeyError as exc:
        raise UnknownCode(f"unknown category {code!r}") from exc


def with_sla(code: str, sla_days: int) -> Category:
    """The category with a unit-specific SLA (configurable per category)."""
    if not 1 <= sla_days <= 365:
        raise InvalidValue(f"sla_days must be 1..365, got {sla_days}")
    c = category(code)
    return Category(c.code, c.name_id, c.name_en, c.icon, c.reports_2024, sla_days)


@dataclass(frozen=True, slots=True)
class Channel:
    code: str
    name: str
    reports_2024: int = 0
    reporters_2024: int = 0


_CHANNELS: tuple[Channel, ...] = (
    Channel("jaki", "JAKI", 174_147, 36_870),
    Channel("twitter", "Twitter @DKIJakarta", 3_800, 1_170),
    Channel("whatsapp_sms", "SMS/WhatsApp", 2_802, 1_145),
    Channel("email", "E-mail", 2_740, 1_292),
    Channel("lapor_1708", "LAPOR! 1708", 833, 340),
    Channel("pendopo_balai_kota", "Pendopo Balai Kota", 649, 394),
    Channel("facebook", "Facebook Pemprov DKI", 380, 171),
    Channel("media_massa", "Aspirasi Publik Media Massa", 252, 4),
    Channel("kantor_kelurahan", "Kantor Kelurahan", 134, 104),
    Channel("kantor_walikota", "Kantor Walikota", 92, 81),
    Channel("medsos_gubernur", "Media sosial Gubernur/Wakil Gubernur", 16, 4),
    Channel("kantor_kecamatan", "Kantor Kecamatan", 6, 6),
    Channel("kantor_inspektorat", "Kantor Inspektorat", 1, 1),
    Channel("balai_warga", "Situs Balai Warga"),
    Channel("qlue", "Qlue"),
)

CHANNELS: Mapping[str, Channel] = MappingProxyType({c.code: c for c in _CHANNELS})


def channel(code: str) -> Channel:
    try:
        return CHANNELS[code]
    except KeyError as exc:
        raise UnknownCode(f"unknown channel {code!r}") from exc
