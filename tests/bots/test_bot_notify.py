"""Notification delivery: retried through the outbox on 429/5xx, never lost, sent once."""

from datetime import timedelta

from sqlalchemy import select

from bots.notify import deliver_due
from lapor_bridge.db.models import Complaint, ComplaintEvent, Notification
from lapor_bridge.services.bot_delivery import claim_due
from lapor_bridge.services.bot_state import set_language
from lapor_bridge.services.intake.submit import ComplaintInput, ContactInput, submit_complaint
from lapor_bridge.services.notifications import enqueue_for_event

CHAT = 6301


def _answered(ctx, chat=CHAT, kind="responded", note="Saluran sudah dibersihkan petugas."):
    """File a complaint from ``chat`` and record an officer event that notifies it."""
    filed = submit_complaint(ctx, ComplaintInput(
        title="Saluran air tersumbat", kecamatan="Margadana", kelurahan="Krandon",
        description="Saluran air depan rumah tersumbat sampah, air meluap ke jalan tiap hujan.",
        channel="telegram", contact=ContactInput(telegram_chat_id=chat)))
    with ctx.transaction() as session:
        complaint = session.scalar(select(Complaint).where(
            Complaint.tracking_number == filed.tracking_number))
        event = ComplaintEvent(complaint=complaint, kind=kind, actor_type="officer",
                               from_status="in_progress", to_status="responded", note=note,
                               agency_id=complaint.agency_id, created_at=ctx.clock())
        session.add(event)
        enqueue_for_event(session, complaint, event)
    return filed.tracking_number


def _row(ctx):
    with ctx.read() as session:
        return session.scalars(select(Notification)).one()


def test_flood_control_then_success_delivers_exactly_once(start_bot, fake_api, ctx):
    fake_api.fail_next("sendMessage", 429, retry_after=1)
    runner = start_bot()
    number = _answered(ctx)
    message = fake_api.wait_for(CHAT, f"Laporan {number} ditindaklanjuti", timeout=6)
    assert "Saluran sudah dibersihkan petugas." in message["text"]
    assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"reply:{number}"
    fake_api.wait_until(lambda: _row(ctx).state == "sent")
    row = _row(ctx)
    assert row.attempts == 1 and row.last_error is None  # the 429 did not count as an attempt
    tries = [c for c in fake_api.calls_of("sendMessage") if c["chat_id"] == CHAT]
    assert len(tries) == 2
    assert runner.call(deliver_due(runner.application.bot, runner.services)) == 0
    assert len([c for c in fake_api.calls_of("sendMessage") if c["chat_id"] == CHAT]) == 2


def test_server_errors_back_off_until_dead_and_nothing_is_sent_twice(start_bot, fake_api,
                                                                     bot_services):
    runner = start_bot(notify_interval_seconds=3600, notify_max_attempts=2)
    services = runner.services
    _answered(services)
    fake_api.fail_next("sendMessage", 500, times=2)
    bot = runner.application.bot
    assert runner.call(deliver_due(bot, services)) == 0
    first = _row(services)
    assert (first.state, first.attempts) == ("pending", 1) and "Internal Server Error" in (
        first.last_error)
    assert first.next_attempt_at > services.clock()  # backed off, not due now
    assert runner.call(deliver_due(bot, services)) == 0  # nothing due yet: no call made
    assert len(fake_api.calls_of("sendMessage")) == 1
    later = first.next_attempt_at + timedelta(seconds=1)
    services.clock = lambda: later
    assert runner.call(deliver_due(bot, services)) == 0
    assert (_row(services).state, _row(services).attempts) == ("dead", 2)


def test_blocked_chat_is_dead_at_once_and_english_chats_read_english(start_bot, fake_api,
                                                                     bot_services):
    runner = start_bot(notify_interval_seconds=3600)
    services = runner.services
    _answered(services, chat=6302)
    fake_api.fail_next("sendMessage", 403)
    assert runner.call(deliver_due(runner.application.bot, services)) == 0
    assert _row(services).state == "dead"
    set_language(services, CHAT, "en")
    number = _answered(services, kind="resolved", note="Selesai dikerjakan.")
    assert runner.call(deliver_due(runner.application.bot, services)) == 1
    text = fake_api.wait_for(CHAT, f"Report {number} was marked resolved")["text"]
    assert "Selesai dikerjakan." in text and "reply_markup" not in fake_api.outgoing(CHAT)[-1]


def test_a_claimed_row_is_not_claimed_again_until_its_lease_ends(ctx):
    _answered(ctx)
    assert len(claim_due(ctx, limit=10, lease_seconds=60)) == 1
    assert claim_due(ctx, limit=10, lease_seconds=60) == []  # a second sender gets nothing
    now = ctx.clock()
    ctx.clock = lambda: now + timedelta(seconds=61)  # the first sender died
    assert [due.chat_id for due in claim_due(ctx, limit=10, lease_seconds=60)] == [CHAT]
