"""The detail pages' timelines (templates/includes/timeline.html), each event rendered once
(gccportal/row_cache.py): audit events never change, and their times and translated texts
were most of a detail page's template time (2.5-4.3 ms at the bench's scale)."""

from django import template

from gccportal.row_cache import cached_rows

register = template.Library()

TIMELINE_EVENT = "includes/timeline_event.html"


def timeline_event_shows(item) -> tuple:
    """Every value an event shows: what was done (its label) when, by whom (a member's name;
    else who did it is told by whether there is an actor and by the action), and its note."""
    by_member = bool(getattr(item, "by_member", False))
    return (
        item.pk,
        item.action,
        item.created_at,
        by_member,
        str(item.actor) if by_member else None,
        item.actor_id is not None,
        item.note,
    )


@register.simple_tag
def timeline_events(events) -> str:
    return cached_rows(TIMELINE_EVENT, events, timeline_event_shows)
