"""/status, /laporanku, and an officer's answer reaching the resident, who replies."""

from sqlalchemy import select

from lapor_bridge.db.models import Complaint, ComplaintEvent, Notification, User
from lapor_bridge.domain.status import Status
from lapor_bridge.services.accounts import principal_of
from lapor_bridge.services.intake.submit import ComplaintInput, ContactInput, submit_complaint
from lapor_bridge.services.residents import follow_complaint
from lapor_bridge.services.workflow import claim, respond

OWNER, STRANGER = 6201, 6202


def _file(ctx, *, chat=OWNER, rahasia=False, title="Lampu jalan mati di Jalan Cempaka"):
    return submit_complaint(ctx, ComplaintInput(
        title=title, kecamatan="Tegal Selatan", kelurahan="Keturen", rahasia=rahasia,
        description="Tiga lampu penerangan jalan mati sejak seminggu, gelap dan rawan begal.",
        channel="telegram", contact=ContactInput(telegram_chat_id=chat)))


def test_status_shows_own_secret_complaint_and_hides_it_from_others(start_bot, fake_api, ctx):
    secret = _file(ctx, rahasia=True)
    start_bot()
    fake_api.send_text(OWNER, f"/status {secret.tracking_number.lower()}")
    own = fake_api.wait_for(OWNER, f"Laporan {secret.tracking_number}")["text"]
    assert "Lampu jalan mati" in own and "Keturen" in own and "hanya terlihat oleh Anda" in own

    fake_api.send_text(STRANGER, f"/status {secret.tracking_number}")
    hidden = fake_api.wait_for(STRANGER, "Laporan")["text"]
    fake_api.send_text(STRANGER, "/status ZZZZ2222")
    unknown = fake_api.wait_for(STRANGER, "Laporan")["text"]
    assert hidden == unknown.replace("ZZZZ2222", secret.tracking_number)
    for revealing in ("Lampu", "Keturen", "Dinas", "Status", "Antrean"):
        assert revealing not in hidden


def test_status_of_someone_elses_open_complaint_and_usage(start_bot, fake_api, ctx):
    public = _file(ctx)
    start_bot()
    fake_api.send_text(STRANGER, f"/status {public.tracking_number}")
    text = fake_api.wait_for(STRANGER, f"Laporan {public.tracking_number}")["text"]
    assert "Lampu jalan mati" in text and public.status.label_id in text
    assert "hanya terlihat oleh Anda" not in text
    fake_api.send_text(STRANGER, "/status")
    fake_api.wait_for(STRANGER, "Ketik /status NOMOR")


def test_laporanku_lists_own_and_followed_complaints(start_bot, fake_api, ctx):
    mine = _file(ctx, title="Lampu jalan mati di Jalan Cempaka")
    theirs = _file(ctx, chat=STRANGER, title="Saluran air tersumbat di gang Mawar")
    follow_complaint(ctx, theirs.tracking_number, OWNER)
    start_bot()
    fake_api.send_text(OWNER, "/laporanku")
    text = fake_api.wait_for(OWNER, "Laporan Anda:")["text"]
    assert f"{mine.tracking_number} — {mine.status.label_id}" in text
    assert f"{theirs.tracking_number} (diikuti) — " in text
    fake_api.send_text(7777, "/laporanku")
    fake_api.wait_for(7777, "Anda belum punya laporan")


def test_officer_answer_reaches_the_reporter_who_replies_with_the_button(start_bot, fake_api,
                                                                         ctx):
    filed = _file(ctx)
    with ctx.read() as session:
        complaint = session.scalar(select(Complaint))
        officer = principal_of(session.scalar(
            select(User).where(User.role == "officer", User.agency_id == complaint.agency_id)))
    start_bot()
    claim(ctx, officer, filed.tracking_number)
    respond(ctx, officer, filed.tracking_number,
            "Lampu sudah kami ganti kemarin sore. Mohon dicek kembali.")
    answer = fake_api.wait_for(OWNER, "ditindaklanjuti oleh")
    assert "Lampu sudah kami ganti" in answer["text"]
    assert answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == (
        f"reply:{filed.tracking_number}")

    fake_api.press(OWNER, f"reply:{filed.tracking_number}")
    fake_api.wait_for(OWNER, "Tulis balasan Anda")
    fake_api.send_text(OWNER, "Masih mati satu, yang di depan masjid.")
    fake_api.wait_for(OWNER, "sudah diteruskan ke instansi")
    with ctx.read() as session:
        complaint = session.scalar(select(Complaint))
        reply = session.scalars(select(ComplaintEvent).where(
            ComplaintEvent.kind == "reporter_replied")).one()
    assert complaint.status == Status.IN_PROGRESS.value
    assert reply.note == "Masih mati satu, yang di depan masjid."
    fake_api.wait_until(lambda: any(  # the reply's own event, in whatever order it came
        "Tanggapan Anda untuk laporan" in m["text"] for m in fake_api.outgoing(OWNER)))

    def delivered():
        with ctx.read() as session:
            return session.execute(select(Notification.state, Notification.attempts).where(
                Notification.channel == "telegram")).all()

    fake_api.wait_until(lambda: all(state == "sent" for state, _ in delivered()))
    assert [attempts for _, attempts in delivered()] == [1, 1, 1]  # claimed, responded, reply
    assert len([m for m in fake_api.outgoing(OWNER) if "ditindaklanjuti" in m["text"]]) == 1


def test_only_the_reporter_may_reply(start_bot, fake_api, ctx):
    filed = _file(ctx)
    start_bot()
    # a forwarded or forged "Balas" button in another chat
    button = {"text": "Balas", "callback_data": f"reply:{filed.tracking_number}"}
    fake_api.handle("sendMessage", {"chat_id": STRANGER, "text": "tombol",
                                    "reply_markup": {"inline_keyboard": [[button]]}})
    fake_api.press(STRANGER, f"reply:{filed.tracking_number}")
    fake_api.wait_for(STRANGER, "Tulis balasan Anda")
    fake_api.send_text(STRANGER, "Saya bukan pelapornya tapi ingin membalas.")
    fake_api.wait_for(STRANGER, "Balasan tidak dapat dikirim")
    with ctx.read() as session:
        assert session.scalars(select(ComplaintEvent.kind).where(
            ComplaintEvent.kind == "reporter_replied")).all() == []
