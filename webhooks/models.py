"""Webhook endpoints an organization registered, and the ledger of what is sent to them.

`WebhookMessage` is one event for one organization (its `event_id` is the Standard Webhooks
`webhook-id`, the same on every attempt and redelivery); `WebhookDelivery` is that message
for one endpoint, the row a worker claims, like an outbox email; `WebhookAttempt` is one
HTTP call of a delivery, the endpoint's delivery log.
"""

import secrets
import uuid
from base64 import b64encode

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gccportal.fields import optional_timestamp, organization_reference, user_reference

from .events import EventType
from .problems import problem_text

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix)


def signing_secret_new() -> str:
    """A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes."""
    return SECRET_PREFIX + b64encode(secrets.token_bytes(32)).decode()


def event_id_new() -> str:
    return f"msg_{uuid.uuid4().hex}"


class WebhookEndpoint(models.Model):
    organization = organization_reference(_("organization"), related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("events"), default=list)
    # Kept readable (the portal signs with it); shown to the Admin agent once, when made.
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    # After a rotation the old secret signs too, until it expires: receivers switch over
    # without losing a message.
    previous_secret = models.CharField(max_length=80, blank=True, editable=False)
    previous_secret_expires_at = optional_timestamp(editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = optional_timestamp(_("disabled at"))
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    # Failed attempts in a row (reset by any success): past the limit, the endpoint is disabled.
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    created_by = user_reference(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def event_labels(self) -> list[str]:
        labels = dict(EventType.choices)
        return [str(labels.get(value, value)) for value in self.event_types]

    @property
    def disabled_reason_text(self) -> str:
        return problem_text(self.disabled_reason)

    def signing_secrets(self, *, now=None) -> list[str]:
        now = now or timezone.now()
        found = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires and expires > now:
            found.append(self.previous_secret)
        return found


class WebhookMessage(models.Model):
    organization = organization_reference(_("organization"), related_name="webhook_messages")
    event_id = models.CharField(
        _("webhook-id"), max_length=40, unique=True, default=event_id_new, editable=False
    )
    event_type = models.CharField(_("event"), max_length=60, choices=EventType.choices)
    # Unique: the same change emitted twice (a replayed action) is one message.
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook message")
        verbose_name_plural = _("webhook messages")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class WebhookDelivery(models.Model):
    """pending → sending (claimed with a lease, committed before the call) → delivered |
    failed. Retried with an exponential backoff; a redelivery starts it again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    message = models.ForeignKey(
        WebhookMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = optional_timestamp(_("delivered at"))
    failed_at = optional_timestamp(_("failed at"))

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "message"], name="webhook_delivery_once_per_endpoint"
            )
        ]
        indexes = [
            # The sweep: unsettled deliveries, the most overdue first.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            # An endpoint's delivery log, newest first.
            models.Index(
                fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_log_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message} → {self.endpoint}"

    @property
    def error_text(self) -> str:
        return problem_text(self.last_error)


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=_("delivery"),
        on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    attempted_at = models.DateTimeField(_("time"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-attempted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"

    @property
    def error_text(self) -> str:
        return problem_text(self.error)
