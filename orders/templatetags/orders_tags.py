"""Order pages' template helpers: prices in USD, and the customer's orders and subscriptions
section, which the customer's Account page (the customers app's) shows without importing
orders."""

from urllib.parse import urlencode

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from gccportal.row_cache import cached_rows
from gccportal.views import page_get
from orders.selectors import order_list_for_customer, subscription_list_for_customer

register = template.Library()


@register.filter
def usd(value) -> str:
    """A price in US dollars, with the current language's separators: $1,234.50."""
    return _("$%(amount)s") % {"amount": floatformat(value, "2g")}


@register.inclusion_tag("orders/includes/customer_orders.html", takes_context=True)
def customer_orders(context, customer) -> dict:
    """The Account page's Orders and subscriptions: this partner's own only (a customer may
    have several partners). For an indirect provider's reseller's customer
    (`customer.indirect_reseller_id`): the reseller's, read-only (no links, no actions)."""
    reseller_id = getattr(customer, "indirect_reseller_id", None)
    request = context["request"]
    organization = reseller_id or request.organization
    # Each list a page at a time (a long-standing customer has a long history), each with its
    # own page parameter; a list's page links keep the other's page.
    pages = {
        "subscriptions_page": subscription_list_for_customer(
            organization=organization, customer=customer
        ),
        "orders_page": order_list_for_customer(organization=organization, customer=customer),
    }
    shown = {param: page_get(rows, request.GET.get(param)) for param, rows in pages.items()}
    return {
        "customer": customer,
        "read_only": reseller_id is not None,
        "membership": context.get("membership"),
        "subscriptions": shown["subscriptions_page"],
        "subscriptions_query": _other_page_query(request, "orders_page"),
        "orders": shown["orders_page"],
        "orders_query": _other_page_query(request, "subscriptions_page"),
    }


# The Account page's two lists, each row rendered once (gccportal/row_cache.py): their rows
# were most of the page's template time.
SUBSCRIPTION_ROW = "orders/includes/subscription_row.html"
ORDER_ROW = "orders/includes/order_row.html"


def subscription_row_shows(item) -> tuple:
    """Every value a row of the subscriptions shows (its link is made of the order's ID)."""
    return (
        item.pk,
        item.offer.name,
        item.friendly_name,
        item.quantity,
        item.created_at,
        item.line_item.order_id,
    )


def order_row_shows(item) -> tuple:
    """Every value a row of the orders shows: its ID, each line's offer and quantity, its
    status and when it was created."""
    lines = tuple((line.offer.name, line.quantity) for line in item.line_items.all())
    return (item.pk, lines, item.status, item.created_at)


@register.simple_tag
def subscription_rows(subscriptions, read_only) -> str:
    return cached_rows(
        SUBSCRIPTION_ROW, subscriptions, subscription_row_shows, {"read_only": bool(read_only)}
    )


@register.simple_tag
def order_rows(orders, read_only) -> str:
    return cached_rows(ORDER_ROW, orders, order_row_shows, {"read_only": bool(read_only)})


def _other_page_query(request, param: str) -> str:
    value = request.GET.get(param, "")
    return urlencode({param: value}) if value else ""
