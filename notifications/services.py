"""The outbox: record emails inside the business transaction, send them after commit."""

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from kombu.exceptions import OperationalError as BrokerUnavailable

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# Errors that mean "try again later", never "the email is wrong".
TRANSIENT_SEND_ERRORS = (smtplib.SMTPException, OSError)


def email_enqueue(
    *,
    template: str,
    recipients: Iterable,
    context: dict,
    dedupe_key: str,
) -> list[OutboxMessage]:
    """Render `template` once per recipient, in the recipient's language, into the outbox.

    `recipients` are users (anything with `.email` and `.language`) or (email, language)
    tuples. Must run inside the transaction of the change that causes the email: the rows
    commit with it, and dispatch is scheduled on commit.
    """
    messages = []
    for recipient in recipients:
        email, language = (
            (recipient.email, recipient.language) if hasattr(recipient, "email") else recipient
        )
        with translation.override(language):
            full_context = {
                **context,
                "recipient_email": email,
                "base_url": settings.PORTAL_BASE_URL,
            }
            subject = render_to_string(f"{template}.subject.txt", full_context).strip()
            body = render_to_string(f"{template}.txt", full_context)
        message, created = OutboxMessage.objects.get_or_create(
            dedupe_key=f"{dedupe_key}:{email}"[:200],
            defaults={
                "template": template,
                "to_email": email,
                "language": language,
                "subject": " ".join(subject.split())[:255],
                "body_text": body,
            },
        )
        if created:
            messages.append(message)
            # After commit: a task must never see a row that may still roll back.
            transaction.on_commit(lambda pk=message.pk: outbox_message_dispatch(message_id=pk))
    return messages


def outbox_message_dispatch(*, message_id: int) -> bool:
    """Queue the send task. A broker outage is logged, not raised: the sweep retries."""
    from .tasks import outbox_message_send_task

    try:
        outbox_message_send_task.delay(message_id)
    except BrokerUnavailable:
        logger.warning("Broker unavailable; outbox message %s left for the sweep", message_id)
        return False
    return True


def outbox_message_send(*, message_id: int) -> bool:
    """Send one pending message; True if this call sent it, False if there was nothing to do.

    The row lock (skip_locked) makes concurrent sends of the same row a no-op for all but one.
    """
    try:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
                .first()
            )
            if message is None:
                return False
            EmailMessage(
                subject=message.subject,
                body=message.body_text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.to_email],
                headers={"Content-Language": message.language},
            ).send()
            message.status = OutboxMessage.Status.SENT
            message.sent_at = timezone.now()
            message.attempts = F("attempts") + 1
            message.last_error = ""
            message.save(update_fields=["status", "sent_at", "attempts", "last_error"])
            return True
    except TRANSIENT_SEND_ERRORS as exc:
        OutboxMessage.objects.filter(pk=message_id).update(
            attempts=F("attempts") + 1, last_error=repr(exc)[:2000]
        )
        raise


def outbox_pending_ids_to_redispatch(*, now=None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS)
    return list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep(*, now=None) -> int:
    """Re-dispatch pending messages old enough that their on-commit dispatch was lost."""
    dispatched = 0
    for message_id in outbox_pending_ids_to_redispatch(now=now):
        if not outbox_message_dispatch(message_id=message_id):
            break  # broker still down; the next sweep tries again
        dispatched += 1
    return dispatched
