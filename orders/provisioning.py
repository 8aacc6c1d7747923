"""Simulated provisioning of one line item (stands in for the Microsoft commerce backend).

`line_item_provision` is the call-out: in production a network call to Partner Center, so it
runs with no transaction and no row lock open (orders/services.py claims the line before and
records the outcome after). It answers with the subscription created for the line.

Offers listed in settings.ORDERS_SIMULATED_FAILING_OFFER_IDS fail, so that the failure
path and the retry after a fix can be exercised end to end; offers listed in
settings.ORDERS_SIMULATED_CRASHING_OFFER_IDS kill the process calling out (os._exit), as a
worker crashing in the middle of a call would (fault tests only).
"""

import logging
import os
import uuid
from dataclasses import dataclass
from typing import NoReturn

from django.conf import settings
from django.utils.translation import gettext as _

from .models import OrderLineItem, Subscription

logger = logging.getLogger(__name__)


class ProvisioningError(Exception):
    """The line could not be provisioned; the message is shown to the partner."""


@dataclass(frozen=True)
class ProvisionedSubscription:
    """What the commerce backend answers for a provisioned line."""

    subscription_id: uuid.UUID


def process_exit() -> NoReturn:
    # No cleanup, no exception to catch: the process is gone, as after SIGKILL.
    os._exit(1)


def line_item_provision(line: OrderLineItem) -> ProvisionedSubscription:
    """Provision the line at the commerce backend; idempotent (a line provisioned before
    answers with its own subscription)."""
    existing = Subscription.objects.filter(line_item=line).only("subscription_id").first()
    if existing:
        return ProvisionedSubscription(subscription_id=existing.subscription_id)
    if line.offer.offer_id in settings.ORDERS_SIMULATED_CRASHING_OFFER_IDS:
        logger.error(
            "Simulated crash provisioning order %s line %s (%s): the process exits now",
            line.order_id,
            line.line_item_number,
            line.offer.offer_id,
        )
        process_exit()
    if line.offer.offer_id in settings.ORDERS_SIMULATED_FAILING_OFFER_IDS:
        raise ProvisioningError(
            _("%(offer)s could not be provisioned: the offer is not available for purchase now.")
            % {"offer": line.offer.name}
        )
    return ProvisionedSubscription(subscription_id=uuid.uuid4())
