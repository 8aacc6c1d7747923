import uuid
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gccportal.fields import optional_timestamp


def message_id_new() -> str:
    """A globally unique RFC 5322 Message-ID on the sender's domain, fixed for the row's life.

    Every attempt to send a row carries the same Message-ID, so a resend after a crash (the
    server accepted, the worker died before recording it) is recognisable as the same email.
    """
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "gccportal.invalid"
    return f"<outbox.{uuid.uuid4().hex}@{domain}>"


class OutboxMessage(models.Model):
    """One email, written in the same transaction as the change that caused it: a ledger.

    pending → sending (claimed with a lease, committed before the SMTP call) → sent | failed.
    A Celery task sends it after commit; the periodic sweep dispatches rows whose
    `next_attempt_at` is due (first dispatch lost, a retry's backoff over, a lease expired),
    so an email survives a broker, worker or mail server outage.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Unique: enqueueing the same email twice (a replayed action) is a no-op.
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    message_id = models.CharField(
        _("Message-ID"), max_length=200, unique=True, default=message_id_new, editable=False
    )
    template = models.CharField(_("template"), max_length=200)
    to_email = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # When the sweep may dispatch the row: after the on-commit dispatch's grace period, after a
    # retry's backoff, or when a sending claim's lease runs out.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # The mail server may have accepted it (no answer after DATA, or a claim that expired).
    maybe_sent = models.BooleanField(_("may have been sent"), default=False)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = optional_timestamp(_("sent at"))
    failed_at = optional_timestamp(_("failed at"))

    class Meta:
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox emails")
        ordering = ["-created_at"]
        permissions = [("resend_outboxmessage", _("Can send a failed email again"))]
        indexes = [
            # The sweep: unsettled rows, the most overdue first.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject}"
