"""Order pages' template helpers: prices in USD, and the customer's orders and subscriptions
section, which the customer's Account page (the customers app's) shows without importing
orders."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

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
    organization = reseller_id or context["request"].organization
    return {
        "customer": customer,
        "read_only": reseller_id is not None,
        "membership": context.get("membership"),
        "subscriptions": list(
            subscription_list_for_customer(organization=organization, customer=customer)
        ),
        "orders": list(order_list_for_customer(organization=organization, customer=customer)),
    }
