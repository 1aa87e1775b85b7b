"""Every text the bot shows a resident, by key, in Bahasa Indonesia.

The Indonesian texts are msgids of the app's one catalogue (``lapor_bridge/translations``,
see ``docs/i18n.md``), which holds their English. ``t(lang, key, **values)`` picks the
language (``id`` unless ``en`` was chosen with /bahasa) and fills the ``{placeholders}``.
Messages are plain text (no parse mode), so names and complaint text never need escaping.
"""

from __future__ import annotations

from lapor_bridge.translations import LOCALES, N_, catalogue

LANGUAGES = LOCALES

TEXTS: dict[str, str] = {
    # general
    "welcome": N_(
        "Halo! Ini layanan pengaduan warga: laporan Anda diteruskan ke instansi pemerintah "
        "daerah yang berwenang, dan Anda dikabari di sini.\n\n"
        "/lapor — buat laporan baru (atau langsung ketik masalahnya)\n"
        "/status NOMOR — lihat perkembangan laporan\n"
        "/laporanku — daftar laporan Anda\n"
        "/batal — batalkan laporan yang sedang diisi\n"
        "/bahasa — ganti bahasa (English)"
    ),
    "command_lapor": N_("Buat laporan baru"),
    "command_status": N_("Lihat status laporan"),
    "command_laporanku": N_("Laporan saya"),
    "command_batal": N_("Batalkan"),
    "command_bahasa": N_("Ganti bahasa"),
    "language_pick": N_("Pilih bahasa:"),
    "language_set": N_("Bahasa diganti ke Bahasa Indonesia."),
    "language_name_id": N_("Bahasa Indonesia"),
    "language_name_en": N_("English"),
    "rate_limited": N_(
        "Pesan Anda terlalu banyak dalam waktu singkat. Tunggu sebentar, lalu coba lagi."
    ),
    "error": N_(
        "Maaf, terjadi gangguan. Laporan yang sedang Anda isi tidak hilang; "
        "coba lagi sebentar lagi."
    ),
    "button_stale": N_("Tombol ini sudah tidak berlaku."),
    "nothing_to_cancel": N_("Tidak ada laporan yang sedang diisi."),
    # reporting conversation
    "ask_description": N_(
        "Ceritakan masalahnya: apa yang terjadi, di mana tepatnya, sejak kapan. "
        "(Ketik /batal untuk membatalkan.)"
    ),
    "description_too_short": N_(
        "Ceritakan sedikit lebih lengkap (minimal {minimum} karakter) agar petugas dapat "
        "menindaklanjuti."
    ),
    "description_too_long": N_(
        "Uraian terlalu panjang (maksimal {maximum} karakter). Ringkas dan kirim lagi."
    ),
    "describe_expected": N_("Tulis dulu uraian masalahnya sebagai pesan teks."),
    "ask_category": N_(
        "Masalah ini termasuk kategori apa? Pilih yang paling cocok, atau "
        "\"Lainnya / tidak tahu\" bila ragu."
    ),
    "button_other_category": N_("Kategori lain"),
    "pick_category_group": N_("Pilih kelompok masalahnya:"),
    "pick_category": N_("{group}. Pilih kategori:"),
    "button_back": N_("« Kembali"),
    "category_chosen": N_("Kategori: {category}"),
    "category_unknown": N_("Kategori ini tidak dikenal. Pilih salah satu tombol."),
    "ask_location": N_(
        "Di mana lokasinya? Bagikan lokasi dengan tombol di bawah, atau pilih kecamatan "
        "dan kelurahan."
    ),
    "button_share_location": N_("📍 Bagikan lokasi"),
    "location_received": N_("Titik lokasi diterima. Sekarang pilih kecamatannya."),
    "location_confirm": N_("Titik lokasi diterima: Kelurahan {kelurahan}, {kecamatan} — benar?"),
    "button_location_yes": N_("Ya, benar"),
    "button_location_other": N_("Pilih kelurahan lain"),
    "location_refused": N_(
        "{reason} Titik itu tidak kami pakai; pilih kecamatan dan kelurahan dari daftar."
    ),
    "pick_kecamatan": N_("Pilih kecamatan:"),
    "pick_kelurahan": N_("Kecamatan {kecamatan}. Pilih kelurahan:"),
    "button_other_kecamatan": N_("« Kecamatan lain"),
    "unknown_place": N_(
        "\"{typed}\" tidak kami kenal sebagai kecamatan atau kelurahan di wilayah ini. "
        "Pilih dari tombol di bawah."
    ),
    "place_chosen": N_("Lokasi: Kelurahan {kelurahan}, Kecamatan {kecamatan}."),
    "location_expected": N_("Bagikan lokasi atau pilih kecamatan dan kelurahan dari tombol."),
    "ask_photos": N_(
        "Ada foto? Kirim sampai {maximum} foto (JPEG, PNG atau WebP, maks. {megabytes} MB), "
        "atau lanjut tanpa foto."
    ),
    "button_photos_skip": N_("Lanjut tanpa foto"),
    "button_photos_done": N_("Selesai, lanjut"),
    "photo_received": N_("Foto {count} dari {maximum} diterima."),
    "photo_too_big": N_(
        "Foto ini terlalu besar ({size:.1f} MB); maksimal {megabytes} MB. Kirim foto yang "
        "lebih kecil."
    ),
    "photo_wrong_type": N_(
        "Berkas ini bukan foto. Kirim foto (JPEG, PNG atau WebP), atau lanjut tanpa foto."
    ),
    "photo_unreadable": N_("Foto ini tidak dapat kami baca. Kirim foto JPEG, PNG atau WebP."),
    "photos_full": N_("Sudah {maximum} foto; foto ini tidak ditambahkan."),
    "photos_expected": N_("Kirim foto, atau tekan tombol untuk lanjut."),
    "ask_privacy": N_(
        "Bagaimana identitas Anda ditampilkan?\n"
        "• Biasa: nama Anda diketahui instansi.\n"
        "• Anonim: nama Anda disembunyikan dari instansi.\n"
        "• Rahasia: isi laporan tidak dapat dilihat publik."
    ),
    "privacy_public": N_("Biasa"),
    "privacy_anon": N_("Anonim"),
    "privacy_secret": N_("Rahasia"),
    "privacy_both": N_("Anonim + Rahasia"),
    "privacy_chosen": N_("Identitas: {choice}."),
    "choice_expected": N_("Pilih salah satu tombol di atas."),
    "summary": N_(
        "Periksa laporan Anda:\n\n{description}\n\n"
        "Lokasi: Kelurahan {kelurahan}, Kecamatan {kecamatan}{point}\n"
        "Foto: {photos}\nIdentitas: {privacy}\n{destination}"
    ),
    "summary_point": N_(" (titik peta terlampir)"),
    "summary_destination": N_("Akan diteruskan ke: {agency}"),
    "summary_triage": N_("Instansi tujuan akan ditentukan oleh admin."),
    "duplicate_offer": N_(
        "\n\nLaporan ini mirip dengan laporan {number} ({status}, {date}):\n\"{title}\"\n"
        "Ikuti laporan itu saja? Anda akan menerima kabar perkembangannya."
    ),
    "duplicate_nearby_offer": N_(
        "\n\nDi dekat lokasi ini (±{metres} m) sudah ada laporan {number} dengan kategori "
        "yang sama ({status}, {date}):\n\"{title}\"\n"
        "Dukung laporan itu saja? Anda akan menerima kabar perkembangannya."
    ),
    "button_send": N_("✅ Kirim laporan"),
    "button_send_anyway": N_("Tetap kirim laporan baru"),
    "button_follow": N_("Ikuti {number}"),
    "button_cancel": N_("Batal"),
    "submitted": N_(
        "Laporan terkirim. Nomor laporan Anda: {number}\n"
        "Diteruskan ke: {agency}\n\n"
        "Kami akan mengabari Anda di sini setiap ada perkembangan. "
        "Cek kapan saja dengan /status {number}\n"
        "Kode pelapor (untuk halaman lacak di web, simpan baik-baik): {key}"
    ),
    "submitted_triage": N_("admin (verifikasi)"),
    "submit_refused": N_(
        "Laporan belum dapat dikirim: {reasons}\nPerbaiki lalu coba lagi, atau /batal."
    ),
    "joined": N_(
        "Anda sekarang mengikuti laporan {number}. Kabar perkembangannya akan dikirim ke sini."
    ),
    "duplicate_gone": N_(
        "Laporan {number} tidak dapat diikuti lagi. Anda tetap bisa mengirim laporan baru."
    ),
    "cancelled": N_("Laporan dibatalkan. Ketik /lapor kapan saja untuk mulai lagi."),
    "expired": N_(
        "Laporan yang belum selesai ini kami tutup karena lama tidak ada balasan. "
        "Ketik /lapor untuk mulai lagi kapan saja."
    ),
    # following
    "status_usage": N_("Ketik /status NOMOR, misalnya /status K7P2MX9Q."),
    "status_not_found": N_("Laporan {number} tidak ditemukan, atau tidak dapat ditampilkan."),
    "status_view": N_(
        "Laporan {number}\nStatus: {status}\nInstansi: {agency}\nDiperbarui: {updated}"
    ),
    "status_text": N_("\n\n{title}\nLokasi: Kelurahan {kelurahan}, Kecamatan {kecamatan}"),
    "status_secret": N_("\n\nLaporan rahasia: isinya hanya terlihat oleh Anda."),
    "status_history": N_("\n\nRiwayat:"),
    "my_complaints_empty": N_("Anda belum punya laporan. Ketik /lapor untuk membuat laporan."),
    "my_complaints_header": N_("Laporan Anda:"),
    "my_complaint_followed": N_(" (diikuti)"),
    "button_reply": N_("💬 Balas"),
    "ask_reply": N_("Tulis balasan Anda untuk laporan {number}. (Ketik /batal untuk membatalkan.)"),
    "reply_expected": N_("Tulis balasan sebagai pesan teks."),
    "reply_sent": N_("Balasan Anda untuk laporan {number} sudah diteruskan ke instansi."),
    "reply_refused": N_("Balasan tidak dapat dikirim: {reason}"),
    "reply_cancelled": N_("Balasan dibatalkan."),
    "reply_expired": N_("Balasan dibatalkan karena lama tidak ada pesan."),
    # notifications, by event kind
    "notify_responded": N_("Laporan {number} ditindaklanjuti oleh {agency}:\n\n{note}"),
    "notify_info_requested": N_(
        "Petugas meminta keterangan tambahan untuk laporan {number}:\n\n{note}\n\n"
        "Tekan Balas untuk menjawab."
    ),
    "notify_resolved": N_("Laporan {number} dinyatakan selesai. Terima kasih atas laporan Anda."),
    "notify_auto_closed": N_(
        "Laporan {number} ditutup otomatis karena tidak ada tanggapan setelah tindak lanjut."
    ),
    "notify_transferred": N_("Laporan {number} dialihkan ke {agency}."),
    "notify_disposed": N_("Laporan {number} diteruskan ke {agency}."),
    "notify_claimed": N_("Laporan {number} sedang ditangani oleh {agency}."),
    "notify_verified": N_("Laporan {number} sudah diverifikasi."),
    "notify_reporter_replied": N_("Tanggapan Anda untuk laporan {number} sudah tercatat."),
    "notify_status": N_("Status laporan {number} sekarang: {status}."),
    "notify_note": N_("\n\n{note}"),
    "notify_footer": N_("\n\nCek kapan saja: /status {number}"),
    "unknown_agency": N_("instansi terkait"),
}


def t(lang: str | None, text_key: str, /, **values: object) -> str:
    """The text ``text_key`` in ``lang`` (Bahasa Indonesia unless ``en``), placeholders filled."""
    template = catalogue(lang).gettext(TEXTS[text_key])
    return template.format(**values) if values else template
