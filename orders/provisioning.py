"""Simulated provisioning of one line item (stands in for the Microsoft commerce backend).

Offers listed in settings.ORDERS_SIMULATED_FAILING_OFFER_IDS fail, so that the failure
path and the retry after a fix can be exercised end to end.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from .models import OrderLineItem, Subscription


class ProvisioningError(Exception):
    """The line could not be provisioned; the message is shown to the partner."""


def line_item_provision(line: OrderLineItem) -> Subscription:
    """Create the line's subscription; idempotent (a provisioned line returns its own)."""
    existing = Subscription.objects.filter(line_item=line).first()
    if existing:
        return existing
    if line.offer.offer_id in settings.ORDERS_SIMULATED_FAILING_OFFER_IDS:
        raise ProvisioningError(
            _("%(offer)s could not be provisioned: the offer is not available for purchase now.")
            % {"offer": line.offer.name}
        )
    return Subscription.objects.create(
        customer=line.order.customer,
        offer=line.offer,
        quantity=line.quantity,
        friendly_name=line.friendly_name,
        line_item=line,
    )
