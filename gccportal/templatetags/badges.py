"""`{% status_badge request %}`: a reviewed request's status as a Bootstrap badge, coloured by
the status (approved green, rejected red, information requested amber, withdrawn grey, open
blue), labelled in the reader's language. One Python function rather than an included
template: the request lists show one a row."""

from django import template
from django.utils.html import format_html

register = template.Library()

BADGE_CLASSES = {
    "approved": "text-bg-success",
    "rejected": "text-bg-danger",
    "info_requested": "text-bg-warning",
    "withdrawn": "text-bg-secondary",
}
OPEN_CLASS = "text-bg-primary"


@register.simple_tag
def status_badge(request) -> str:
    return format_html(
        '<span class="badge {}">{}</span>',
        BADGE_CLASSES.get(request.status, OPEN_CLASS),
        request.get_status_display(),
    )
