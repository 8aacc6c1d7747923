"""The two-business-day review clock (DESIGN.md, "The two-business-day clock")."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gccportal.review_clock import (
    business_time_remaining_is_short,
    review_due_at,
    review_reminder_at,
)

NEW_YORK = ZoneInfo("America/New_York")
PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
EDT = dt.timedelta(hours=-4)
EST = dt.timedelta(hours=-5)


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def assert_due(due: dt.datetime, expected_local: dt.datetime, expected_offset: dt.timedelta):
    """`due` is exactly `expected_local` (wall clock in New York) with the given UTC offset."""
    assert due == expected_local
    assert due.tzinfo.key == "America/New_York"
    assert (due.year, due.month, due.day, due.hour, due.minute, due.second) == (
        expected_local.year,
        expected_local.month,
        expected_local.day,
        17,
        0,
        0,
    )
    assert due.utcoffset() == expected_offset


# -- the examples of DESIGN.md -------------------------------------------------------------
@pytest.mark.parametrize(
    "submitted_at",
    [
        ny(2026, 6, 15, 0, 0),
        ny(2026, 6, 15, 9, 30),
        ny(2026, 6, 15, 16, 59),
        ny(2026, 6, 15, 17, 0),
        ny(2026, 6, 15, 23, 59, 59),
    ],
    ids=["midnight", "morning", "before-17h", "17h", "last-second"],
)
def test_monday_submission_at_any_hour_is_due_wednesday_17h(submitted_at):
    # Given a request submitted on Monday 2026-06-15, whatever the hour
    # When the due time is computed
    due = review_due_at(submitted_at)

    # Then it is Wednesday 2026-06-17 at 17:00 New York time (EDT)
    assert_due(due, ny(2026, 6, 17, 17, 0), EDT)


def test_thursday_before_juneteenth_is_due_next_tuesday():
    # Given a request submitted on Thursday 2026-06-18 (Friday 06-19 is Juneteenth)
    submitted_at = ny(2026, 6, 18, 11, 0)

    # When the due time is computed
    due = review_due_at(submitted_at)

    # Then the holiday and the weekend are skipped: Monday 06-22, Tuesday 06-23
    assert_due(due, ny(2026, 6, 23, 17, 0), EDT)


# -- weekends, boundaries, time zones ------------------------------------------------------
@pytest.mark.parametrize(
    ("submitted_at", "expected_due"),
    [
        # Friday → Monday, Tuesday.
        (ny(2026, 6, 12, 14, 0), ny(2026, 6, 16, 17, 0)),
        # Saturday → Monday, Tuesday (the submission day need not be a business day).
        (ny(2026, 6, 13, 10, 0), ny(2026, 6, 16, 17, 0)),
        # Sunday → Monday, Tuesday.
        (ny(2026, 6, 14, 22, 0), ny(2026, 6, 16, 17, 0)),
        # Saturday after Juneteenth → Monday 06-22, Tuesday 06-23.
        (ny(2026, 6, 20, 8, 0), ny(2026, 6, 23, 17, 0)),
        # Juneteenth itself (a Friday holiday) → Monday, Tuesday.
        (ny(2026, 6, 19, 12, 0), ny(2026, 6, 23, 17, 0)),
        # Tuesday → Thursday.
        (ny(2026, 6, 16, 0, 0), ny(2026, 6, 18, 17, 0)),
        # Wednesday → Friday would be Juneteenth: Thursday, then Monday.
        (ny(2026, 6, 17, 12, 0), ny(2026, 6, 22, 17, 0)),
    ],
    ids=[
        "friday",
        "saturday",
        "sunday",
        "saturday-after-juneteenth",
        "on-juneteenth",
        "tuesday",
        "wednesday-before-juneteenth",
    ],
)
def test_due_time_skips_weekends_and_holidays(submitted_at, expected_due):
    # Given a submission on the day in the id
    # When the due time is computed
    due = review_due_at(submitted_at)

    # Then it is 17:00 on the second business day after that day
    assert_due(due, expected_due, EDT)


@pytest.mark.parametrize(
    ("submitted_at", "expected_due"),
    [
        # 23:59 on Monday in New York is still Monday.
        (ny(2026, 6, 15, 23, 59), ny(2026, 6, 17, 17, 0)),
        # 03:00 UTC on Tuesday is 23:00 EDT on Monday: the day is Monday.
        (utc(2026, 6, 16, 3, 0), ny(2026, 6, 17, 17, 0)),
        # 03:59:59 UTC on Tuesday is the last second of Monday in New York.
        (utc(2026, 6, 16, 3, 59, 59), ny(2026, 6, 17, 17, 0)),
        # 04:00 UTC on Tuesday is midnight Tuesday in New York: the day is Tuesday.
        (utc(2026, 6, 16, 4, 0), ny(2026, 6, 18, 17, 0)),
        # 22:00 UTC on Saturday is 18:00 EDT Saturday, not Sunday.
        (utc(2026, 6, 13, 22, 0), ny(2026, 6, 16, 17, 0)),
        # Another zone on the input: 05:00 in Paris on Tuesday is 23:00 EDT Monday.
        (dt.datetime(2026, 6, 16, 5, 0, tzinfo=PARIS), ny(2026, 6, 17, 17, 0)),
    ],
    ids=[
        "23:59-local",
        "utc-next-day",
        "last-second-of-local-day",
        "local-midnight",
        "utc-saturday-evening",
        "paris-input",
    ],
)
def test_the_submission_day_is_the_day_in_the_review_time_zone(submitted_at, expected_due):
    # Given a submission whose calendar day differs between UTC and New York
    # When the due time is computed
    due = review_due_at(submitted_at)

    # Then the day counted is the New York day
    assert_due(due, expected_due, EDT)


# -- daylight saving time ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("submitted_at", "expected_due", "expected_offset"),
    [
        # Spring forward (Sunday 2026-03-08, 02:00 EST → 03:00 EDT).
        # Friday 03-06 in EST → due Tuesday 03-10 17:00, now EDT.
        (ny(2026, 3, 6, 16, 0), ny(2026, 3, 10, 17, 0), EDT),
        # Sunday 01:59 EST, one minute before the change → Tuesday 17:00 EDT.
        (utc(2026, 3, 8, 6, 59), ny(2026, 3, 10, 17, 0), EDT),
        # Sunday 03:00 EDT, just after the change → the same Tuesday.
        (utc(2026, 3, 8, 7, 0), ny(2026, 3, 10, 17, 0), EDT),
        # Fall back (Sunday 2026-11-01, 02:00 EDT → 01:00 EST).
        # Friday 10-30 in EDT → due Tuesday 11-03 17:00, now EST.
        (ny(2026, 10, 30, 16, 0), ny(2026, 11, 3, 17, 0), EST),
        # Sunday 01:30 EDT (first occurrence) and 01:30 EST (second) → the same Tuesday.
        (utc(2026, 11, 1, 5, 30), ny(2026, 11, 3, 17, 0), EST),
        (utc(2026, 11, 1, 6, 30), ny(2026, 11, 3, 17, 0), EST),
        # Saturday 23:30 EDT the night before → the same Tuesday.
        (utc(2026, 11, 1, 3, 30), ny(2026, 11, 3, 17, 0), EST),
    ],
    ids=[
        "friday-before-spring-forward",
        "just-before-spring-forward",
        "just-after-spring-forward",
        "friday-before-fall-back",
        "fall-back-first-0130",
        "fall-back-second-0130",
        "saturday-before-fall-back",
    ],
)
def test_due_time_stays_17h_local_across_dst_changes(submitted_at, expected_due, expected_offset):
    # Given a submission just before or during a DST change
    # When the due time is computed
    due = review_due_at(submitted_at)

    # Then it is 17:00 local, with the offset in force on the due day
    assert_due(due, expected_due, expected_offset)


def test_due_time_across_spring_forward_is_17h_local_not_24h_multiples():
    # Given a submission at 17:00 EST on Friday 2026-03-06
    submitted_at = ny(2026, 3, 6, 17, 0)

    # When the due time is computed
    due = review_due_at(submitted_at)

    # Then it is 21:00 UTC on Tuesday 03-10 (17:00 EDT), not 22:00 UTC (17:00 EST)
    assert due.astimezone(UTC) == utc(2026, 3, 10, 21, 0)


# -- holidays ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("submitted_at", "expected_due", "expected_offset"),
    [
        # Thanksgiving is Thursday 2026-11-26; the Friday after is a business day.
        (ny(2026, 11, 24, 10, 0), ny(2026, 11, 27, 17, 0), EST),
        (ny(2026, 11, 25, 10, 0), ny(2026, 11, 30, 17, 0), EST),
        (ny(2026, 11, 26, 10, 0), ny(2026, 11, 30, 17, 0), EST),
        # Christmas is Friday 2026-12-25.
        (ny(2026, 12, 23, 10, 0), ny(2026, 12, 28, 17, 0), EST),
        (ny(2026, 12, 24, 10, 0), ny(2026, 12, 29, 17, 0), EST),
        # New Year's Day is Friday 2027-01-01: the count crosses the year.
        (ny(2026, 12, 30, 10, 0), ny(2027, 1, 4, 17, 0), EST),
        (ny(2026, 12, 31, 10, 0), ny(2027, 1, 5, 17, 0), EST),
        # New Year's Day 2028 is a Saturday, observed on Friday 2027-12-31.
        (ny(2027, 12, 30, 10, 0), ny(2028, 1, 4, 17, 0), EST),
        # Independence Day 2026 is a Saturday, observed on Friday 07-03.
        (ny(2026, 7, 2, 10, 0), ny(2026, 7, 7, 17, 0), EDT),
    ],
    ids=[
        "tuesday-before-thanksgiving",
        "wednesday-before-thanksgiving",
        "on-thanksgiving",
        "wednesday-before-christmas",
        "christmas-eve",
        "wednesday-before-new-year",
        "new-years-eve",
        "observed-new-year-in-previous-year",
        "observed-independence-day",
    ],
)
def test_due_time_skips_us_federal_holidays(submitted_at, expected_due, expected_offset):
    # Given a submission near a US federal holiday
    # When the due time is computed
    due = review_due_at(submitted_at)

    # Then the holiday (as observed) is not a business day
    assert_due(due, expected_due, expected_offset)


# -- input and settings --------------------------------------------------------------------
def test_naive_submission_time_is_refused():
    # Given a naive datetime (no time zone)
    submitted_at = dt.datetime(2026, 6, 15, 10, 0)

    # When / Then the clock refuses it rather than guess a zone
    with pytest.raises(ValueError) as raised:
        review_due_at(submitted_at)
    assert str(raised.value) == "submitted_at must be timezone-aware"


def test_review_time_zone_setting_moves_the_day_and_the_due_hour(settings):
    # Given the review time zone is Paris
    settings.REVIEW_TIME_ZONE = "Europe/Paris"
    # and a submission at 23:30 UTC on Monday 2026-06-15, already Tuesday 01:30 in Paris
    submitted_at = utc(2026, 6, 15, 23, 30)

    # When the due time is computed
    due = review_due_at(submitted_at)

    # Then the day counted is the Paris Tuesday, due Thursday 17:00 Paris time (CEST)
    assert due == dt.datetime(2026, 6, 18, 17, 0, tzinfo=PARIS)
    assert due.tzinfo.key == "Europe/Paris"
    assert (due.hour, due.minute) == (17, 0)
    assert due.utcoffset() == dt.timedelta(hours=2)
    assert due.astimezone(UTC) == utc(2026, 6, 18, 15, 0)


def test_review_time_zone_setting_keeps_us_federal_holidays(settings):
    # Given the review time zone is Los Angeles
    settings.REVIEW_TIME_ZONE = "America/Los_Angeles"
    # and a submission on Thursday 2026-06-18 at 20:00 Pacific (already Friday in UTC)
    submitted_at = utc(2026, 6, 19, 3, 0)

    # When the due time is computed
    due = review_due_at(submitted_at)

    # Then Juneteenth is skipped and the due time is 17:00 Pacific on Tuesday 06-23
    assert due == dt.datetime(2026, 6, 23, 17, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert due.tzinfo.key == "America/Los_Angeles"
    assert due.utcoffset() == dt.timedelta(hours=-7)


def test_review_due_hour_setting_is_used(settings):
    # Given reviews fall due at 12:00
    settings.REVIEW_DUE_HOUR = 12

    # When the due time of a Monday submission is computed
    due = review_due_at(ny(2026, 6, 15, 9, 0))

    # Then it is Wednesday at noon
    assert due == ny(2026, 6, 17, 12, 0)


# -- business_time_remaining_is_short ------------------------------------------------------
@pytest.mark.parametrize(
    ("due_at", "now", "expected"),
    [
        # Due Wednesday 06-17 17:00: the threshold is Tuesday 06-16 17:00.
        (ny(2026, 6, 17, 17, 0), ny(2026, 6, 15, 10, 0), False),
        (ny(2026, 6, 17, 17, 0), ny(2026, 6, 16, 16, 59), False),
        (ny(2026, 6, 17, 17, 0), ny(2026, 6, 16, 17, 0), True),
        (ny(2026, 6, 17, 17, 0), ny(2026, 6, 17, 9, 0), True),
        (ny(2026, 6, 17, 17, 0), ny(2026, 6, 17, 17, 0), True),
        # Already overdue.
        (ny(2026, 6, 17, 17, 0), ny(2026, 6, 18, 9, 0), True),
        # `now` given in UTC: 20:59 UTC is 16:59 EDT, 21:00 UTC is 17:00 EDT.
        (ny(2026, 6, 17, 17, 0), utc(2026, 6, 16, 20, 59), False),
        (ny(2026, 6, 17, 17, 0), utc(2026, 6, 16, 21, 0), True),
        # Due Tuesday 06-23: the previous business day is Monday 06-22, so Friday
        # (Juneteenth) and the weekend still leave more than one business day.
        (ny(2026, 6, 23, 17, 0), ny(2026, 6, 19, 12, 0), False),
        (ny(2026, 6, 23, 17, 0), ny(2026, 6, 22, 16, 59), False),
        (ny(2026, 6, 23, 17, 0), ny(2026, 6, 22, 17, 0), True),
        # Due Monday 06-22: the previous business day is Thursday 06-18 (Friday is Juneteenth).
        (ny(2026, 6, 22, 17, 0), ny(2026, 6, 18, 16, 59), False),
        (ny(2026, 6, 22, 17, 0), ny(2026, 6, 18, 17, 0), True),
        (ny(2026, 6, 22, 17, 0), ny(2026, 6, 20, 10, 0), True),
        # Due Monday 2026-11-30 (EST): the previous business day is Friday 11-27.
        (ny(2026, 11, 30, 17, 0), ny(2026, 11, 27, 16, 59), False),
        (ny(2026, 11, 30, 17, 0), ny(2026, 11, 27, 17, 0), True),
        # Due Tuesday 2026-03-10 (EDT): the threshold is Monday 03-09 17:00 EDT = 21:00 UTC.
        (ny(2026, 3, 10, 17, 0), utc(2026, 3, 9, 20, 59), False),
        (ny(2026, 3, 10, 17, 0), utc(2026, 3, 9, 21, 0), True),
    ],
)
def test_business_time_remaining_is_short(due_at, now, expected):
    # Given a due time and the current time
    # When the remaining business time is checked
    short = business_time_remaining_is_short(due_at, now)

    # Then it is short from 17:00 on the business day before the due day
    assert short is expected


def test_business_time_remaining_is_short_accepts_due_time_in_utc():
    # Given a due time stored in UTC (as read back from the database)
    due_at = ny(2026, 6, 17, 17, 0).astimezone(UTC)

    # When / Then the threshold is still Tuesday 17:00 New York time
    assert business_time_remaining_is_short(due_at, ny(2026, 6, 16, 16, 59)) is False
    assert business_time_remaining_is_short(due_at, ny(2026, 6, 16, 17, 0)) is True


@pytest.mark.parametrize(
    ("due_at", "reminder_at"),
    [
        (ny(2026, 6, 17, 17, 0), ny(2026, 6, 16, 17, 0)),  # Wednesday: Tuesday
        (ny(2026, 6, 22, 17, 0), ny(2026, 6, 18, 17, 0)),  # Monday: Thursday (Juneteenth)
        (ny(2026, 7, 6, 17, 0), ny(2026, 7, 2, 17, 0)),  # Monday: Thursday (July 3 observed)
        (ny(2026, 3, 9, 17, 0).astimezone(UTC), ny(2026, 3, 6, 17, 0)),  # over the DST change
    ],
)
def test_the_reminder_is_due_at_the_due_hour_of_the_previous_business_day(due_at, reminder_at):
    reminder = review_reminder_at(due_at)

    assert reminder == reminder_at
    assert (reminder.hour, reminder.minute) == (17, 0)
    # and it is where business_time_remaining_is_short turns
    assert not business_time_remaining_is_short(due_at, reminder - dt.timedelta(seconds=1))
    assert business_time_remaining_is_short(due_at, reminder)
