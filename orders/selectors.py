"""Reads for orders. Every partner-facing read takes the organization."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from customers.models import Customer, CustomerQualification
from customers.selectors import gcc_block_reason
from partners.models import Organization

from .models import Offer, Order, OrderLineItem, Subscription

GCC = CustomerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD


def customer_is_gcc_validated(*, customer: Customer) -> bool:
    return customer.qualifications.filter(
        qualification=GCC, vetting_status=CustomerQualification.VettingStatus.APPROVED
    ).exists()


def gcc_order_block_reason(*, organization: Organization, customer: Customer) -> str | None:
    """Why GCC offers can't be ordered for `customer` by `organization`, or None."""
    reason = gcc_block_reason(organization=organization)
    if reason:
        return reason
    if not customer_is_gcc_validated(customer=customer):
        return _(
            "%(customer)s is not validated for GCC. GCC offers are only for customers with "
            "the Government community cloud qualification."
        ) % {"customer": customer.company_name}
    return None


def offer_list_for_customer(*, organization: Organization, customer: Customer) -> QuerySet[Offer]:
    """The offers `organization` may order for `customer`: GCC ones only when both qualify.

    Dynamics 365, EMS and Power BI GCC offers use the same GCC validation as Office 365 GCC.
    """
    offers = Offer.objects.filter(is_active=True)
    if gcc_order_block_reason(organization=organization, customer=customer):
        offers = offers.filter(requires_gcc=False)
    return offers.order_by("-requires_gcc", "family", "name")


def offer_list_for_new_gcc_customer(*, organization: Organization) -> QuerySet[Offer]:
    """The offers `organization` may order for a customer it creates with a GCC code."""
    offers = Offer.objects.filter(is_active=True)
    if gcc_block_reason(organization=organization):
        offers = offers.filter(requires_gcc=False)
    return offers.order_by("-requires_gcc", "family", "name")


def order_list_for_customer(*, organization: Organization, customer: Customer) -> QuerySet[Order]:
    return (
        Order.objects.filter(organization=organization, customer=customer)
        .select_related("created_by")
        .prefetch_related(
            Prefetch(
                "line_items",
                queryset=OrderLineItem.objects.select_related("offer", "subscription"),
            )
        )
        .order_by("-created_at", "-pk")
    )


def order_get_for_org(*, organization: Organization, order_id: int) -> Order:
    return (
        Order.objects.filter(organization=organization)
        .select_related("customer", "created_by")
        .prefetch_related(
            Prefetch(
                "line_items",
                queryset=OrderLineItem.objects.select_related("offer", "subscription"),
            )
        )
        .get(pk=order_id)
    )


def order_for_idempotency_key(*, organization: Organization, key) -> Order | None:
    return Order.objects.filter(organization=organization, idempotency_key=key).first()


def subscription_list_for_customer(
    *, organization: Organization, customer: Customer
) -> QuerySet[Subscription]:
    """The customer's subscriptions from `organization`'s orders (not another partner's)."""
    return (
        Subscription.objects.filter(customer=customer, line_item__order__organization=organization)
        .select_related("offer", "line_item")
        .order_by("-created_at", "-pk")
    )
