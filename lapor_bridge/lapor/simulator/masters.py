"""Master data the simulator seeds into an empty store.

Institution names follow the public naming of Kota Tegal's perangkat daerah plus a
few national and neighbouring instansi; the ids are the simulator's own (real LAPOR!
ids are deployment data).
"""

from __future__ import annotations

INSTITUTIONS: tuple[tuple[int, str], ...] = (
    (1001, "Pemerintah Kota Tegal"),
    (1002, "Dinas Pekerjaan Umum dan Penataan Ruang Kota Tegal"),
    (1003, "Dinas Lingkungan Hidup Kota Tegal"),
    (1004, "Dinas Kesehatan Kota Tegal"),
    (1005, "Dinas Pendidikan dan Kebudayaan Kota Tegal"),
    (1006, "Dinas Perhubungan Kota Tegal"),
    (1007, "Dinas Kependudukan dan Pencatatan Sipil Kota Tegal"),
    (1008, "Dinas Sosial Kota Tegal"),
    (1009, "Dinas Perumahan dan Kawasan Permukiman Kota Tegal"),
    (1010, "Satuan Polisi Pamong Praja Kota Tegal"),
    (1011, "Badan Penanggulangan Bencana Daerah Kota Tegal"),
    (1012, "Dinas Komunikasi dan Informatika Kota Tegal"),
    (1013, "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Tegal"),
    (1014, "Dinas Koperasi, Usaha Kecil dan Menengah dan Perdagangan Kota Tegal"),
    (1015, "Badan Keuangan Daerah Kota Tegal"),
    (1016, "RSUD Kardinah Kota Tegal"),
    (1017, "Inspektorat Kota Tegal"),
    (1018, "Perumda Air Minum Tirta Bahari Kota Tegal"),
    (2001, "Pemerintah Provinsi Jawa Tengah"),
    (2002, "Pemerintah Kabupaten Tegal"),
    (2003, "Pemerintah Kabupaten Brebes"),
    (3001, "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"),
    (3002, "PT PLN (Persero)"),
    (3003, "BPJS Kesehatan"),
    (3004, "Kepolisian Resor Tegal Kota"),
)

TEMPLATES: tuple[tuple[str, str, str], ...] = (
    ("TL-PROSES", "Sedang diproses", "Laporan Anda sedang kami tindak lanjuti."),
    ("TL-SELESAI", "Selesai ditindaklanjuti", "Laporan Anda telah selesai kami tindak lanjuti."),
    ("TL-INFO", "Mohon keterangan", "Mohon lengkapi keterangan lokasi dan waktu kejadian."),
)
