"""The detail pages' timelines, each event rendered once (gccportal/templatetags/timelines.py):
a cached event reads as a fresh one, in the reader's language, and is a new one when who is
named or how changes."""

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from reviews.models import AuditEvent


def timeline(events) -> str:
    return render_to_string("includes/timeline.html", {"events": events})


def fresh(events) -> str:
    with mock.patch.object(cache, "get_many", return_value={}):
        return timeline(events)


def event(pk, action, *, actor=None, by_member=False, note="", minutes=0) -> AuditEvent:
    made = AuditEvent(
        pk=pk,
        action=action,
        actor=actor,
        note=note,
        created_at=dt.datetime(2026, 11, 30, 15, minutes, tzinfo=dt.UTC),
    )
    made.by_member = by_member
    return made


@pytest.fixture
def member():
    return User(pk=10_000_001, email="pat@example.com", first_name="Pat", last_name="Lee")


@pytest.fixture
def events(member):
    return [
        event(9_000_001, "submitted", actor=member, by_member=True),
        event(9_000_002, "info_requested", actor=User(pk=10_000_002), note="Which\ndomain?"),
        event(9_000_003, "info_provided", minutes=5),
        event(9_000_004, "escalated", minutes=7),
    ]


def test_a_cached_timeline_reads_as_a_fresh_one_in_each_language_and_time_zone(events):
    for language, zone in [("en", "America/New_York"), ("fr", "Europe/Paris"), ("en", "UTC")]:
        with translation.override(language), timezone.override(zone):
            shown = timeline(events)
            assert timeline(events) == shown == fresh(events)
    with translation.override("en"):
        english = timeline(events)
    with translation.override("fr"):
        french = timeline(events)

    assert "Pat Lee" in english and "GCC review team" in english
    assert "Customer contact" in english and "System" in english
    assert "Which<br>domain?" in english
    assert french != english


def test_a_cached_event_changes_with_who_is_named(events, member):
    before = timeline(events)

    member.first_name = "Robin"
    renamed = timeline(events)
    events[0].by_member = False  # no longer a member: the review team's
    unnamed = timeline(events)

    assert "Robin Lee" in renamed and "Pat Lee" not in renamed
    assert "Robin Lee" not in unnamed
    assert len({before, renamed, unnamed}) == 3
    assert unnamed == fresh(events)


def test_no_event_says_so():
    assert "No events yet." in timeline([])
