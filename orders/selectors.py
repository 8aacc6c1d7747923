"""Reads for orders: the offers a partner may order for a customer, an order's prices and
totals, orders and subscriptions. Every partner-facing read takes the organization."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from customers.models import Customer
from customers.selectors import customer_is_gcc_validated, gcc_block_reason
from partners.models import Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD_LABEL

from .models import Offer, Order, OrderLine, OrderLineItem, Subscription


@dataclass(frozen=True)
class OrderStanding:
    """Which offers a customer's tenant runs, and whether its partner may order GCC ones.

    A GCC tenant runs GCC offers only; a commercial tenant, commercial offers only."""

    customer_name: str
    gcc_tenant: bool  # the customer holds the GCC qualification: its tenant is GCC
    gcc_block: str | None  # why GCC offers may not be ordered for it, or None

    def offer_fits(self, offer: Offer) -> bool:
        """Whether the customer's tenant runs `offer` (GCC in a GCC tenant, and so on)."""
        return offer.requires_gcc == self.gcc_tenant


def order_standing(*, organization: Organization, customer: Customer) -> OrderStanding:
    """The customer's cloud, and why GCC offers may not be ordered for it by `organization`."""
    gcc_tenant = customer_is_gcc_validated(customer=customer)
    reason = gcc_block_reason(organization=organization)
    if not reason and not gcc_tenant:
        reason = _(
            "%(customer)s is not validated for GCC. GCC offers are only for customers with "
            "the %(qualification)s qualification."
        ) % {"customer": customer.company_name, "qualification": GOVERNMENT_COMMUNITY_CLOUD_LABEL}
    return OrderStanding(
        customer_name=customer.company_name, gcc_tenant=gcc_tenant, gcc_block=reason
    )


def new_gcc_customer_standing(*, customer_name: str) -> OrderStanding:
    """A new customer created with the GCC qualification (Next: Subscriptions): its tenant
    will be GCC; its partner's GCC approval is checked with its answers."""
    return OrderStanding(customer_name=customer_name, gcc_tenant=True, gcc_block=None)


def offer_list_active() -> QuerySet[Offer]:
    """The offers on sale, GCC ones first: the rows of every order form."""
    return Offer.objects.filter(is_active=True).order_by("-requires_gcc", "family", "name")


@dataclass(frozen=True)
class OfferChoice:
    offers: list[Offer]  # what may be ordered: the offers the customer's tenant runs
    gcc_tenant: bool  # the customer's tenant is GCC: GCC offers only, commercial ones never
    gcc_reason: str | None  # why GCC offers are not among them, or None


def offer_choice(*, standing: OrderStanding) -> OfferChoice:
    """The offers that may be ordered for a customer of this standing: those its tenant runs
    (GCC ones for a GCC tenant, commercial ones otherwise), GCC ones only when its partner
    may order them too.

    Dynamics 365, EMS and Power BI GCC offers use the same GCC validation as Office 365 GCC.
    """
    offers = offer_list_active().filter(requires_gcc=standing.gcc_tenant)
    if standing.gcc_tenant and standing.gcc_block:
        offers = offers.none()
    return OfferChoice(
        offers=list(offers), gcc_tenant=standing.gcc_tenant, gcc_reason=standing.gcc_block
    )


def offer_choice_for_customer(*, organization: Organization, customer: Customer) -> OfferChoice:
    """The offers `organization` may order for `customer` (see `offer_choice`)."""
    return offer_choice(standing=order_standing(organization=organization, customer=customer))


def offers_by_family(offers: Iterable[Offer]) -> list[tuple[str, list[Offer]]]:
    """(product family's label, its offers) of `offers`, in the catalogue's family order
    (Office 365, Microsoft 365, ...), each family's offers in the order given. No query."""
    groups: dict[str, list[Offer]] = {family: [] for family in Offer.Family.values}
    for offer in offers:
        groups.setdefault(offer.family, []).append(offer)
    labels = dict(Offer.Family.choices)
    return [
        (str(labels.get(family, family)), members) for family, members in groups.items() if members
    ]


@dataclass(frozen=True)
class PriceRow:
    line: OrderLine
    offer: Offer
    amount: Decimal


@dataclass(frozen=True)
class OrderPrices:
    rows: list[PriceRow]
    totals: list[tuple[str, Decimal]]  # (billing cycle, total), monthly first


def _billing_cycle_totals(amounts: Iterable[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    """(billing cycle, total) of (billing cycle, amount) pairs: monthly first."""
    totals: dict[str, Decimal] = {}
    for cycle, amount in amounts:
        totals[cycle] = totals.get(cycle, Decimal("0")) + amount
    return [(cycle, totals[cycle]) for cycle in Offer.BillingCycle.values if cycle in totals]


def order_prices(*, lines: list[OrderLine], offers: dict[str, Offer]) -> OrderPrices:
    """Each line's amount at its offer's price, and the totals per billing cycle (the review
    page's); `offers` by offer ID, as `orders.services.order_lines_check` returns them."""
    rows = [
        PriceRow(
            line=line,
            offer=offers[line.offer_id],
            amount=offers[line.offer_id].unit_price * line.quantity,
        )
        for line in lines
    ]
    return OrderPrices(
        rows=rows,
        totals=_billing_cycle_totals((row.offer.billing_cycle, row.amount) for row in rows),
    )


def order_totals(*, lines: Iterable[OrderLineItem]) -> list[tuple[str, Decimal]]:
    """A placed order's totals per billing cycle, at the prices it was placed at."""
    return _billing_cycle_totals((line.offer.billing_cycle, line.total) for line in lines)


def order_list_for_customer(*, organization: Organization, customer: Customer) -> QuerySet[Order]:
    """The customer's orders from `organization`, with what the Account page's list shows of
    each (its lines' offers and quantities, its status and date) and no more: a page of
    orders is read without their authors or subscriptions."""
    return (
        Order.objects.filter(organization=organization, customer=customer)
        .only("pk", "status", "created_at")
        .prefetch_related(
            Prefetch(
                "line_items",
                queryset=OrderLineItem.objects.select_related("offer").only(
                    "order", "line_item_number", "quantity", "offer__name"
                ),
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
    """The order `organization` placed with this form key (the first Submit of a replay)."""
    if key is None:
        return None
    return (
        Order.objects.filter(organization=organization, idempotency_key=key)
        .select_related("customer")
        .first()
    )


def subscription_list_for_customer(
    *, organization: Organization, customer: Customer
) -> QuerySet[Subscription]:
    """The customer's subscriptions from `organization`'s orders (not another partner's), with
    what the Account page's list shows of each (offer, name, quantity, date, order)."""
    return (
        Subscription.objects.filter(customer=customer, line_item__order__organization=organization)
        .select_related("offer", "line_item")
        .only(
            "pk",
            "friendly_name",
            "quantity",
            "created_at",
            "offer__name",
            "line_item__order",
        )
        .order_by("-created_at", "-pk")
    )
