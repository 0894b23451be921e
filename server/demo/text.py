"""Indonesian words for the demo data: names, streets, report titles and notes.

Everything here is invented: the people do not exist, the e-mail addresses use the
reserved `.example` domain, and the places are generic (a street named after a flower,
"SDN 05 <kelurahan>"), so no real person or address is implied. Every choice goes
through the caller's seeded `random.Random`, so the same seed gives the same text.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

FIRST_NAMES = (
    "Agus", "Ahmad", "Andi", "Anisa", "Ayu", "Bambang", "Bayu", "Budi", "Dedi", "Desi",
    "Dewi", "Dian", "Eko", "Endang", "Fajar", "Fitri", "Gita", "Hadi", "Hendra", "Heru",
    "Ika", "Indah", "Irfan", "Joko", "Kartika", "Lestari", "Lina", "Maya", "Mulyadi",
    "Nur", "Nurul", "Putri", "Rahmat", "Ratna", "Rina", "Rizki", "Rudi", "Sari", "Siti",
    "Slamet", "Sri", "Suharto", "Sutrisno", "Taufik", "Tri", "Wahyu", "Wati", "Yanti",
    "Yudi", "Yusuf", "Zainal", "Arif", "Citra", "Dimas", "Fauzi", "Hasan", "Imam", "Lukman",
)  # fmt: skip

LAST_NAMES = (
    "Santoso", "Wijaya", "Saputra", "Hidayat", "Kurniawan", "Pratama", "Setiawan",
    "Susanto", "Nugroho", "Siregar", "Simanjuntak", "Nasution", "Harahap", "Lubis",
    "Hutapea", "Sitompul", "Rahman", "Hakim", "Syahputra", "Firmansyah", "Gunawan",
    "Halim", "Permana", "Ramadhan", "Utami", "Wulandari", "Purnomo", "Suryadi",
    "Maulana", "Hasibuan", "Tanjung", "Marpaung", "Batubara", "Effendi", "Iskandar",
)  # fmt: skip

STREETS = (
    "Jl. Melati", "Jl. Mawar", "Jl. Anggrek", "Jl. Kenanga", "Jl. Flamboyan",
    "Jl. Cempaka", "Jl. Dahlia", "Jl. Kamboja", "Jl. Swadaya", "Jl. Bhakti", "Jl. Pelita",
    "Jl. Damai", "Jl. Masjid", "Jl. Pemuda", "Jl. Inspeksi Kali", "Jl. Kebon Kelapa",
    "Jl. Haji Naim", "Jl. Haji Saidi", "Jl. Remaja", "Jl. Harapan", "Jl. Kali Baru",
    "Jl. Sawo", "Jl. Rambutan", "Jl. Duku", "Jl. Manggis", "Jl. Nangka", "Gg. Langgar",
    "Gg. Buntu", "Gg. Sawo", "Gg. Haji Abdullah", "Jl. Tanah Tinggi", "Jl. Bendungan",
)  # fmt: skip

MOSQUES = ("Al-Ikhlas", "Al-Hidayah", "Al-Falah", "Al-Muhajirin", "Nurul Iman", "At-Taqwa")


def pick(rng: random.Random, items: Sequence[str]) -> str:
    return items[rng.randrange(len(items))]


def person_name(rng: random.Random) -> str:
    return f"{pick(rng, FIRST_NAMES)} {pick(rng, LAST_NAMES)}"


def email_for(rng: random.Random, name: str) -> str:
    local = name.lower().replace(" ", rng.choice((".", "_", "")))
    return f"{local}{rng.randrange(1, 100)}@surel.example"


def phone(rng: random.Random) -> str:
    # 0812-00xx-xxxx: the 00 block keeps the invented numbers out of real use.
    return f"0812-00{rng.randrange(100):02d}-{rng.randrange(10_000):04d}"


def street(rng: random.Random, kelurahan: str) -> str:
    if rng.random() < 0.15:
        return f"Jl. Raya {kelurahan}"
    return pick(rng, STREETS)


def landmark(rng: random.Random, kelurahan: str, kecamatan: str) -> str:
    n = rng.randrange(1, 19)
    options = (
        f"SDN {n:02d} {kelurahan}",
        f"SMPN {rng.randrange(1, 300)} Jakarta",
        f"Masjid {pick(rng, MOSQUES)}",
        f"Pasar {kelurahan}",
        f"RPTRA {kelurahan}",
        f"Kantor Kelurahan {kelurahan}",
        f"Puskesmas Kelurahan {kelurahan}",
        f"Halte TransJakarta {kecamatan}",
        f"pertigaan {pick(rng, STREETS)}",
        f"jembatan {pick(rng, STREETS)}",
        f"Posyandu RW {rng.randrange(1, 12):02d}",
        f"lapangan bola {kelurahan}",
    )
    return pick(rng, options)


def office(rng: random.Random, kelurahan: str, kecamatan: str) -> str:
    return pick(
        rng,
        (
            f"Kantor Kelurahan {kelurahan}",
            f"Kantor Kecamatan {kecamatan}",
            f"Puskesmas Kecamatan {kecamatan}",
            f"RPTRA {kelurahan}",
            f"Gedung PTSP Kecamatan {kecamatan}",
        ),
    )


def address(rng: random.Random, st: str, kelurahan: str, kecamatan: str, kota: str) -> str:
    rt, rw = rng.randrange(1, 16), rng.randrange(1, 12)
    return (
        f"{st} No. {rng.randrange(1, 120)}, RT {rt:03d}/RW {rw:03d}, "
        f"Kel. {kelurahan}, Kec. {kecamatan}, {kota}"
    )


# Title templates per category: {street}, {landmark}, {office}, {kelurahan},
# {kecamatan}, {rt}, {rw} are filled in by `title()`.
TITLES: dict[str, tuple[str, ...]] = {
    "jalan": (
        "Jalan berlubang di depan {landmark}",
        "Aspal rusak dan bergelombang di {street}",
        "Jalan ambles dekat {landmark}",
        "Trotoar rusak di {street}",
        "Tutup saluran hilang di {street}",
        "Lubang besar membahayakan pengendara di {street}",
    ),
    "pohon": (
        "Pohon tumbang menutup jalan di {street}",
        "Dahan pohon hampir patah di atas {landmark}",
        "Pohon besar miring mengenai kabel di {street}",
        "Mohon perantingan pohon di depan {landmark}",
        "Akar pohon merusak trotoar di {street}",
    ),
    "parkir_liar": (
        "Parkir liar di bahu jalan {street}",
        "Mobil parkir sembarangan menutup akses {landmark}",
        "Juru parkir liar di depan {landmark}",
        "Parkir liar di atas trotoar {street}",
    ),
    "sampah": (
        "Tumpukan sampah di pinggir {street}",
        "Sampah belum diangkut tiga hari di dekat {landmark}",
        "Sampah menyumbat saluran air di {street}",
        "Pembuangan sampah liar dekat {landmark}",
        "Bak sampah penuh dan berbau di {landmark}",
    ),
    "fasilitas_gedung": (
        "AC tidak berfungsi di {office}",
        "Toilet rusak di {office}",
        "Atap bocor di {office}",
        "Lampu ruang tunggu padam di {office}",
        "Kursi ruang pelayanan rusak di {office}",
    ),
    "kebisingan": (
        "Suara musik keras hingga larut malam di {street}",
        "Kebisingan bengkel las di {street}",
        "Knalpot bising balap liar di {street} setiap malam",
        "Hajatan dengan pengeras suara hingga dini hari di {street}",
    ),
    "jaringan_listrik": (
        "Kabel listrik menjuntai rendah di {street}",
        "Lampu penerangan jalan mati di {street}",
        "Tiang listrik miring di depan {landmark}",
        "Kabel semrawut dekat {landmark}",
    ),
    "pkl_liar": (
        "PKL berjualan di atas trotoar {street}",
        "Pedagang kaki lima menutup jalan di depan {landmark}",
        "Lapak PKL liar di atas saluran air {street}",
    ),
    "kawasan_dilarang_merokok": (
        "Pengunjung merokok di dalam {office}",
        "Merokok di area dilarang merokok dekat {landmark}",
        "Tidak ada tanda dilarang merokok di {office}",
    ),
    "lalu_lintas": (
        "Kemacetan parah di perempatan {street}",
        "Lampu lalu lintas mati di simpang {street}",
        "Rambu lalu lintas roboh di {street}",
        "Banyak kendaraan melawan arus di {street}",
    ),
    "ketertiban": (
        "Tawuran remaja di {street} pada malam hari",
        "Bangunan liar di bantaran kali {street}",
        "Pengamen memaksa di lampu merah {street}",
        "Gelandangan tidur di halte dekat {landmark}",
    ),
    "bantuan_sosial": (
        "Warga lansia belum menerima bansos di RW {rw}",
        "Mohon pendataan penerima bantuan sosial di RT {rt}/RW {rw}",
        "Bantuan sembako belum diterima warga RW {rw}",
    ),
    "pendataan_kesehatan": (
        "Mohon pendataan warga sakit di RT {rt}/RW {rw}",
        "Lansia belum terdata posyandu di RW {rw}",
        "Warga belum terdaftar BPJS PBI di RT {rt}/RW {rw}",
    ),
    "hubungan_pekerja": (
        "Gaji karyawan belum dibayar perusahaan di {street}",
        "Pekerja diberhentikan sepihak tanpa pesangon",
        "THR belum dibayarkan perusahaan di {street}",
    ),
    "fasilitas_kesehatan": (
        "Antrean sangat panjang di Puskesmas Kecamatan {kecamatan}",
        "Obat habis di Puskesmas Kelurahan {kelurahan}",
        "Ruang tunggu Puskesmas Kecamatan {kecamatan} tidak layak",
    ),
    "pelanggaran_perda": (
        "Tempat hiburan buka melewati jam operasional di {street}",
        "Bangunan tanpa PBG di {street}",
        "Usaha bengkel memakai badan jalan di {street}",
    ),
}

DETAILS: dict[str, tuple[str, ...]] = {
    "jalan": (
        "Lubangnya cukup dalam dan sudah beberapa kali membuat pengendara motor jatuh.",
        "Kalau hujan lubang tertutup genangan sehingga tidak terlihat.",
        "Kerusakan sepanjang kurang lebih 20 meter.",
    ),
    "pohon": (
        "Batangnya sudah lapuk dan bergoyang kalau angin kencang.",
        "Jalan tidak bisa dilewati mobil sejak pagi.",
        "Dahan menempel ke kabel listrik dan atap rumah warga.",
    ),
    "parkir_liar": (
        "Kendaraan parkir dua lapis sehingga jalan menyempit dan macet.",
        "Terjadi setiap sore sampai malam.",
        "Pejalan kaki terpaksa turun ke badan jalan.",
    ),
    "sampah": (
        "Baunya menyengat dan mengundang lalat.",
        "Sudah beberapa hari tidak diangkut petugas.",
        "Sampah meluber sampai ke badan jalan.",
    ),
    "fasilitas_gedung": (
        "Warga yang mengurus dokumen harus menunggu dalam kondisi tidak nyaman.",
        "Sudah rusak sejak minggu lalu.",
    ),
    "kebisingan": (
        "Warga sekitar tidak bisa beristirahat, banyak lansia dan anak kecil.",
        "Berlangsung hampir setiap malam.",
    ),
    "jaringan_listrik": (
        "Sangat berbahaya bagi anak-anak yang bermain di sekitar lokasi.",
        "Jalan menjadi gelap dan rawan kejahatan di malam hari.",
    ),
    "pkl_liar": (
        "Trotoar tidak bisa dilalui pejalan kaki.",
        "Jumlah lapak bertambah setiap minggu.",
    ),
    "kawasan_dilarang_merokok": ("Asap rokok mengganggu pengunjung lain termasuk anak-anak.",),
    "lalu_lintas": (
        "Kemacetan terjadi setiap jam berangkat dan pulang kerja.",
        "Sangat rawan kecelakaan.",
    ),
    "ketertiban": ("Warga merasa resah dan tidak aman.", "Sudah berlangsung berhari-hari."),
    "bantuan_sosial": ("Warga sudah melapor ke RT tetapi belum ada kabar.",),
    "pendataan_kesehatan": ("Mohon petugas datang untuk pendataan.",),
    "hubungan_pekerja": ("Sudah dua bulan belum ada kejelasan dari perusahaan.",),
    "fasilitas_kesehatan": ("Warga harus menunggu berjam-jam.",),
    "pelanggaran_perda": ("Mengganggu ketertiban lingkungan sekitar.",),
}

CLOSINGS = (
    "Mohon segera ditindaklanjuti.",
    "Mohon bantuan petugas terkait.",
    "Terima kasih.",
    "Sudah dilaporkan ke RT namun belum ada penanganan.",
    "Mohon dicek ke lokasi.",
)

PROGRESS_NOTES = (
    "Sudah dicek ke lokasi, penanganan dimulai.",
    "Pekerjaan berjalan, dilanjutkan besok.",
    "Menunggu material dan peralatan.",
    "Koordinasi dengan RT/RW setempat.",
    "Sebagian sudah ditangani.",
)

DONE_NOTES: dict[str, str] = {
    "jalan": "Lubang sudah ditambal dan permukaan jalan diratakan.",
    "pohon": "Pohon sudah dipotong dan batang dibersihkan dari jalan.",
    "parkir_liar": "Kendaraan sudah ditertibkan bersama Dishub, pemilik diberi teguran.",
    "sampah": "Sampah sudah diangkut dan lokasi dibersihkan.",
    "fasilitas_gedung": "Fasilitas sudah diperbaiki dan dapat digunakan kembali.",
    "kebisingan": "Pemilik kegiatan sudah ditegur dan bersedia mematuhi jam tenang.",
    "jaringan_listrik": "Kabel sudah dirapikan / lampu sudah diganti bersama petugas terkait.",
    "pkl_liar": "PKL sudah ditertibkan dan diarahkan ke lokasi binaan.",
    "kawasan_dilarang_merokok": "Sudah dilakukan sosialisasi dan pemasangan tanda KDM.",
    "lalu_lintas": "Sudah dilakukan pengaturan lalu lintas dan perbaikan rambu.",
}
DEFAULT_DONE_NOTE = "Sudah ditindaklanjuti di lokasi."

SEND_BACK_NOTES = (
    "Foto sesudah belum menunjukkan penanganan yang tuntas, mohon ditindaklanjuti ulang.",
    "Lokasi foto tidak sesuai dengan lokasi laporan.",
    "Masih ada sisa pekerjaan, mohon diselesaikan.",
)

EXTENSION_REASONS = (
    "Perbaikan memerlukan alat berat dan material dari suku dinas.",
    "Menunggu jadwal pengerjaan bersama pihak terkait.",
    "Pekerjaan perlu waktu lebih lama karena cakupannya luas.",
)

REFUSE_EXTENSION_NOTES = (
    "Perpanjangan tidak disetujui, mohon diselesaikan sesuai tenggat.",
    "Cukup dengan penanganan sementara terlebih dulu.",
)

CLOSE_REASONS = (
    "Laporan ganda dengan laporan sebelumnya.",
    "Laporan tidak valid: lokasi dan isi tidak sesuai.",
    "Bukan permasalahan yang dapat ditindaklanjuti pemerintah.",
)


def title(rng: random.Random, category: str, kelurahan: str, kecamatan: str) -> tuple[str, str]:
    """A report's title and the street it mentions (for the address)."""
    st = street(rng, kelurahan)
    template = pick(rng, TITLES.get(category, TITLES["ketertiban"]))
    text = template.format(
        street=st,
        landmark=landmark(rng, kelurahan, kecamatan),
        office=office(rng, kelurahan, kecamatan),
        kelurahan=kelurahan,
        kecamatan=kecamatan,
        rt=f"{rng.randrange(1, 16):02d}",
        rw=f"{rng.randrange(1, 12):02d}",
    )
    return text, st


def description(rng: random.Random, category: str, title_text: str) -> str:
    detail = pick(rng, DETAILS.get(category, DETAILS["ketertiban"]))
    return f"{title_text}. {detail} {pick(rng, CLOSINGS)}"
