"""Every text the bot shows a resident: Bahasa Indonesia first, English second.

``t(lang, key, **values)`` picks the language (``id`` unless ``en`` was chosen with
/bahasa) and fills the ``{placeholders}``. Messages are plain text (no parse mode),
so names and complaint text never need escaping.
"""

from __future__ import annotations

LANGUAGES = ("id", "en")

TEXTS: dict[str, tuple[str, str]] = {
    # general
    "welcome": (
        "Halo! Ini layanan pengaduan warga: laporan Anda diteruskan ke instansi pemerintah "
        "daerah yang berwenang, dan Anda dikabari di sini.\n\n"
        "/lapor — buat laporan baru (atau langsung ketik masalahnya)\n"
        "/status NOMOR — lihat perkembangan laporan\n"
        "/laporanku — daftar laporan Anda\n"
        "/batal — batalkan laporan yang sedang diisi\n"
        "/bahasa — ganti bahasa (English)",
        "Hello! This is the citizen complaint service: your report goes to the local "
        "government agency in charge, and you hear back here.\n\n"
        "/lapor — file a new report (or just type the problem)\n"
        "/status NUMBER — see how a report is doing\n"
        "/laporanku — your reports\n"
        "/batal — cancel the report you are writing\n"
        "/bahasa — change language (Bahasa Indonesia)",
    ),
    "command_lapor": ("Buat laporan baru", "File a new report"),
    "command_status": ("Lihat status laporan", "See a report's status"),
    "command_laporanku": ("Laporan saya", "My reports"),
    "command_batal": ("Batalkan", "Cancel"),
    "command_bahasa": ("Ganti bahasa", "Change language"),
    "language_pick": ("Pilih bahasa:", "Choose a language:"),
    "language_set": ("Bahasa diganti ke Bahasa Indonesia.", "Language set to English."),
    "language_name_id": ("Bahasa Indonesia", "Bahasa Indonesia"),
    "language_name_en": ("English", "English"),
    "rate_limited": (
        "Pesan Anda terlalu banyak dalam waktu singkat. Tunggu sebentar, lalu coba lagi.",
        "Too many messages in a short time. Please wait a moment and try again.",
    ),
    "error": (
        "Maaf, terjadi gangguan. Laporan yang sedang Anda isi tidak hilang; "
        "coba lagi sebentar lagi.",
        "Sorry, something went wrong. The report you are writing is not lost; "
        "please try again shortly.",
    ),
    "button_stale": ("Tombol ini sudah tidak berlaku.", "This button is no longer active."),
    "nothing_to_cancel": ("Tidak ada laporan yang sedang diisi.",
                          "There is no report in progress."),
    # reporting conversation
    "ask_description": (
        "Ceritakan masalahnya: apa yang terjadi, di mana tepatnya, sejak kapan. "
        "(Ketik /batal untuk membatalkan.)",
        "Describe the problem: what happened, where exactly, since when. "
        "(Type /batal to cancel.)",
    ),
    "description_too_short": (
        "Ceritakan sedikit lebih lengkap (minimal {minimum} karakter) agar petugas dapat "
        "menindaklanjuti.",
        "Please tell a little more (at least {minimum} characters) so officers can act on it.",
    ),
    "description_too_long": (
        "Uraian terlalu panjang (maksimal {maximum} karakter). Ringkas dan kirim lagi.",
        "The description is too long (at most {maximum} characters). Shorten it and send again.",
    ),
    "describe_expected": (
        "Tulis dulu uraian masalahnya sebagai pesan teks.",
        "First write the description of the problem as a text message.",
    ),
    "ask_location": (
        "Di mana lokasinya? Bagikan lokasi dengan tombol di bawah, atau pilih kecamatan "
        "dan kelurahan.",
        "Where is it? Share the location with the button below, or pick the kecamatan "
        "and kelurahan.",
    ),
    "button_share_location": ("📍 Bagikan lokasi", "📍 Share location"),
    "location_received": (
        "Titik lokasi diterima. Sekarang pilih kecamatannya.",
        "Location received. Now pick the kecamatan.",
    ),
    "pick_kecamatan": ("Pilih kecamatan:", "Pick the kecamatan:"),
    "pick_kelurahan": ("Kecamatan {kecamatan}. Pilih kelurahan:",
                       "Kecamatan {kecamatan}. Pick the kelurahan:"),
    "button_other_kecamatan": ("« Kecamatan lain", "« Another kecamatan"),
    "unknown_place": (
        "\"{typed}\" tidak kami kenal sebagai kecamatan atau kelurahan di wilayah ini. "
        "Pilih dari tombol di bawah.",
        "We don't know \"{typed}\" as a kecamatan or kelurahan of this region. "
        "Pick one of the buttons below.",
    ),
    "place_chosen": ("Lokasi: Kelurahan {kelurahan}, Kecamatan {kecamatan}.",
                     "Location: Kelurahan {kelurahan}, Kecamatan {kecamatan}."),
    "location_expected": (
        "Bagikan lokasi atau pilih kecamatan dan kelurahan dari tombol.",
        "Share the location or pick the kecamatan and kelurahan from the buttons.",
    ),
    "ask_photos": (
        "Ada foto? Kirim sampai {maximum} foto (JPEG, PNG atau WebP, maks. {megabytes} MB), "
        "atau lanjut tanpa foto.",
        "Any photos? Send up to {maximum} photos (JPEG, PNG or WebP, max. {megabytes} MB), "
        "or continue without.",
    ),
    "button_photos_skip": ("Lanjut tanpa foto", "Continue without photos"),
    "button_photos_done": ("Selesai, lanjut", "Done, continue"),
    "photo_received": ("Foto {count} dari {maximum} diterima.",
                       "Photo {count} of {maximum} received."),
    "photo_too_big": (
        "Foto ini terlalu besar ({size:.1f} MB); maksimal {megabytes} MB. Kirim foto yang "
        "lebih kecil.",
        "This photo is too big ({size:.1f} MB); the limit is {megabytes} MB. Send a smaller one.",
    ),
    "photo_wrong_type": (
        "Berkas ini bukan foto. Kirim foto (JPEG, PNG atau WebP), atau lanjut tanpa foto.",
        "This file is not a photo. Send a photo (JPEG, PNG or WebP), or continue without.",
    ),
    "photo_unreadable": (
        "Foto ini tidak dapat kami baca. Kirim foto JPEG, PNG atau WebP.",
        "We cannot read this photo. Send a JPEG, PNG or WebP photo.",
    ),
    "photos_full": ("Sudah {maximum} foto; foto ini tidak ditambahkan.",
                    "Already {maximum} photos; this one was not added."),
    "photos_expected": (
        "Kirim foto, atau tekan tombol untuk lanjut.",
        "Send a photo, or press the button to continue.",
    ),
    "ask_privacy": (
        "Bagaimana identitas Anda ditampilkan?\n"
        "• Biasa: nama Anda diketahui instansi.\n"
        "• Anonim: nama Anda disembunyikan dari instansi.\n"
        "• Rahasia: isi laporan tidak dapat dilihat publik.",
        "How should your identity be shown?\n"
        "• Normal: the agency sees your name.\n"
        "• Anonymous: your name is hidden from the agency.\n"
        "• Confidential: the public cannot see the report's content.",
    ),
    "privacy_public": ("Biasa", "Normal"),
    "privacy_anon": ("Anonim", "Anonymous"),
    "privacy_secret": ("Rahasia", "Confidential"),
    "privacy_both": ("Anonim + Rahasia", "Anonymous + Confidential"),
    "privacy_chosen": ("Identitas: {choice}.", "Identity: {choice}."),
    "choice_expected": ("Pilih salah satu tombol di atas.", "Pick one of the buttons above."),
    "summary": (
        "Periksa laporan Anda:\n\n{description}\n\n"
        "Lokasi: Kelurahan {kelurahan}, Kecamatan {kecamatan}{point}\n"
        "Foto: {photos}\nIdentitas: {privacy}\n{destination}",
        "Check your report:\n\n{description}\n\n"
        "Location: Kelurahan {kelurahan}, Kecamatan {kecamatan}{point}\n"
        "Photos: {photos}\nIdentity: {privacy}\n{destination}",
    ),
    "summary_point": (" (titik peta terlampir)", " (map point attached)"),
    "summary_destination": ("Akan diteruskan ke: {agency}", "Will go to: {agency}"),
    "summary_triage": (
        "Instansi tujuan akan ditentukan oleh admin.",
        "An administrator will pick the responsible agency.",
    ),
    "duplicate_offer": (
        "\n\nLaporan ini mirip dengan laporan {number} ({status}, {date}):\n\"{title}\"\n"
        "Ikuti laporan itu saja? Anda akan menerima kabar perkembangannya.",
        "\n\nThis looks like report {number} ({status}, {date}):\n\"{title}\"\n"
        "Follow that one instead? You will receive its news.",
    ),
    "button_send": ("✅ Kirim laporan", "✅ Send report"),
    "button_send_anyway": ("Tetap kirim laporan baru", "Send a new report anyway"),
    "button_follow": ("Ikuti {number}", "Follow {number}"),
    "button_cancel": ("Batal", "Cancel"),
    "submitted": (
        "Laporan terkirim. Nomor laporan Anda: {number}\n"
        "Diteruskan ke: {agency}\n\n"
        "Kami akan mengabari Anda di sini setiap ada perkembangan. "
        "Cek kapan saja dengan /status {number}\n"
        "Kode pelapor (untuk halaman lacak di web, simpan baik-baik): {key}",
        "Report sent. Your report number: {number}\n"
        "Sent to: {agency}\n\n"
        "We will tell you here about every development. "
        "Check any time with /status {number}\n"
        "Reporter code (for the web tracking page, keep it safe): {key}",
    ),
    "submitted_triage": ("admin (verifikasi)", "the administrator (verification)"),
    "submit_refused": (
        "Laporan belum dapat dikirim: {reasons}\nPerbaiki lalu coba lagi, atau /batal.",
        "The report could not be sent yet: {reasons}\nFix it and try again, or /batal.",
    ),
    "joined": (
        "Anda sekarang mengikuti laporan {number}. Kabar perkembangannya akan dikirim ke sini.",
        "You now follow report {number}. Its news will be sent here.",
    ),
    "duplicate_gone": (
        "Laporan {number} tidak dapat diikuti lagi. Anda tetap bisa mengirim laporan baru.",
        "Report {number} can no longer be followed. You can still send a new report.",
    ),
    "cancelled": ("Laporan dibatalkan. Ketik /lapor kapan saja untuk mulai lagi.",
                  "Report cancelled. Type /lapor any time to start again."),
    "expired": (
        "Laporan yang belum selesai ini kami tutup karena lama tidak ada balasan. "
        "Ketik /lapor untuk mulai lagi kapan saja.",
        "We closed this unfinished report because there was no reply for a while. "
        "Type /lapor to start again any time.",
    ),
    # following
    "status_usage": ("Ketik /status NOMOR, misalnya /status K7P2MX9Q.",
                     "Type /status NUMBER, for example /status K7P2MX9Q."),
    "status_not_found": (
        "Laporan {number} tidak ditemukan, atau tidak dapat ditampilkan.",
        "Report {number} was not found, or cannot be shown.",
    ),
    "status_view": (
        "Laporan {number}\nStatus: {status}\nInstansi: {agency}\nDiperbarui: {updated}",
        "Report {number}\nStatus: {status}\nAgency: {agency}\nUpdated: {updated}",
    ),
    "status_text": ("\n\n{title}\nLokasi: Kelurahan {kelurahan}, Kecamatan {kecamatan}",
                    "\n\n{title}\nLocation: Kelurahan {kelurahan}, Kecamatan {kecamatan}"),
    "status_secret": ("\n\nLaporan rahasia: isinya hanya terlihat oleh Anda.",
                      "\n\nConfidential report: only you can see its content."),
    "status_history": ("\n\nRiwayat:", "\n\nHistory:"),
    "my_complaints_empty": (
        "Anda belum punya laporan. Ketik /lapor untuk membuat laporan.",
        "You have no reports yet. Type /lapor to file one.",
    ),
    "my_complaints_header": ("Laporan Anda:", "Your reports:"),
    "my_complaint_followed": (" (diikuti)", " (followed)"),
    "button_reply": ("💬 Balas", "💬 Reply"),
    "ask_reply": (
        "Tulis balasan Anda untuk laporan {number}. (Ketik /batal untuk membatalkan.)",
        "Write your reply to report {number}. (Type /batal to cancel.)",
    ),
    "reply_expected": ("Tulis balasan sebagai pesan teks.", "Write the reply as a text message."),
    "reply_sent": (
        "Balasan Anda untuk laporan {number} sudah diteruskan ke instansi.",
        "Your reply to report {number} was passed to the agency.",
    ),
    "reply_refused": ("Balasan tidak dapat dikirim: {reason}",
                      "The reply could not be sent: {reason}"),
    "reply_cancelled": ("Balasan dibatalkan.", "Reply cancelled."),
    "reply_expired": ("Balasan dibatalkan karena lama tidak ada pesan.",
                      "Reply cancelled because nothing was sent for a while."),
    # notifications, by event kind
    "notify_responded": (
        "Laporan {number} ditindaklanjuti oleh {agency}:\n\n{note}",
        "Report {number} was answered by {agency}:\n\n{note}",
    ),
    "notify_info_requested": (
        "Petugas meminta keterangan tambahan untuk laporan {number}:\n\n{note}\n\n"
        "Tekan Balas untuk menjawab.",
        "An officer asks for more information on report {number}:\n\n{note}\n\n"
        "Press Reply to answer.",
    ),
    "notify_resolved": ("Laporan {number} dinyatakan selesai. Terima kasih atas laporan Anda.",
                        "Report {number} was marked resolved. Thank you for reporting."),
    "notify_auto_closed": (
        "Laporan {number} ditutup otomatis karena tidak ada tanggapan setelah tindak lanjut.",
        "Report {number} was closed automatically: no reply came after the follow-up.",
    ),
    "notify_transferred": ("Laporan {number} dialihkan ke {agency}.",
                           "Report {number} was transferred to {agency}."),
    "notify_disposed": ("Laporan {number} diteruskan ke {agency}.",
                        "Report {number} was sent to {agency}."),
    "notify_claimed": ("Laporan {number} sedang ditangani oleh {agency}.",
                       "Report {number} is being handled by {agency}."),
    "notify_verified": ("Laporan {number} sudah diverifikasi.",
                        "Report {number} was verified."),
    "notify_reporter_replied": ("Tanggapan Anda untuk laporan {number} sudah tercatat.",
                                "Your reply to report {number} was recorded."),
    "notify_status": ("Status laporan {number} sekarang: {status}.",
                      "Report {number} is now: {status}."),
    "notify_note": ("\n\n{note}", "\n\n{note}"),
    "notify_footer": ("\n\nCek kapan saja: /status {number}",
                      "\n\nCheck any time: /status {number}"),
    "unknown_agency": ("instansi terkait", "the agency concerned"),
}


def t(lang: str | None, text_key: str, /, **values: object) -> str:
    """The text ``text_key`` in ``lang`` (Bahasa Indonesia unless ``en``), placeholders filled."""
    indonesian, english = TEXTS[text_key]
    template = english if lang == "en" else indonesian
    return template.format(**values) if values else template
