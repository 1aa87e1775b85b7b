"""E-mail to residents over a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from lapor_bridge.db.models import Notification, User
from lapor_bridge.domain.calendar import WIB
from lapor_bridge.jobs.sla import run_sla_cycle
from lapor_bridge.services import workflow
from lapor_bridge.services.accounts import principal_of
from lapor_bridge.services.intake.submit import ComplaintInput, ContactInput, submit_complaint
from lapor_bridge.services.mail_delivery import deliver_mail
from tests.fakes import FixedModel

REFUSED = "tidak.ada@contoh.id"


class Inbox:
    """An SMTP handler that keeps what it accepts and refuses one address."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:  # nobody listens there once the probe is closed
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


def answered(ctx, email: str) -> str:
    """A complaint by a resident who left ``email``, answered by the DLH officer."""
    ctx.classifier = FixedModel.routing_to("DLH")
    number = submit_complaint(ctx, ComplaintInput(
        title="Sampah menumpuk", kecamatan="Tegal Barat", kelurahan="Kraton",
        description="Sampah menumpuk di tepi jalan sejak minggu lalu dan berbau.",
        contact=ContactInput(name="Siti", email=email))).tracking_number
    with ctx.read() as session:
        officer = principal_of(session.scalar(select(User).where(User.username == "petugas.dlh")))
    workflow.respond(ctx, officer, number, "Sampah sudah kami angkut pagi ini.")
    return number


def with_mail(ctx, **mail):
    ctx.settings = replace(ctx.settings, mail=replace(ctx.settings.mail, **mail))
    return ctx


def rows(ctx):
    with ctx.read() as session:
        return session.scalars(select(Notification).where(Notification.channel == "email")
                               .order_by(Notification.id)).all()


def test_the_agencys_answer_reaches_the_residents_inbox(ctx, inbox):
    number = answered(ctx, "siti@contoh.id")
    with_mail(ctx, smtp_host="127.0.0.1", smtp_port=inbox.port,
              public_url="https://lapor.tegalkota.go.id/")
    assert deliver_mail(ctx) == {"sent": 1, "retried": 0, "dead": 0}
    ((recipients, text),) = inbox.messages
    assert recipients == ["siti@contoh.id"]
    assert f"Subject: [{number}] Tindak lanjut dari instansi" in text
    assert "Sampah sudah kami angkut pagi ini." in text
    assert f"https://lapor.tegalkota.go.id/lacak/{number}" in text
    assert [row.state for row in rows(ctx)] == ["sent"]
    assert deliver_mail(ctx) == {"sent": 0, "retried": 0, "dead": 0}  # nothing twice


def test_an_unreachable_server_keeps_the_message_for_later(ctx):
    answered(ctx, "siti@contoh.id")
    with_mail(ctx, smtp_host="127.0.0.1", smtp_port=free_port(), timeout_seconds=2)
    assert deliver_mail(ctx) == {"sent": 0, "retried": 1, "dead": 0}
    (row,) = rows(ctx)
    assert (row.state, row.attempts) == ("pending", 1) and "ConnectionRefused" in row.last_error
    assert row.next_attempt_at > ctx.clock() + timedelta(seconds=20)


def test_a_refused_address_is_given_up_and_the_others_still_go(ctx, inbox):
    answered(ctx, REFUSED)
    answered(ctx, "budi@contoh.id")
    with_mail(ctx, smtp_host="127.0.0.1", smtp_port=inbox.port)
    assert deliver_mail(ctx) == {"sent": 1, "retried": 0, "dead": 1}
    assert [(row.recipient, row.state) for row in rows(ctx)] == [
        (REFUSED, "dead"), ("budi@contoh.id", "sent")]


def test_without_a_server_nothing_is_claimed(ctx):
    answered(ctx, "siti@contoh.id")
    assert deliver_mail(ctx) == {"skipped": "mail.smtp_host is not set"}
    assert [(row.state, row.attempts) for row in rows(ctx)] == [("pending", 0)]


@pytest.fixture
def officer_email(ctx):
    """petugas.dlh with an e-mail address, for this test only (users outlive tests)."""
    def set_email(value):
        with ctx.transaction() as session:
            session.execute(update(User).where(User.username == "petugas.dlh")
                            .values(email=value))

    set_email("petugas.dlh@tegalkota.go.id")
    yield "petugas.dlh@tegalkota.go.id"
    set_email(None)


def test_an_escalation_is_mailed_to_the_alerted_officer(ctx, inbox, officer_email):
    ctx.classifier = FixedModel.routing_to("DLH")
    ctx.clock = lambda: datetime(2025, 3, 27, 10, tzinfo=WIB)  # first answer due 14 April
    number = submit_complaint(ctx, ComplaintInput(
        title="Sampah menumpuk", kecamatan="Tegal Barat", kelurahan="Kraton",
        description="Sampah menumpuk di tepi jalan sejak minggu lalu dan berbau.",
    )).tracking_number
    run_sla_cycle(ctx, datetime(2025, 4, 15, 10, tzinfo=WIB))
    run_sla_cycle(ctx, datetime(2025, 4, 15, 11, tzinfo=WIB))  # once only
    ctx.clock = lambda: datetime(2025, 4, 15, 12, tzinfo=WIB)
    with_mail(ctx, smtp_host="127.0.0.1", smtp_port=inbox.port)
    assert deliver_mail(ctx) == {"sent": 1, "retried": 0, "dead": 0}
    ((recipients, text),) = inbox.messages
    assert recipients == [officer_email]
    assert f"Subject: [{number}] Eskalasi tenggat" in text and "terlambat" in text
    assert f"/petugas/laporan/{number}" in text and "/lacak/" not in text
