"""The service-category list: what a complaint is about, the same in every region.

A category says what the resident reports ("jalan" — a damaged road, "pju" — a dark
street light), not who must act: each region maps categories to its own agencies in
its routing table (:mod:`lapor_bridge.domain.routing`), so the same pothole goes to
PUPR in one kabupaten and to a differently named office in another. The resident
confirms a category at intake (the model suggests the likeliest ones), officers may
change it, dashboards group by it. ``lapor_category`` is the SP4N-LAPOR! category a
report of this kind is filed under, where one is known (its numeric id is deployment
data: ``[lapor] category_ids``).

Codes are stable identifiers (stored on complaints, in routing tables, in trained
models and on the Open311 ``service_code``); names may be reworded.
"""

from __future__ import annotations

from dataclasses import dataclass

UNCATEGORISED = "Tanpa kategori"
OTHER = "lainnya"


@dataclass(frozen=True)
class ServiceCategory:
    """One entry of the list: stable code, names in both languages, group, description."""

    code: str
    name: str
    name_en: str
    group: str
    description: str
    lapor_category: str | None


@dataclass(frozen=True)
class CategoryGroup:
    """A heading of the list, for people scanning it."""

    code: str
    name: str
    name_en: str


GROUPS: tuple[CategoryGroup, ...] = (
    CategoryGroup("prasarana", "Jalan, saluran dan prasarana", "Roads, drains and infrastructure"),
    CategoryGroup("lalulintas", "Lalu lintas dan angkutan", "Traffic and transport"),
    CategoryGroup("lingkungan", "Kebersihan dan lingkungan", "Waste and environment"),
    CategoryGroup("air", "Air bersih", "Water supply"),
    CategoryGroup("sosial", "Bantuan sosial dan perumahan", "Social aid and housing"),
    CategoryGroup("kependudukan", "Dokumen kependudukan", "Civil registration"),
    CategoryGroup("kesehatan", "Kesehatan", "Health"),
    CategoryGroup("pendidikan", "Pendidikan", "Education"),
    CategoryGroup("ketertiban", "Ketertiban umum", "Public order"),
    CategoryGroup("usaha", "Perizinan, usaha dan pekerjaan", "Permits, business and jobs"),
    CategoryGroup("pemerintahan", "Pemerintahan dan layanan wilayah",
                  "Government and local offices"),
    CategoryGroup("lainnya", "Lainnya", "Other"),
)


def _category(code, name, name_en, group, description, lapor=None) -> ServiceCategory:
    return ServiceCategory(code, name, name_en, group, description, lapor)


_PU = "Pekerjaan Umum dan Penataan Ruang"
_HUB = "Perhubungan"
_LH = "Lingkungan Hidup dan Kehutanan"
_SOS = "Sosial dan Kesejahteraan"
_DUK = "Kependudukan"
_KES = "Kesehatan"
_DIK = "Pendidikan dan Kebudayaan"
_TIB = "Ketentraman, Ketertiban Umum dan Perlindungan Masyarakat"
_EKO = "Ekonomi dan Keuangan"
_PEM = "Pemerintahan Dalam Negeri"

CATEGORIES: tuple[ServiceCategory, ...] = (
    _category("jalan", "Jalan rusak dan perbaikan jalan", "Damaged roads and road works",
              "prasarana", "Jalan berlubang, aspal atau paving rusak, jalan kampung, trotoar, "
              "jembatan.", _PU),
    _category("drainase", "Saluran dan drainase", "Drains and channels", "prasarana",
              "Saluran tersumbat, rusak atau perlu dikeruk; genangan sehabis hujan, rumah "
              "pompa, tanggul dan plengsengan.", _PU),
    _category("banjir", "Banjir", "Floods", "prasarana",
              "Banjir yang merendam permukiman atau jalan, tanggul jebol, air sungai meluap.",
              _PU),
    _category("pju", "Penerangan jalan umum (PJU)", "Street lights", "prasarana",
              "Lampu jalan mati, berkedip atau belum ada.", _PU),
    _category("utilitas", "Galian dan jaringan utilitas", "Utility works and cables",
              "prasarana", "Galian kabel atau pipa, tiang dan kabel semrawut, bekas galian "
              "tidak ditutup.", _PU),
    _category("lalu_lintas", "Rambu, marka dan lampu lalu lintas",
              "Traffic signs, markings and signals", "lalulintas",
              "Lampu lalu lintas mati, rambu atau marka hilang, polisi tidur, kemacetan.", _HUB),
    _category("parkir", "Parkir dan juru parkir liar", "Parking and illegal attendants",
              "lalulintas", "Parkir liar, juru parkir tanpa karcis, tarif parkir.", _HUB),
    _category("angkutan_umum", "Angkutan umum dan halte", "Public transport and stops",
              "lalulintas", "Bus kota, angkot, halte, terminal, ojek daring.", _HUB),
    _category("sampah", "Sampah dan kebersihan", "Waste and cleanliness", "lingkungan",
              "Sampah tidak diangkut, TPS penuh, sampah di saluran atau jalan.", _LH),
    _category("pohon", "Pohon tumbang dan pemangkasan pohon", "Fallen and overgrown trees",
              "lingkungan", "Pohon tumbang, dahan rawan patah, permintaan pemangkasan.", _LH),
    _category("taman", "Taman dan ruang terbuka hijau", "Parks and green space",
              "lingkungan", "Taman kota rusak atau kotor, fasilitas taman, RTH.", _LH),
    _category("pencemaran", "Pencemaran dan sanitasi", "Pollution and sanitation",
              "lingkungan", "Asap, bau, limbah, kebisingan, jamban dan septic tank.", _LH),
    _category("pemakaman", "Pemakaman", "Cemeteries", "lingkungan",
              "Makam umum, lahan dan retribusi makam.", _LH),
    _category("air_pdam", "Air PDAM mati atau keruh", "No or dirty mains water", "air",
              "Air tidak mengalir, kecil, keruh atau berbau; pipa bocor.",
              "Energi dan Sumber Daya Alam"),
    _category("tagihan_air", "Tagihan dan sambungan air", "Water bills and connections", "air",
              "Tagihan air tidak wajar, meteran, pasang baru.", "Energi dan Sumber Daya Alam"),
    _category("bansos", "Bantuan sosial dan DTKS", "Social aid and the poor-household register",
              "sosial", "Bansos, PKH atau BPNT belum cair atau salah sasaran; pendaftaran atau "
              "pencoretan DTKS/MBR, surat keterangan miskin, permakanan.", _SOS),
    _category("bpjs", "BPJS Kesehatan dan KIS", "Health insurance (BPJS, KIS)", "sosial",
              "Kepesertaan BPJS PBI, KIS tidak aktif, iuran.", _SOS),
    _category("pmks", "Orang terlantar, gelandangan dan ODGJ",
              "Homeless and neglected persons", "sosial",
              "Gelandangan, pengemis, anak jalanan, orang dengan gangguan jiwa.", _SOS),
    _category("rumah_layak", "Rumah tidak layak huni dan rusun",
              "Substandard housing and public flats", "sosial",
              "Bedah rumah, RTLH, rumah susun sewa.", "Perumahan"),
    _category("ktp_el", "KTP elektronik dan KIA", "Electronic ID card and child ID", "kependudukan",
              "Perekaman, pencetakan atau blangko KTP-el, KIA, NIK.", _DUK),
    _category("kk_akta", "Kartu keluarga dan akta", "Family card and certificates",
              "kependudukan", "KK, akta kelahiran, kematian, perkawinan, perceraian.", _DUK),
    _category("adminduk", "Pindah datang dan layanan kependudukan lain",
              "Moving and other registry services", "kependudukan",
              "Pindah datang, legalisir, layanan daring dan loket Dukcapil.", _DUK),
    _category("puskesmas", "Puskesmas dan layanan kesehatan", "Health centres and care",
              "kesehatan", "Pelayanan puskesmas, klinik, rujukan, ambulans.", _KES),
    _category("rumah_sakit", "Rumah sakit", "Hospitals", "kesehatan",
              "Pelayanan RSUD atau rumah sakit lain, antrean, kamar.", _KES),
    _category("penyakit", "Demam berdarah, vaksinasi dan penyakit menular",
              "Dengue, vaccination and disease control", "kesehatan",
              "Fogging, jentik, vaksinasi, wabah.", _KES),
    _category("ppdb", "PPDB (penerimaan peserta didik baru)", "School admissions", "pendidikan",
              "Zonasi, jalur, pendaftaran sekolah, mutasi siswa.", _DIK),
    _category("pungutan_sekolah", "Pungutan dan biaya sekolah", "School fees and levies",
              "pendidikan", "Pungutan liar, SPP, tunggakan, ijazah ditahan, dana BOS.", _DIK),
    _category("sekolah", "Sekolah dan guru", "Schools and teachers", "pendidikan",
              "Pelayanan sekolah, guru, sarana sekolah, ijazah, ujian.", _DIK),
    _category("bantuan_siswa", "PIP/KIP dan beasiswa siswa", "Pupil grants and scholarships",
              "pendidikan", "Program Indonesia Pintar, KIP, beasiswa SD dan SMP.", _DIK),
    _category("beasiswa", "Beasiswa kuliah dan pemuda", "University and youth scholarships",
              "pendidikan", "Beasiswa mahasiswa, beasiswa pemuda daerah.", _DIK),
    _category("pkl", "Pedagang kaki lima (PKL)", "Street vendors", "ketertiban",
              "PKL di trotoar atau badan jalan.", _TIB),
    _category("bangunan_liar", "Bangunan liar", "Illegal buildings", "ketertiban",
              "Bangunan tanpa izin, di atas saluran atau lahan negara.", _TIB),
    _category("ketertiban", "Ketertiban umum", "Public order", "ketertiban",
              "Balap liar, petasan, keramaian, minuman keras, tempat hiburan.", _TIB),
    _category("bencana", "Bencana, kebakaran dan kedaruratan", "Disasters, fires, emergencies",
              "ketertiban", "Kebakaran, tanah longsor, evakuasi, hidran, layanan 112.",
              "Penanggulangan Bencana"),
    _category("perizinan", "Perizinan usaha", "Business permits", "usaha",
              "OSS, NIB, izin usaha, pelayanan perizinan terpadu.", "Perizinan"),
    _category("izin_bangunan", "PBG/IMB dan tata ruang", "Building permits and zoning", "usaha",
              "PBG/IMB, KRK, menara telekomunikasi, reklame, dampak pembangunan.",
              "Perizinan"),
    _category("umkm_pasar", "UMKM, koperasi dan pasar", "Small business, co-ops and markets",
              "usaha", "Bantuan UMKM, koperasi, pasar, sentra PKL, harga kebutuhan pokok.", _EKO),
    _category("ketenagakerjaan", "Lowongan kerja dan ketenagakerjaan", "Jobs and labour",
              "usaha", "Lowongan, pelatihan kerja, PHK, upah, THR, kartu kuning.",
              "Ketenagakerjaan"),
    _category("pajak_daerah", "Pajak daerah (PBB, BPHTB)", "Local taxes", "usaha",
              "PBB, BPHTB, pajak reklame atau restoran.", _EKO),
    _category("layanan_kelurahan", "Layanan kelurahan dan kecamatan",
              "Ward and district office services", "pemerintahan",
              "Surat pengantar, domisili, ahli waris, pelayanan loket kelurahan.", _PEM),
    _category("rt_rw", "RT/RW dan kegiatan warga", "Neighbourhood associations",
              "pemerintahan", "Pengurus RT/RW, iuran, musrenbang, kerja bakti.", _PEM),
    _category("pegawai", "Pegawai pemerintah", "Civil servants", "pemerintahan",
              "Disiplin atau sikap pegawai, pungli oknum, CPNS/PPPK.", "Aparatur Negara"),
    _category("aplikasi", "Aplikasi dan situs pemerintah", "Government apps and websites",
              "pemerintahan", "Aplikasi layanan daring atau situs pemda bermasalah, wifi publik.",
              "Komunikasi dan Informatika"),
    _category("aset_daerah", "Aset, tanah dan fasilitas pemda",
              "Government land, assets and facilities", "pemerintahan",
              "Tanah atau gedung milik pemda, izin pemakaian tanah, fasum/fasos.", _EKO),
    _category("perempuan_anak", "Perempuan, anak dan keluarga",
              "Women, children and families", "pemerintahan",
              "Kekerasan terhadap perempuan atau anak, kelas calon pengantin, KB.",
              "Pemberdayaan Perempuan dan Perlindungan Anak"),
    _category("olahraga_budaya", "Olahraga, pemuda, budaya dan wisata",
              "Sports, youth, culture and tourism", "pemerintahan",
              "Lapangan dan gedung olahraga, cagar budaya, tempat wisata.", _DIK),
    _category("pertanian_hewan", "Pertanian, perikanan dan hewan",
              "Farming, fisheries and animals", "lainnya",
              "Pupuk, benih, ternak, hewan liar atau terlantar.", "Pertanian dan Peternakan"),
    _category(OTHER, "Lainnya / tidak tahu", "Other / not sure", "lainnya",
              "Tidak ada yang cocok: petugas verifikasi yang memilihkan."),
)

BY_CODE: dict[str, ServiceCategory] = {category.code: category for category in CATEGORIES}
CODES: tuple[str, ...] = tuple(BY_CODE)


def get(code: str | None) -> ServiceCategory | None:
    """The category of ``code`` (None for an empty or unknown code)."""
    return BY_CODE.get(code or "")


def is_category(code: str | None) -> bool:
    """True when ``code`` is on the list."""
    return (code or "") in BY_CODE


def label(code: str | None, lang: str = "id") -> str:
    """A category as shown: its name (English with ``lang="en"``); an empty code shows
    :data:`UNCATEGORISED`, an unknown one itself (data from before the list)."""
    category = BY_CODE.get(code or "")
    if category is None:
        return code or UNCATEGORISED
    return category.name_en if lang == "en" else category.name


def grouped() -> list[tuple[CategoryGroup, list[ServiceCategory]]]:
    """The list under its group headings, in list order (for a picker)."""
    return [(group, [c for c in CATEGORIES if c.group == group.code]) for group in GROUPS]
