"""The reviewers' queue rows, each rendered once (template fragment caching): the admin's own
cells (`items_for_result`) cost most of the queue's time, and a row looks the same until what
it shows changes. A row is cached under a key made of everything its cells are made of: the
database, the model and the row's ID, each listed column's value (what `lookup_field` reads:
the request's own fields, its organization and reviewer as they read, "overdue" now), the
language, the time zone, and the queue's filters that its links keep. So a change of any of
those is a new row, never a stale one; an unchanged row is one cache read for the page."""

import hashlib

from django import template
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    items_for_result,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import lookup_field
from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

register = template.Library()

ROW_SECONDS = 24 * 60 * 60


def row_cache_key(cl, row) -> str:
    """The cache key of `row`'s cells in `cl`: it changes whenever they would."""
    values = []
    for name in cl.list_display:
        _field, _attr, value = lookup_field(name, row, cl.model_admin)
        values.append(str(value))
    made_of = repr(
        (
            connection.settings_dict["NAME"],
            cl.model._meta.label,
            row.pk,
            values,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            cl.preserved_filters,
            cl.is_popup,
            cl.to_field,
        )
    )
    return "queue-row:" + hashlib.sha256(made_of.encode()).hexdigest()


def cached_results(cl) -> list[ResultList]:
    """Each row's cells, from the cache when rendered before (one read for the page), else
    rendered and stored."""
    keys = [row_cache_key(cl, row) for row in cl.result_list]
    found = cache.get_many(keys)
    rendered = {}
    rows = []
    for key, row in zip(keys, cl.result_list, strict=True):
        cells = found.get(key)
        if cells is None:
            cells = rendered[key] = "".join(items_for_result(cl, row, None))
        rows.append(ResultList(None, [mark_safe(cells)]))  # noqa: S308 (the admin's own cells)
    if rendered:
        cache.set_many(rendered, ROW_SECONDS)
    return rows


def queue_result_list(cl) -> dict:
    """The admin's `result_list`, with its rows from `cached_results`."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": cached_results(cl),
    }


@register.tag(name="queue_result_list")
def queue_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=queue_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
