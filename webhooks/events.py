"""The events an endpoint can subscribe to: Standard Webhooks `type` values and their labels.

A service that changes something an integration follows calls `services.webhook_event_emit`
with one of these types, in the transaction of the change.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    PARTNER_VALIDATION_STATUS_CHANGED = (
        "partner_validation.status_changed",
        _("Partner validation request: status changed"),
    )
    CUSTOMER_VALIDATION_STATUS_CHANGED = (
        "customer_validation.status_changed",
        _("Customer validation request: status changed"),
    )
    VALIDATION_CODE_ISSUED = "validation_code.issued", _("Validation code issued")
    VALIDATION_CODE_USED = "validation_code.used", _("Validation code used")
    INVITATION_ACCEPTED = "invitation.accepted", _("Reseller invitation accepted")
    ORDER_STATUS_CHANGED = "order.status_changed", _("Order: status changed")
