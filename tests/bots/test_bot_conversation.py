"""The reporting conversation, driven through the real Application and the fake Bot API."""

import time

import pytest
from sqlalchemy import func, select

from lapor_bridge.db.models import Attachment, Complaint, Subscriber
from lapor_bridge.db.models_bot import BotConversation
from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint
from lapor_bridge.services.routing_preview import predict_destination

POTHOLE = ("Jalan berlubang besar di Jalan Kapten Sudibyo depan pasar Panggung, sudah dua "
           "minggu membahayakan pengendara motor dan belum diperbaiki.")


def _answer_category_if_asked(fake, chat):
    """After the description: a category model asks for the category first, and these
    tests (about the rest of the conversation) answer "not sure"; without one the bot
    asks where at once (``test_bot_category`` covers both)."""
    def next_question():
        for message in fake.outgoing(chat):
            if "Di mana lokasinya?" in (message.get("text") or ""):
                return "place"
            if any(data == "cat:lainnya" for row in fake.buttons(message) for _, data in row):
                return "category"
        return None

    fake.wait_until(lambda: next_question() is not None)
    if next_question() == "category":
        fake.press(chat, "cat:lainnya")


def _describe_and_place(fake, chat, description=POTHOLE, kecamatan="Tegal Timur",
                        kelurahan="Panggung"):
    fake.send_text(chat, "/lapor")
    fake.wait_for(chat, "Ceritakan masalahnya")
    fake.send_text(chat, description)
    _answer_category_if_asked(fake, chat)
    fake.wait_for(chat, "Pilih kecamatan")
    fake.press(chat, f"kec:{kecamatan}")
    fake.wait_for(chat, f"Kecamatan {kecamatan}. Pilih kelurahan")
    fake.press(chat, f"kel:{kelurahan}")
    fake.wait_for(chat, "Ada foto?")


def _complaints(ctx):
    with ctx.read() as session:
        return session.scalars(select(Complaint).order_by(Complaint.id)).all()


def test_happy_path_files_a_complaint_in_a_few_taps(start_bot, fake_api, ctx, jpeg):
    start_bot()
    chat = 5101
    started = time.monotonic()
    fake_api.send_text(chat, POTHOLE)  # just typing the problem starts a report
    _answer_category_if_asked(fake_api, chat)
    fake_api.wait_for(chat, "Di mana lokasinya?")
    fake_api.wait_for(chat, "Pilih kecamatan")
    fake_api.send_location(chat, -6.8694, 109.1402)
    fake_api.wait_for(chat, "Titik lokasi diterima")
    fake_api.press(chat, "kec:Tegal Timur")
    fake_api.wait_for(chat, "Pilih kelurahan")
    fake_api.press(chat, "kel:Panggung")
    fake_api.wait_for(chat, "Lokasi: Kelurahan Panggung, Kecamatan Tegal Timur")
    fake_api.send_photo(chat, jpeg)
    fake_api.wait_for(chat, "Foto 1 dari 3 diterima")
    fake_api.press(chat, "photos-done")
    fake_api.wait_for(chat, "Bagaimana identitas Anda")
    fake_api.press(chat, "priv:anon")
    summary = fake_api.wait_for(chat, "Periksa laporan Anda")
    destination = predict_destination(ctx, POTHOLE[:150], POTHOLE)
    expected = ("Instansi tujuan akan ditentukan oleh admin." if destination.to_triage
                else f"Akan diteruskan ke: {destination.agency_name}")
    assert expected in summary["text"] and "Identitas: Anonim" in summary["text"]
    assert "Foto: 1" in summary["text"] and "titik peta" in summary["text"]
    fake_api.press(chat, "send")
    done = fake_api.wait_for(chat, "Nomor laporan Anda:")
    assert time.monotonic() - started < 60

    [complaint] = _complaints(ctx)
    assert complaint.tracking_number in done["text"]
    assert complaint.channel == "telegram" and complaint.is_anonymous and not complaint.is_secret
    assert (complaint.lat, complaint.lon) == (-6.8694, 109.1402)
    assert complaint.description == POTHOLE
    with ctx.read() as session:
        contact = session.get(Complaint, complaint.id).contact
        assert contact.telegram_chat_id == chat and contact.name is None  # anonim: no name
        assert session.scalar(select(func.count()).select_from(Attachment)) == 1
        assert session.scalar(select(Subscriber.chat_id)) == chat
    # the confirm button is gone, and pressing the old one files nothing more
    with pytest.raises(AssertionError, match="no button"):
        fake_api.press(chat, "send", timeout=0.2)
    query_id = fake_api.press(chat, "send", message_id=summary["message_id"])
    fake_api.wait_until(lambda: any(c["callback_query_id"] == query_id
                                    for c in fake_api.calls_of("answerCallbackQuery")))
    assert len(_complaints(ctx)) == 1


def test_cancel_at_any_step_loses_the_draft_and_files_nothing(start_bot, fake_api, ctx):
    start_bot()
    chat = 5102
    _describe_and_place(fake_api, chat)
    fake_api.send_text(chat, "/batal")
    fake_api.wait_for(chat, "Laporan dibatalkan")
    fake_api.send_text(chat, "/batal")
    fake_api.wait_for(chat, "Tidak ada laporan yang sedang diisi")
    fake_api.send_text(chat, "/lapor")
    fake_api.wait_for(chat, "Ceritakan masalahnya")
    fake_api.press(chat, "cancel", message_id=fake_api.outgoing(chat)[-1]["message_id"])
    fake_api.wait_for(chat, "Laporan dibatalkan")
    assert _complaints(ctx) == []


def test_idle_conversation_expires_politely(start_bot, fake_api, ctx):
    start_bot(conversation_timeout_seconds=0.5)
    chat = 5103
    fake_api.send_text(chat, "/lapor")
    fake_api.wait_for(chat, "Ceritakan masalahnya")
    fake_api.wait_for(chat, "lama tidak ada balasan", timeout=5)
    fake_api.send_text(chat, "halo")  # idle again: a short text is a new, too short report
    fake_api.wait_for(chat, "minimal 20 karakter")
    assert _complaints(ctx) == []


def test_bad_photos_are_refused_with_a_reason_and_the_report_goes_on(start_bot, fake_api, ctx,
                                                                    jpeg):
    start_bot()
    chat = 5104
    _describe_and_place(fake_api, chat)
    fake_api.send_photo(chat, jpeg, file_size=20 * 1_048_576)  # Telegram announces 20 MB
    fake_api.wait_for(chat, "Foto ini terlalu besar (20.0 MB); maksimal 5 MB")
    fake_api.send_document(chat, b"%PDF-1.4 not a photo", "surat.pdf", "application/pdf")
    fake_api.wait_for(chat, "Berkas ini bukan foto")
    fake_api.send_document(chat, b"\xff\xd8garbage", "rusak.jpg", "image/jpeg")
    fake_api.wait_for(chat, "Foto ini tidak dapat kami baca")
    fake_api.send_sticker(chat)
    fake_api.wait_for(chat, "Kirim foto, atau tekan tombol")
    fake_api.send_document(chat, jpeg, "jalan.jpg", "image/jpeg")
    fake_api.wait_for(chat, "Foto 1 dari 3 diterima")
    fake_api.press(chat, "photos-done")
    fake_api.press(chat, "priv:public")
    fake_api.wait_for(chat, "Periksa laporan Anda")
    fake_api.press(chat, "send")
    fake_api.wait_for(chat, "Nomor laporan Anda:")
    with ctx.read() as session:
        assert session.scalars(select(Attachment.original_name)).all() == ["jalan.jpg"]
    assert len(fake_api.calls_of("getFile")) == 3  # the 20 MB photo was never fetched


def test_unknown_kelurahan_is_refused_and_a_typed_one_is_understood(start_bot, fake_api, ctx):
    start_bot()
    chat = 5105
    fake_api.send_text(chat, "/lapor")
    fake_api.send_text(chat, POTHOLE)
    _answer_category_if_asked(fake_api, chat)
    fake_api.wait_for(chat, "Pilih kecamatan")
    fake_api.send_text(chat, "Atlantis")
    fake_api.wait_for(chat, "\"Atlantis\" tidak kami kenal")
    fake_api.press(chat, "kec:Tegal Timur")
    fake_api.wait_for(chat, "Pilih kelurahan")
    last = fake_api.outgoing(chat)[-1]["message_id"]
    fake_api.press(chat, "kel:Tegalsari", message_id=last)  # belongs to Tegal Barat
    fake_api.wait_for(chat, "\"Tegalsari\" tidak kami kenal")
    fake_api.send_text(chat, "kelurahan  mintaragen")
    fake_api.wait_for(chat, "Lokasi: Kelurahan Mintaragen, Kecamatan Tegal Timur")
    fake_api.wait_for(chat, "Ada foto?")


def test_restart_in_the_middle_keeps_the_conversation(start_bot, fake_api, ctx):
    first = start_bot()
    chat = 5106
    _describe_and_place(fake_api, chat, kecamatan="Margadana", kelurahan="Krandon")
    first.stop()
    with ctx.read() as session:
        assert session.scalar(select(BotConversation.state)) == "photos"
    start_bot()
    fake_api.press(chat, "photos-done")
    fake_api.wait_for(chat, "Bagaimana identitas Anda")
    fake_api.press(chat, "priv:secret")
    fake_api.wait_for(chat, "Kelurahan Krandon, Kecamatan Margadana")
    fake_api.press(chat, "send")
    fake_api.wait_for(chat, "Nomor laporan Anda:")
    [complaint] = _complaints(ctx)
    assert complaint.description == POTHOLE and complaint.is_secret


def test_similar_open_complaint_is_offered_and_joining_subscribes(start_bot, fake_api, ctx):
    earlier = submit_complaint(ctx, ComplaintInput(
        title="Jalan berlubang depan pasar Panggung", description=POTHOLE,
        kecamatan="Tegal Timur", kelurahan="Panggung"))
    start_bot()
    chat = 5107
    _describe_and_place(fake_api, chat, description=(
        "Ada jalan berlubang besar di Jalan Kapten Sudibyo depan pasar Panggung, "
        "membahayakan pengendara motor, sudah dua minggu belum diperbaiki."))
    fake_api.press(chat, "photos-done")
    fake_api.press(chat, "priv:public")
    offer = fake_api.wait_for(chat, f"mirip dengan laporan {earlier.tracking_number}")
    assert "Jalan berlubang depan pasar Panggung" in offer["text"]
    fake_api.press(chat, f"follow:{earlier.tracking_number}")
    fake_api.wait_for(chat, f"Anda sekarang mengikuti laporan {earlier.tracking_number}")
    assert len(_complaints(ctx)) == 1
    with ctx.read() as session:
        assert session.scalars(select(Subscriber.chat_id)).all() == [chat]


def test_flood_of_messages_is_cut_off_with_one_warning(start_bot, fake_api):
    start_bot(rate_limit_messages=3, rate_limit_window_seconds=60)
    chat = 5108
    for _ in range(6):
        fake_api.send_text(chat, "/start")
    fake_api.wait_for(chat, "terlalu banyak")
    fake_api.wait_until(lambda: fake_api.pending_updates() == 0)
    texts = [m["text"] for m in fake_api.outgoing(chat)]
    assert sum("/lapor" in text for text in texts) == 3
    assert sum("terlalu banyak" in text for text in texts) == 1


def test_english_switch_changes_every_text(start_bot, fake_api, ctx):
    start_bot()
    chat = 5109
    fake_api.send_text(chat, "/bahasa")
    fake_api.wait_for(chat, "Pilih bahasa")
    fake_api.press(chat, "lang:en")
    fake_api.wait_for(chat, "Language set to English")
    fake_api.send_text(chat, "/lapor")
    fake_api.wait_for(chat, "Describe the problem")
    fake_api.send_text(chat, "/bahasa id")
    fake_api.wait_for(chat, "Bahasa diganti")


def test_old_buttons_answer_instead_of_spinning(start_bot, fake_api):
    start_bot()
    chat = 5110
    fake_api.send_text(chat, "/lapor")
    fake_api.wait_for(chat, "Ceritakan masalahnya")
    fake_api.send_text(chat, "/batal")
    fake_api.wait_for(chat, "Laporan dibatalkan")
    query_id = fake_api.press(chat, "send", message_id=fake_api.outgoing(chat)[0]["message_id"])
    fake_api.wait_until(lambda: any(c["callback_query_id"] == query_id and
                                    "tidak berlaku" in c.get("text", "")
                                    for c in fake_api.calls_of("answerCallbackQuery")))
