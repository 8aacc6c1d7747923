"""The emails of GCC validation codes. Each function queues outbox rows; callers are services."""

from django.urls import reverse

from notifications.services import email_enqueue
from partners.selectors import admin_agent_users


def code_used_by_reseller(*, code, customer, reseller) -> None:
    """To the code's holder, an indirect provider: its reseller `reseller` used the code to
    add `customer`, which the provider now sees among its customers."""
    email_enqueue(
        template="emails/customers/code_used_by_reseller",
        recipients=admin_agent_users(organization=code.partner),
        context={
            "code": code,
            "customer": customer,
            "reseller": reseller,
            "customer_path": reverse("customers:customer_account", args=[customer.pk]),
        },
        dedupe_key=f"code:{code.pk}:used:{customer.pk}",
    )
