"""The notification outbox gives each recipient exactly one message per event."""

from sqlalchemy import select

from lapor_bridge.db.models import Complaint, ComplaintEvent, Notification
from lapor_bridge.services.intake.submit import ComplaintInput, ContactInput, submit_complaint
from lapor_bridge.services.notifications import enqueue_for_event, subscribe

REPORT = ComplaintInput(
    title="Bansos PKH belum cair", kecamatan="Tegal Timur", kelurahan="Panggung",
    description="Bantuan PKH ibu saya belum cair tiga bulan, padahal terdaftar di DTKS.",
    channel="telegram", contact=ContactInput(telegram_chat_id=5551, email="warga@example.id"),
)


def test_reporter_chat_is_subscribed_and_each_event_notifies_once(ctx):
    submit_complaint(ctx, REPORT)
    with ctx.transaction() as session:
        complaint = session.scalar(select(Complaint))
        subscribe(session, complaint, 7777)
        subscribe(session, complaint, 7777)
        event = ComplaintEvent(complaint=complaint, kind="responded", actor_type="officer",
                               from_status="in_progress", to_status="responded",
                               created_at=complaint.created_at)
        session.add(event)
        assert enqueue_for_event(session, complaint, event) == 3
        assert enqueue_for_event(session, complaint, event) == 0
    with ctx.read() as session:
        rows = session.execute(select(Notification.channel, Notification.recipient)).all()
    assert sorted(rows) == [("email", "warga@example.id"), ("telegram", "5551"),
                            ("telegram", "7777")]


def test_internal_notes_and_submission_notify_nobody(ctx):
    submit_complaint(ctx, REPORT)
    with ctx.transaction() as session:
        complaint = session.scalar(select(Complaint))
        note = ComplaintEvent(complaint=complaint, kind="note", actor_type="officer",
                              is_internal=True, created_at=complaint.created_at)
        session.add(note)
        assert enqueue_for_event(session, complaint, note) == 0
        assert enqueue_for_event(session, complaint, complaint.events[0]) == 0
