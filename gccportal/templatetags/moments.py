"""`{% moment value %}`: a moment in the current time zone (the review time zone on the
portal's pages), its zone named: <time datetime="2026-11-30T17:00:00-05:00">Nov. 30, 2026,
5 p.m. (EST)</time>. One Python function rather than an included template: the request lists
show two a row, and an include costs more than the rest of the row.

Written as Django's `date` filter writes it, but cheaper: `formats.date_format` parses its
format string and builds a `DateFormat` on every call (three a moment), and each month name,
"a.m."/"p.m.", "noon" or "midnight" is a gettext call (about 0.1 ms a format). Here a
format is parsed once, one `DateFormat` serves the three formats, and each translated piece
is kept per language and per what it depends on (the month, the weekday, the hour and minute):
a few thousand short strings at most."""

import datetime as dt
import functools

from django import template
from django.utils import formats, timezone, translation
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.html import format_html

register = template.Library()

# The format characters Django writes with gettext, each with what its text depends on.
TRANSLATED_PIECES = {
    "a": lambda value: value.hour > 11,
    "A": lambda value: value.hour > 11,
    "P": lambda value: (value.hour, value.minute),
    "b": lambda value: value.month,
    "E": lambda value: value.month,
    "F": lambda value: value.month,
    "M": lambda value: value.month,
    "N": lambda value: value.month,
    "D": lambda value: value.weekday(),
    "l": lambda value: value.weekday(),
}
_translated: dict[tuple, str] = {}


@functools.lru_cache(maxsize=128)
def parsed_format(format_string: str) -> tuple[tuple[bool, str], ...]:
    """`format_string` split as `Formatter.format` splits it: (True, a format character) or
    (False, literal text, its escapes removed)."""
    pieces = []
    for i, piece in enumerate(re_formatchars.split(format_string)):
        if i % 2:
            pieces.append((True, piece))
        elif piece:
            pieces.append((False, re_escaped.sub(r"\1", piece)))
    return tuple(pieces)


class MomentFormat(DateFormat):
    """A `DateFormat` of a datetime whose translated pieces come from `_translated`."""

    def format(self, formatstr) -> str:
        language = translation.get_language()
        out = []
        for is_character, piece in parsed_format(str(formatstr)):
            if not is_character:
                out.append(piece)
                continue
            depends_on = TRANSLATED_PIECES.get(piece)
            if depends_on is None:
                out.append(str(getattr(self, piece)()))
                continue
            key = (language, piece, depends_on(self.data))
            text = _translated.get(key)
            if text is None:
                text = _translated[key] = str(getattr(self, piece)())
            out.append(text)
        return "".join(out)


def moment_html(value: dt.datetime | None) -> str:
    """What `{% moment value %}` writes (as `{{ value|date:... }}` would: in the current time
    zone and language's formats; nothing inside the element for no value)."""
    if value in (None, ""):
        return format_html('<time datetime="">{}</time>', " ()")
    if not isinstance(value, dt.datetime):
        return format_html(
            '<time datetime="{}">{} ({})</time>',
            formats.date_format(value, "c"),
            formats.date_format(value, "DATETIME_FORMAT"),
            formats.date_format(value, "T"),
        )
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    moment = MomentFormat(value)
    return format_html(
        '<time datetime="{}">{} ({})</time>',
        moment.format("c"),
        moment.format(formats.get_format("DATETIME_FORMAT")),
        moment.format("T"),
    )


@register.simple_tag
def moment(value: dt.datetime | None) -> str:
    return moment_html(value)
