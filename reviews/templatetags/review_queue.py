"""The reviewers' queue page's parts, written in Python rather than by the admin's included
templates (an include per filter, and the table's template, cost more than the queue's
query): the same markup as Django's change_list_results.html and filter.html, so the admin's
styles and scripts apply unchanged.

The queue rows, each rendered once (template fragment caching): the admin's own
cells (`items_for_result`) cost most of the queue's time, and a row looks the same until what
it shows changes. A row is cached under a key made of everything its cells are made of: the
database, the model and the row's ID, the values its columns show (the request's own fields,
its organization's and reviewer's names, "overdue" now, its conflict count: read as values,
with no request built), the language, the time zone, and the queue's filters that its links
keep. So a change of any of those is a new row, never a stale one; an unchanged row is one
cache read for the page."""

import hashlib

from django import template
from django.contrib.admin.templatetags.admin_list import (
    admin_list_filter,
    items_for_result,
    result_headers,
)
from django.db import connection
from django.utils import timezone, translation
from django.utils.encoding import iri_to_uri
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from gccportal.row_cache import fragments_cached
from gccportal.templatetags.fragments import memoized

register = template.Library()


# Django's admin's own words (its change_list.html, filter.html and change_list_results.html
# say them), translated by Django's catalogue as there: read under another name than gettext,
# so that makemessages leaves them out of the portal's catalogue, which holds its own words.
admin_text = translation.gettext


def row_cache_keys(cl) -> list[str]:
    """The cache key of each row's cells in `cl`: it changes whenever they would. What the
    page's rows share (the database, the model, the language, the time zone, the filters
    their links keep) is written once; each row adds the values its columns are made of
    (QueueRows.values: its ID, its fields, its organization's and reviewer's names, the
    admin's own columns' annotations)."""
    page = repr(
        (
            connection.settings_dict["NAME"],
            cl.model._meta.label,
            cl.result_list.fields,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            cl.preserved_filters,
            cl.is_popup,
            cl.to_field,
        )
    )
    return [
        "queue-row:" + hashlib.sha256((page + repr(row)).encode()).hexdigest()
        for row in cl.result_list.values
    ]


def cached_rows(cl) -> list[SafeString]:
    """Each row's cells, from the cache when rendered before (one read for the page), else
    rendered and stored: the requests of the rows to render are built then (one query)."""
    pks = [row[0] for row in cl.result_list.values]
    requests = {}
    cells = fragments_cached(
        row_cache_keys(cl),
        pks,
        lambda pk: "".join(items_for_result(cl, requests[pk], None)),
        what=cl.model._meta.label,
        prepare=lambda missing: requests.update(cl.result_list.requests(missing)),
    )
    return [mark_safe(row) for row in cells]  # noqa: S308 (the admin's own cells)


def header_html(header: dict, *, sorted_fields: int) -> SafeString:
    """A column's header cell, as change_list_results.html writes it: its sort links when
    sortable, its sort's controls when sorted by it."""
    text = capfirst(header["text"])
    if not header["sortable"]:
        return format_html(
            '<th scope="col"{}><div class="text"><span>{}</span></div><div class="clear"></div>'
            "</th>",
            header["class_attrib"],
            text,
        )
    options = ""
    if header["sort_priority"] > 0:
        priority = ""
        if sorted_fields > 1:
            priority = format_html(
                '<span class="sortpriority" title="{}">{}</span>',
                admin_text("Sorting priority: %(priority_number)s")
                % {"priority_number": header["sort_priority"]},
                header["sort_priority"],
            )
        options = format_html(
            '<div class="sortoptions"><a class="sortremove" href="{}" title="{}"></a>{}'
            '<a href="{}" class="toggle {}" title="{}"></a></div>',
            header["url_remove"],
            admin_text("Remove from sorting"),
            priority,
            header["url_toggle"],
            "ascending" if header["ascending"] else "descending",
            admin_text("Toggle sorting"),
        )
    return format_html(
        '<th scope="col"{}>{}<div class="text"><a href="{}">{}</a></div>'
        '<div class="clear"></div></th>',
        header["class_attrib"],
        options,
        header["url_primary"],
        text,
    )


def headers_html(cl) -> SafeString:
    """The table's header cells, each with its sort links."""
    headers = list(result_headers(cl))
    sorted_fields = sum(1 for h in headers if h["sortable"] and h["sorted"])
    return format_html_join(
        "", "{}", ((header_html(h, sorted_fields=sorted_fields),) for h in headers)
    )


def queue_page_identity(cl, part: str) -> tuple:
    """What a part of the queue page made only of the queue's parameters (its headers, its
    filters) is made of: the model, the parameters (the query string, which the links keep),
    the popup state. Kept a process by `memoized` (the language, the time zone and the URL
    prefix with it)."""
    return ("queue", part, cl.model._meta.label, cl.get_query_string(), cl.is_popup, cl.to_field)


def queue_results_html(cl) -> SafeString:
    """The queue's table (the admin's `result_list`), its rows from `cached_rows`, its headers
    rendered once a process per query string. The queue edits nothing: no hidden fields, no
    row forms."""
    rows = cached_rows(cl)
    if not rows:
        return mark_safe("")
    return format_html(
        '<div class="results"><table id="result_list"><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table></div>",
        memoized(queue_page_identity(cl, "headers"), lambda: headers_html(cl)),
        mark_safe("\n".join(f"<tr>{row}</tr>" for row in rows)),  # noqa: S308 (cells, escaped)
    )


@register.simple_tag
def queue_result_list(cl) -> SafeString:
    return queue_results_html(cl)


def filter_html(cl, spec) -> SafeString:
    """One filter, as admin/filter.html writes it (a filter with a template of its own, by
    that template)."""
    if spec.template != "admin/filter.html":
        return admin_list_filter(cl, spec)
    return format_html(
        '<details data-filter-title="{}" open><summary>{}</summary><ul>{}</ul></details>',
        spec.title,
        admin_text(" By %(filter_title)s ") % {"filter_title": spec.title},
        format_html_join(
            "",
            '<li{}><a href="{}">{}</a></li>',
            (
                (
                    mark_safe(' class="selected"') if choice["selected"] else "",
                    iri_to_uri(choice["query_string"]),
                    choice["display"],
                )
                for choice in spec.choices(cl)
            ),
        ),
    )


def filter_actions_html(cl) -> SafeString:
    """The filter panel's links above the filters: the counts shown or hidden, every filter
    cleared (change_list.html's)."""
    links = []
    if cl.is_facets_optional:
        if cl.add_facets:
            link = (cl.remove_facet_link, "hidelink", admin_text("Hide counts"))
        else:
            link = (cl.add_facet_link, "viewlink", admin_text("Show counts"))
        links.append(format_html('<h3><a href="{}" class="{}">{}</a></h3>', *link))
    if cl.has_active_filters:
        links.append(
            format_html(
                '<h3><a href="{}">&#10006; {}</a></h3>',
                cl.clear_all_filters_qs,
                admin_text("Clear all filters"),
            )
        )
    if not links:
        return mark_safe("")
    return format_html(
        '<div id="changelist-filter-extra-actions">{}</div>',
        format_html_join("", "{}", ((link,) for link in links)),
    )


@register.simple_tag
def queue_filters(cl) -> SafeString:
    """The filter panel (change_list.html's `filters` block), every filter in one go; once a
    process per query string: the queue's filters offer constant choices (tested), so the
    panel is made of the parameters only, except with the counts shown (facets)."""
    if not cl.has_filters:
        return mark_safe("")
    if cl.add_facets:
        return filters_html(cl)
    return memoized(queue_page_identity(cl, "filters"), lambda: filters_html(cl))


def filters_html(cl) -> SafeString:
    return format_html(
        '<nav id="changelist-filter" aria-labelledby="changelist-filter-header">'
        '<h2 id="changelist-filter-header">{}</h2>{}{}</nav>',
        admin_text("Filter"),
        filter_actions_html(cl),
        format_html_join("", "{}", ((filter_html(cl, spec),) for spec in cl.filter_specs)),
    )
