"""E-mail: the ``email`` rows of ``notifications``, sent over SMTP.

Rows are queued with the event that owes them: a public event to the reporter's own
address (:func:`notifications.enqueue_for_event`), or an SLA escalation to the staff
member alerted, when their account has an address (:mod:`deadlines`). A worker round claims due
rows (the same lease and ``SKIP LOCKED`` as the bot, :mod:`bot_delivery`), sends them
over one SMTP connection and records each outcome: sent; refused by the server for
that address (dead, no retry); or any other failure, retried with backoff until
``[mail] max_attempts``. Without ``[mail] smtp_host`` nothing is claimed: the rows wait.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from lapor_bridge.config import MailSettings
from lapor_bridge.db.models import ComplaintEvent, Notification
from lapor_bridge.domain.status import Status
from lapor_bridge.services.bot_delivery import (
    backoff_seconds,
    claim_rows,
    mark_dead,
    mark_sent,
    retry_later,
)
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.tracking import EVENT_LABELS

CHANNEL = "email"
log = logging.getLogger(__name__)


def deliver_mail(ctx: ServiceContext) -> dict:
    """One round: send what is due; counts of sent, retried and dead messages."""
    mail = ctx.settings.mail
    if not mail.smtp_host:
        return {"skipped": "mail.smtp_host is not set"}
    with ctx.transaction() as session:
        rows, events = claim_rows(session, CHANNEL, mail.batch_size, mail.lease_seconds,
                                  ctx.clock())
        messages = [(row.id, row.attempts, compose(mail, row, events[row.event_id]))
                    for row in rows]
    counts = {"sent": 0, "retried": 0, "dead": 0}
    if not messages:
        return counts
    try:
        server = _connect(mail)
    except (OSError, smtplib.SMTPException) as exc:
        for notification_id, attempts, _ in messages:
            counts[_retry(ctx, mail, notification_id, attempts, exc)] += 1
        return counts
    with server:
        for notification_id, attempts, message in messages:
            try:
                server.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                mark_dead(ctx, notification_id, f"address refused: {exc.recipients}")
                counts["dead"] += 1
            except (OSError, smtplib.SMTPException) as exc:
                counts[_retry(ctx, mail, notification_id, attempts, exc)] += 1
            else:
                mark_sent(ctx, notification_id)
                counts["sent"] += 1
    return counts


def compose(mail: MailSettings, row: Notification, event: ComplaintEvent) -> EmailMessage:
    """The message for one notification: to a resident, what happened, the agency's words
    and the tracking link; to staff (an internal event: an SLA escalation), the alert and
    the link to the complaint page."""
    number = event.complaint.tracking_number
    site = mail.public_url.rstrip("/")
    if event.is_internal:
        what = "Eskalasi tenggat"
        lines = [event.note or what, "", f"Buka laporan: {site}/petugas/laporan/{number}"]
    else:
        what = str(EVENT_LABELS.get(event.kind, event.kind))
        lines = [f"Laporan {number}: {what}."]
        if event.to_status:
            lines.append(f"Status: {Status(event.to_status).label_id}.")
        if event.note:
            source = event.agency.name if event.agency else "Petugas"
            lines += ["", f"{source}:", event.note]
        lines += ["", f"Lihat laporan Anda: {site}/lacak/{number}"]
    lines += ["", "Pesan ini dikirim otomatis oleh layanan pengaduan; jangan dibalas."]
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = row.recipient
    message["Subject"] = f"[{number}] {what}"
    message.set_content("\n".join(lines))
    return message


def _connect(mail: MailSettings) -> smtplib.SMTP:
    server = smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=mail.timeout_seconds)
    try:
        if mail.starttls:
            server.starttls()
        if mail.username:
            server.login(mail.username, mail.password)
    except BaseException:
        server.close()
        raise
    return server


def _retry(ctx: ServiceContext, mail: MailSettings, notification_id: int, attempts: int,
           exc: Exception) -> str:
    delay = backoff_seconds(attempts, mail.backoff_base_seconds, mail.backoff_max_seconds)
    state = retry_later(ctx, notification_id, f"{type(exc).__name__}: {exc}", delay,
                        count_attempt=True, max_attempts=mail.max_attempts)
    log.warning("e-mail notification %s not sent (%s); %s", notification_id,
                type(exc).__name__, state)
    return "dead" if state == "dead" else "retried"
