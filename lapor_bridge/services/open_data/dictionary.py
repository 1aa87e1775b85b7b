"""The data dictionary: every published field, in the order of the CSV columns.

Names are Indonesian and stable (a harvester keys on them); the descriptions are
marked for translation and shown on ``/data/kamus``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lapor_bridge.translations import N_


@dataclass(frozen=True)
class Field:
    """One column: its name, type, unit (empty: none) and meaning."""

    name: str
    type: str
    unit: str
    meaning: str


TEXT, WHOLE, DECIMAL = N_("teks"), N_("bilangan bulat"), N_("desimal atau kosong")
COMPLAINTS, WORKING_DAYS = N_("laporan"), N_("hari kerja")

FIELDS: tuple[Field, ...] = (
    Field("wilayah_kode", TEXT, "", N_("Kode wilayah kabupaten/kota, misalnya 33.76.")),
    Field("wilayah_nama", TEXT, "", N_("Nama kabupaten/kota.")),
    Field("bulan", TEXT, N_("TTTT-BB"),
          N_("Bulan laporan diterima, menurut tanggal kirimnya dalam WIB.")),
    Field("kategori_kode", TEXT, "",
          N_("Kode kategori layanan (daftar yang sama di semua wilayah); kosong berarti "
             "laporan belum diberi kategori.")),
    Field("kategori_nama", TEXT, "", N_("Nama kategori layanan.")),
    Field("instansi_kode", TEXT, "",
          N_("Kode instansi (OPD) yang memegang laporan saat data dihitung, unik di dalam "
             "satu kabupaten/kota; TRIAGE adalah antrean verifikasi admin (belum "
             "didisposisikan ke OPD).")),
    Field("instansi_nama", TEXT, "", N_("Nama instansi.")),
    Field("diterima", WHOLE, COMPLAINTS,
          N_("Jumlah laporan yang diterima pada bulan itu untuk wilayah, kategori dan "
             "instansi baris ini.")),
    Field("selesai", WHOLE, COMPLAINTS,
          N_("Dari laporan yang diterima, jumlah yang sudah selesai (status selesai atau "
             "ditutup otomatis) saat data dihitung.")),
    Field("selesai_tepat_waktu", WHOLE, COMPLAINTS,
          N_("Dari laporan yang selesai, jumlah yang tidak melewati satu pun tenggat SLA: "
             "verifikasi dan disposisi, tindak lanjut pertama, dan penyelesaian. Tahap yang "
             "tidak dilalui tidak dihitung terlambat.")),
    Field("median_hari_tanggapan_pertama", DECIMAL, WORKING_DAYS,
          N_("Median lama dari laporan dikirim sampai tindak lanjut pertama instansi, di "
             "antara laporan baris ini yang sudah ditanggapi. Kosong bila laporan itu lebih "
             "sedikit dari batas minimum.")),
    Field("median_hari_penyelesaian", DECIMAL, WORKING_DAYS,
          N_("Median lama dari laporan dikirim sampai selesai, di antara laporan baris ini "
             "yang selesai. Kosong bila laporan itu lebih sedikit dari batas minimum.")),
)

FIELD_NAMES: tuple[str, ...] = tuple(field.name for field in FIELDS)
