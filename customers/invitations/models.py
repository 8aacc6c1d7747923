"""The reseller-relationship invitation: a partner's request to an existing customer."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from gccportal.fields import (
    optional_timestamp,
    organization_reference,
    protected_reference,
    user_reference,
)
from reviews.models import REQUEST_TRANSITION_REFUSED
from webhooks.events import EventType


class ResellerInvitation(models.Model):
    """A partner's request for a reseller relationship with an existing customer.

    The partner sends the draft email itself (mail app or clipboard); the customer accepts
    through the personalized link, which is unguessable, single use and expires.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    # What a move not allowed from the status is refused with (reviews.services): the pages
    # call an invitation a reseller relationship request.
    transition_refused_message = REQUEST_TRANSITION_REFUSED

    organization = organization_reference(_("partner"), related_name="reseller_invitations")
    on_behalf_of = organization_reference(
        _("on behalf of (indirect provider)"), related_name="+", optional=True
    )
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    nonce = models.CharField(_("link nonce"), max_length=64, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    language = models.CharField(_("language"), max_length=8)
    created_by = user_reference(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = optional_timestamp(_("sent at"))
    expires_at = optional_timestamp(_("expires at"))
    accepted_at = optional_timestamp(_("accepted at"))
    accepted_by_name = models.CharField(_("accepted by"), max_length=100, blank=True)
    accepted_by_email = models.EmailField(_("accepted by (email)"), blank=True)
    customer = protected_reference(
        "customers.Customer", _("customer"), related_name="invitations", optional=True
    )
    revoked_at = optional_timestamp(_("revoked at"))
    revoked_by = user_reference(_("revoked by"), optional=True)

    class Meta:
        verbose_name = _("reseller relationship request")
        verbose_name_plural = _("reseller relationship requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return _("Reseller relationship request #%(pk)s") % {"pk": self.pk}

    def webhook_event_type(self) -> str | None:
        """Only an acceptance sends a webhook (reviews.services.transition_audit)."""
        return EventType.INVITATION_ACCEPTED if self.status == self.Status.ACCEPTED else None

    def webhook_data(self) -> dict:
        return {
            "invitationId": str(self.pk),
            "customerId": str(self.customer.tenant_id),
        }

    @property
    def shown_status(self) -> str:
        """The status to show: a sent invitation past its expiry is expired, swept or not."""
        if (
            self.status == self.Status.SENT
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        ):
            return self.Status.EXPIRED
        return self.status

    def get_shown_status_display(self) -> str:
        return self.Status(self.shown_status).label

    @property
    def is_revocable(self) -> bool:
        """Offered while the link may still be used (the service also takes a stale sent one)."""
        return self.shown_status in (self.Status.DRAFT, self.Status.SENT)

    @transition(field=status, source=Status.DRAFT, target=Status.SENT)
    def send(self) -> None: ...

    @transition(field=status, source=Status.SENT, target=Status.ACCEPTED)
    def accept(self) -> None: ...

    @transition(field=status, source=Status.SENT, target=Status.EXPIRED)
    def expire(self) -> None: ...

    @transition(field=status, source=[Status.DRAFT, Status.SENT], target=Status.REVOKED)
    def revoke(self) -> None: ...
