"""The outbox: record emails inside the business transaction, send them after commit.

Each row is a small ledger. `outbox_message_send` claims a row (pending → sending, with a
lease, committed), calls the mail server with no transaction or row lock open, then records
the outcome in a second short transaction:

- accepted → sent;
- refused for good (a 5xx reply, the recipient or the sender refused) → failed at once;
- a transient failure (4xx, connection refused or dropped before DATA) → pending again, due
  after an exponential backoff, until `OUTBOX_MAX_ATTEMPTS`, then failed;
- no answer once the message was handed over (during DATA) → "maybe sent": retried once,
  late, with the same Message-ID; a second such failure is failed for a person to look at.

A worker that dies between the server's acceptance and the record leaves the row `sending`;
when the lease runs out the sweep sends it again with the same Message-ID (the only duplicate
the design allows, and a receiver can drop it). Failed rows are shown in the admin, where a
lead can send them again.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gccportal.broker import task_publish_many
from gccportal.inserts import rows_insert_new
from jobs.backoff import backoff_seconds as jobs_backoff_seconds

from .backends import DeliveryUncertain
from .models import OutboxMessage

logger = logging.getLogger(__name__)


# Within the soft time limits of outbox_sweep_task and outbox_messages_dispatch_task.
SWEEP_PUBLISH_DEADLINE_SECONDS = 60.0


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # not claimable: settled, not due, or another worker holds it


def _email_render(*, template: str, context: dict, language: str) -> tuple[str, str]:
    """The subject (one line) and body of `template` in `language`."""
    with translation.override(language):
        full_context = {**context, "base_url": settings.PORTAL_BASE_URL}
        subject = render_to_string(f"{template}.subject.txt", full_context)
        body = render_to_string(f"{template}.txt", full_context)
    return " ".join(subject.split())[:255], body


def email_enqueue(
    *,
    template: str,
    recipients: Iterable,
    context: dict,
    dedupe_key: str,
) -> list[OutboxMessage]:
    """Render `template` once per language of its recipients, into one outbox row each.

    `recipients` are users (anything with `.email` and `.language`) or (email, language)
    tuples. The email is the same for every recipient who reads its language: what differs
    per recipient belongs in a one-recipient email whose caller puts it in `context`. Must
    run inside the transaction of the change that causes the email: the rows commit with it,
    and dispatch is scheduled on commit. The rows already queued under `dedupe_key` (a
    repeated call) are left alone: the queries do not grow with the number of recipients.
    """
    addressed: dict[str, tuple[str, str]] = {}
    for recipient in recipients:
        email, language = (
            (recipient.email, recipient.language) if hasattr(recipient, "email") else recipient
        )
        addressed.setdefault(f"{dedupe_key}:{email}"[:200], (email, language))
    if not addressed:
        return []
    queued = set(
        OutboxMessage.objects.filter(dedupe_key__in=list(addressed)).values_list(
            "dedupe_key", flat=True
        )
    )
    now = timezone.now()
    # The on-commit dispatch sends them at once; the sweep only after this grace.
    due = now + timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS)
    rendered: dict[str, tuple[str, str]] = {}
    rows = []
    for key, (email, language) in addressed.items():
        if key in queued:
            continue
        if language not in rendered:
            rendered[language] = _email_render(
                template=template, context=context, language=language
            )
        subject, body = rendered[language]
        rows.append(
            OutboxMessage(
                dedupe_key=key,
                template=template,
                to_email=email,
                language=language,
                subject=subject,
                body_text=body,
                created_at=now,
                next_attempt_at=due,
            )
        )
    messages = _outbox_rows_create(rows)
    if messages:
        # After commit: a task must never see a row that may still roll back. One publish
        # for every recipient of this email.
        ids = [message.pk for message in messages]
        transaction.on_commit(lambda: outbox_messages_queue(message_ids=ids))
    return messages


def _outbox_rows_create(rows: list[OutboxMessage]) -> list[OutboxMessage]:
    """Insert `rows` at once; the ones whose key another transaction queued since they were
    read are left out (rows_insert_new)."""
    return rows_insert_new(
        OutboxMessage,
        rows,
        key="dedupe_key",
        fields=(
            "template",
            "to_email",
            "language",
            "subject",
            "body_text",
            "created_at",
            "next_attempt_at",
        ),
    )


def outbox_messages_queue(*, message_ids: list[int]) -> int:
    """The new messages of one email, from the request that committed them: one publish
    whatever the number of recipients (each publish is a broker round trip the request
    waits for). A lone message's send task; for several, one task that dispatches them from a
    worker. Returns how many messages were handed over; a lost publish leaves them to the
    sweep, after the grace."""
    from .tasks import outbox_message_send_task, outbox_messages_dispatch_task

    if len(message_ids) == 1:
        return task_publish_many(outbox_message_send_task, [(message_ids[0],)])
    queued = task_publish_many(outbox_messages_dispatch_task, [(list(message_ids),)])
    return len(message_ids) if queued else 0


def outbox_messages_dispatch(*, message_ids: list[int], deadline: float | None = None) -> int:
    """Queue one send task per message, in order, within a second or two; returns how many
    were queued. An unreachable or frozen broker is logged, not raised: the sweep dispatches
    the rest when they are due."""
    from .tasks import outbox_message_send_task

    return task_publish_many(
        outbox_message_send_task, [(pk,) for pk in message_ids], deadline=deadline
    )


def _claim(*, message_id: int, now) -> OutboxMessage | None:
    """pending (first try, or due) or sending with an expired lease → sending; committed."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                pk=message_id,
                status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
            )
            .first()
        )
        if message is None:
            return None
        # A first try goes as soon as its task arrives; a retry (after a backoff, a "maybe
        # sent", an expired lease) waits for its time, whatever extra task turns up early.
        waits = (
            message.status == OutboxMessage.Status.SENDING
            or message.maybe_sent
            or message.attempts > 0
        )
        if waits and message.next_attempt_at > now:
            return None
        if message.status == OutboxMessage.Status.SENDING:
            # The worker holding it died mid-send: the server may have accepted it.
            message.maybe_sent = True
            message.last_error = _("The previous attempt was interrupted.")
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _fail(
                message,
                now=now,
                reason=_("Gave up after %(count)s attempts.") % {"count": message.attempts},
            )
            return None
        message.status = OutboxMessage.Status.SENDING
        message.attempts += 1
        message.next_attempt_at = now + timedelta(seconds=settings.OUTBOX_SEND_LEASE_SECONDS)
        message.save(
            update_fields=["status", "attempts", "next_attempt_at", "maybe_sent", "last_error"]
        )
        return message


def _fail(message: OutboxMessage, *, now, reason: str) -> None:
    message.status = OutboxMessage.Status.FAILED
    message.failed_at = now
    message.last_error = reason[:2000]
    message.save(update_fields=["status", "failed_at", "last_error"])
    logger.error("Outbox message %s to %s failed: %s", message.pk, message.to_email, reason)


# Replies about our own session or configuration (authentication, TLS required), not this
# email: kept for when the configuration is fixed, whatever their class.
CONFIGURATION_CODES = {530, 534, 535, 538}


def _permanent(exc: Exception) -> bool:
    """A refusal that resending cannot change: a 5xx answer to this email (its recipient,
    its sender, its content). A 4xx (greylisting, a full mailbox, a busy server), a refused
    connection or greeting, and a problem of our own configuration are worth another try."""
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPHeloError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600 and exc.smtp_code not in CONFIGURATION_CODES
    return False


def _decoded(text) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)


def error_describe(exc: Exception) -> str:
    """The mail server's answer as a person reads it: "550 No such user (to x@y)"."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            _("%(code)s %(reply)s (to %(address)s)")
            % {"code": code, "reply": _decoded(reply), "address": address}
            for address, (code, reply) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_decoded(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def backoff_seconds(attempts: int) -> float:
    return jobs_backoff_seconds(
        attempts, base=settings.OUTBOX_RETRY_BASE_SECONDS, cap=settings.OUTBOX_RETRY_MAX_SECONDS
    )


def _record(
    *, message_id: int, lease_until, outcome: Outcome, error: str = "", uncertain: bool = False
) -> None:
    """Record the outcome of the attempt, unless the lease was lost to another worker. A retry
    after an `uncertain` attempt (the server may have accepted it) is marked "maybe sent" and
    waits long enough for a slow server to have finished."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, status=OutboxMessage.Status.SENDING, next_attempt_at=lease_until)
            .first()
        )
        if message is None:
            logger.warning("Outbox message %s: lease lost before the outcome", message_id)
            return
        if outcome is Outcome.SENT:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = now
            message.last_error = ""
            message.save(update_fields=["status", "sent_at", "last_error"])
        elif outcome is Outcome.FAILED:
            _fail(message, now=now, reason=error)
        else:
            wait = (
                settings.OUTBOX_UNCERTAIN_RETRY_SECONDS
                if uncertain
                else backoff_seconds(message.attempts)
            )
            message.status = OutboxMessage.Status.PENDING
            message.maybe_sent = message.maybe_sent or uncertain
            message.last_error = error[:2000]
            message.next_attempt_at = now + timedelta(seconds=wait)
            message.save(update_fields=["status", "maybe_sent", "last_error", "next_attempt_at"])


def outbox_message_send(*, message_id: int, now=None) -> Outcome:
    """Make one attempt at a message, if it is claimable; returns what happened."""
    now = now or timezone.now()
    message = _claim(message_id=message_id, now=now)
    if message is None:
        return Outcome.SKIPPED
    lease_until = message.next_attempt_at
    email = EmailMessage(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={"Message-ID": message.message_id, "Content-Language": message.language},
    )
    uncertain = False
    try:
        email.send()
    except DeliveryUncertain as exc:
        if message.maybe_sent:
            outcome = Outcome.FAILED
            error = _(
                "The mail server did not confirm the message twice; it may have been delivered. "
                "Last error: %(error)s"
            ) % {"error": exc}
        else:
            outcome, error, uncertain = Outcome.RETRY, error_describe(exc), True
    except (smtplib.SMTPException, OSError) as exc:
        retry = not _permanent(exc) and message.attempts < settings.OUTBOX_MAX_ATTEMPTS
        outcome, error = (Outcome.RETRY if retry else Outcome.FAILED), error_describe(exc)
    except Exception as exc:
        # Not the server's answer: the message itself cannot be built or encoded (a bug, an
        # address Python cannot encode). Failed with the real reason, for a lead to see.
        logger.exception("Outbox message %s could not be sent", message.pk)
        outcome, error = Outcome.FAILED, error_describe(exc)
    else:
        outcome, error = Outcome.SENT, ""
    _record(
        message_id=message.pk,
        lease_until=lease_until,
        outcome=outcome,
        error=error,
        uncertain=uncertain,
    )
    return outcome


def outbox_message_give_up(*, message_id: int, reason: str) -> None:
    """The task carrying this message kept killing its worker: stop, and show it as failed."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(
                pk=message_id,
                status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
            )
            .first()
        )
        if message is not None:
            _fail(message, now=now, reason=reason)


@transaction.atomic
def outbox_message_resend(*, message_id: int) -> OutboxMessage:
    """A failed message, sent again from the start (same Message-ID); dispatched on commit."""
    message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    if message.status != OutboxMessage.Status.FAILED:
        return message
    message.status = OutboxMessage.Status.PENDING
    message.attempts = 0
    message.maybe_sent = False
    message.failed_at = None
    message.next_attempt_at = timezone.now() + timedelta(
        seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS
    )
    message.save(update_fields=["status", "attempts", "maybe_sent", "failed_at", "next_attempt_at"])
    transaction.on_commit(lambda: outbox_messages_dispatch(message_ids=[message.pk]))
    return message


def outbox_due_ids(*, now=None, limit: int = 500) -> list[int]:
    """Unsettled rows whose time has come, the most overdue first (index `outbox_due_idx`)."""
    now = now or timezone.now()
    return list(
        OutboxMessage.objects.filter(
            status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep(*, now=None) -> int:
    """Dispatch the due rows: lost first dispatches, retries past their backoff, expired leases.

    A duplicate task (the sweep and a late on-commit dispatch) finds nothing to claim.
    """
    now = now or timezone.now()
    due = outbox_due_ids(now=now)
    # Before publishing (a task may run at once): a first try is not due again until the
    # grace is over, so the next sweeps leave its queued task alone. A retry keeps its due
    # time: its task claims it only when due, and an extra task finds nothing to do.
    OutboxMessage.objects.filter(
        pk__in=due, status=OutboxMessage.Status.PENDING, attempts=0
    ).update(next_attempt_at=now + timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS))
    # One connection for the batch, and the time a background task may take (not a web
    # request's); if the broker fails midway, the rest wait for the next sweep.
    return outbox_messages_dispatch(message_ids=due, deadline=SWEEP_PUBLISH_DEADLINE_SECONDS)
