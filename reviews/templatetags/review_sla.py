"""The SLA page's link, for the admin's index, sidebar and queues: shown to whoever may see it."""

from django import template
from django.urls import reverse

from reviews.selectors import review_sla_scopes

register = template.Library()


@register.simple_tag(takes_context=True)
def review_sla_url(context) -> str:
    """The SLA page's URL when the signed-in user may see some figures, else ""."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not review_sla_scopes(user=user):
        return ""
    return reverse("reviews:sla")
