"""Prices in USD for the order pages."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def usd(value) -> str:
    """A price in US dollars, with the current language's separators: $1,234.50."""
    return _("$%(amount)s") % {"amount": floatformat(value, "2g")}
