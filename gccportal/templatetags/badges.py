"""`{% status_badge request %}`: a reviewed request's status as a Bootstrap badge, coloured by
the status (approved green, rejected red, information requested amber, withdrawn grey, open
blue), labelled in the reader's language. One Python function rather than an included
template: the request lists show one a row."""

import functools

from django import template
from django.utils import translation
from django.utils.html import format_html

register = template.Library()

BADGE_CLASSES = {
    "approved": "text-bg-success",
    "rejected": "text-bg-danger",
    "info_requested": "text-bg-warning",
    "withdrawn": "text-bg-secondary",
}
OPEN_CLASS = "text-bg-primary"


@functools.cache
def status_labels(model: type, language: str | None) -> dict[str, str]:
    """The labels of `model`'s statuses in `language`, translated once: `get_status_display()`
    hashes each lazy label (a gettext call each) on every call, about 0.1 ms a badge. Keyed by
    the model and the language code only, so a handful of small dicts in all."""
    with translation.override(language):
        return {value: str(label) for value, label in model._meta.get_field("status").flatchoices}


def status_label(request) -> str:
    """`request.get_status_display()` in the current language, from `status_labels`."""
    labels = status_labels(type(request), translation.get_language())
    return labels.get(request.status, request.status)


@register.simple_tag
def status_badge(request) -> str:
    return format_html(
        '<span class="badge {}">{}</span>',
        BADGE_CLASSES.get(request.status, OPEN_CLASS),
        status_label(request),
    )
