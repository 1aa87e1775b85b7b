"""The SLA job with a frozen clock: escalation steps, auto-close, idempotence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from lapor_bridge.db.models import Complaint, ComplaintEvent, Notification, StaffAlert, User
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.jobs.sla import run_sla_cycle
from lapor_bridge.services import workflow
from lapor_bridge.services.alerts import alerts_for
from lapor_bridge.services.deadlines import SlaCycleSummary

# Thursday before Idul Fitri 2025: 28 Mar and 2–7 Apr are cuti bersama, 31 Mar–1 Apr
# the holiday itself, so five working days end on Monday 14 April.
BEFORE_LEBARAN = datetime(2025, 3, 27, 10, tzinfo=WIB)
FIRST_RESPONSE_DUE = datetime(2025, 4, 14, 23, 59, 59, tzinfo=WIB)
# Monday before Christmas 2025: 25 Dec holiday, 26 Dec cuti bersama, 1 Jan New Year.
BEFORE_CHRISTMAS = datetime(2025, 12, 22, 10, tzinfo=WIB)
AUTO_CLOSE_DUE = datetime(2026, 1, 8, 23, 59, 59, tzinfo=WIB)


def wib(*args):
    return datetime(*args, tzinfo=WIB)


def alert_users(ctx, number):
    with ctx.read() as session:
        return sorted(session.execute(
            select(User.username, StaffAlert.level).select_from(StaffAlert)
            .join(User, User.id == StaffAlert.user_id)
            .join(Complaint, Complaint.id == StaffAlert.complaint_id)
            .where(Complaint.tracking_number == number)).all(), key=str)


def row(ctx, number):
    with ctx.read() as session:
        return session.scalar(select(Complaint).where(Complaint.tracking_number == number))


def test_overdue_first_response_escalates_head_then_admin_then_coordinator(ctx, file, staff):
    ctx.clock = lambda: BEFORE_LEBARAN
    number = file("DLH").tracking_number
    assert row(ctx, number).sla_due_at == FIRST_RESPONSE_DUE
    assert run_sla_cycle(ctx, wib(2025, 4, 14, 20)) == SlaCycleSummary()

    first = run_sla_cycle(ctx, wib(2025, 4, 15, 10))
    assert (first.escalated, first.alerts) == (1, 1)
    assert alert_users(ctx, number) == [("petugas.dlh", 1)]
    assert run_sla_cycle(ctx, wib(2025, 4, 15, 10)) == SlaCycleSummary(checked=1)

    run_sla_cycle(ctx, wib(2025, 4, 17, 10))  # 2.4 working days late
    run_sla_cycle(ctx, wib(2025, 4, 17, 11))
    assert ("admin.tegal", 2) in alert_users(ctx, number)
    assert ("koordinator.jateng", 3) not in alert_users(ctx, number)

    run_sla_cycle(ctx, wib(2025, 4, 23, 10))  # Good Friday 18 Apr does not count: 5.4 days
    assert alert_users(ctx, number) == [
        ("admin.tegal", 2), ("koordinator.jateng", 3), ("petugas.dlh", 1)]
    assert run_sla_cycle(ctx, wib(2025, 4, 23, 10)) == SlaCycleSummary()
    assert row(ctx, number).escalation_level == 3

    with ctx.read() as session:
        escalations = session.scalar(select(func.count()).select_from(ComplaintEvent).where(
            ComplaintEvent.kind == "escalated", ComplaintEvent.is_internal.is_(True)))
        resident_messages = session.scalar(select(func.count()).select_from(Notification))
    assert escalations == 3 and resident_messages == 0
    assert "terlambat" in alerts_for(ctx, staff("admin.tegal"))[0].message


def test_an_unrouted_complaint_escalates_to_the_regional_admin_first(ctx, file):
    ctx.clock = lambda: BEFORE_LEBARAN
    number = file("DLH", score=0.2).tracking_number  # to triage; dispose due 10 April
    assert run_sla_cycle(ctx, wib(2025, 4, 11, 9)).alerts == 1
    assert alert_users(ctx, number) == [("admin.tegal", 1)]


def test_auto_close_after_ten_working_days_notifies_once_even_when_run_twice(ctx, file,
                                                                             staff):
    ctx.clock = lambda: BEFORE_CHRISTMAS
    number = file("DLH").tracking_number
    workflow.respond(ctx, staff("petugas.dlh"), number, "Sampah sudah diangkut pagi ini.")
    assert row(ctx, number).sla_due_at == AUTO_CLOSE_DUE
    assert run_sla_cycle(ctx, wib(2026, 1, 8, 23)).auto_closed == 0

    assert run_sla_cycle(ctx, wib(2026, 1, 9, 0, 30)).auto_closed == 1
    assert run_sla_cycle(ctx, wib(2026, 1, 9, 0, 30)) == SlaCycleSummary()
    assert run_sla_cycle(ctx, wib(2026, 2, 9)) == SlaCycleSummary()
    closed = row(ctx, number)
    assert closed.status == "auto_closed" and closed.closed_at == wib(2026, 1, 9, 0, 30)
    with ctx.read() as session:
        sent = session.execute(
            select(Notification.channel, func.count()).join(ComplaintEvent)
            .where(ComplaintEvent.kind == "auto_closed").group_by(Notification.channel)).all()
    assert sorted(sent) == [("email", 1), ("telegram", 1)]


def test_waiting_for_the_reporter_never_escalates(ctx, file, staff):
    ctx.clock = lambda: BEFORE_LEBARAN
    number = file("DLH").tracking_number
    officer = staff("petugas.dlh")
    workflow.claim(ctx, officer, number)
    workflow.request_info(ctx, officer, number, "Mohon kirim patokan lokasinya.")
    assert run_sla_cycle(ctx, wib(2025, 6, 2, 10)) == SlaCycleSummary()
    assert row(ctx, number).escalation_level == 0
