"""`{% moment value %}`: a moment in the current time zone (the review time zone on the
portal's pages), its zone named: <time datetime="2026-11-30T17:00:00-05:00">Nov. 30, 2026,
5 p.m. (EST)</time>. One Python function rather than an included template: the request lists
show two a row, and an include costs more than the rest of the row."""

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


def moment_html(value: dt.datetime | None) -> str:
    """What `{% moment value %}` writes (as `{{ value|date:... }}` would: in the current time
    zone and language's formats; nothing inside the element for no value)."""
    if value in (None, ""):
        return format_html('<time datetime="">{}</time>', " ()")
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{} ({})</time>',
        formats.date_format(value, "c"),
        formats.date_format(value, "DATETIME_FORMAT"),
        formats.date_format(value, "T"),
    )


@register.simple_tag
def moment(value: dt.datetime | None) -> str:
    return moment_html(value)
