"""The two-business-day review clock.

A request submitted on day D falls due at 17:00 (REVIEW_TIME_ZONE) on the second business
day after D. Business days are weekdays that are not US federal holidays. D is the calendar
day of submission *in the review time zone*, whatever the hour, and whether or not D is
itself a business day.
"""

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

BUSINESS_DAYS_TO_DECIDE = 2


@cache
def _us_federal_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("US", years=year)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _us_federal_holidays(day.year)


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The `count`-th business day strictly after `day`."""
    current = day
    remaining = count
    while remaining:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def review_time_zone() -> ZoneInfo:
    return ZoneInfo(settings.REVIEW_TIME_ZONE)


def review_due_at(submitted_at: dt.datetime) -> dt.datetime:
    """When a request submitted at `submitted_at` (aware) must be decided, as an aware datetime."""
    if submitted_at.tzinfo is None:
        raise ValueError("submitted_at must be timezone-aware")
    zone = review_time_zone()
    local_day = submitted_at.astimezone(zone).date()
    due_day = add_business_days(local_day, BUSINESS_DAYS_TO_DECIDE)
    # Built from the local wall-clock time so that DST changes keep 17:00 at 17:00.
    return dt.datetime.combine(due_day, dt.time(settings.REVIEW_DUE_HOUR), tzinfo=zone)


def review_reminder_at(due_at: dt.datetime) -> dt.datetime:
    """When a request due at `due_at` has under one business day left (its reminder's time):
    the due hour (REVIEW_TIME_ZONE) on the business day before the due day."""
    zone = review_time_zone()
    day = due_at.astimezone(zone).date() - dt.timedelta(days=1)
    while not is_business_day(day):
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(settings.REVIEW_DUE_HOUR), tzinfo=zone)


def end_of_today(now: dt.datetime) -> dt.datetime:
    """Midnight at the end of `now`'s day in the review time zone."""
    zone = review_time_zone()
    tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0), tzinfo=zone)


def business_time_remaining_is_short(due_at: dt.datetime, now: dt.datetime) -> bool:
    """True when less than one business day remains before `due_at` (reminder threshold)."""
    return now >= review_reminder_at(due_at)


def business_seconds(start: dt.datetime, end: dt.datetime) -> int:
    """Business time between `start` and `end` (aware), in whole seconds: the elapsed time of
    [start, end) that falls on business days, each taken as the whole calendar day (midnight
    to midnight) in the review time zone. Weekends and US federal holidays count nothing; a
    day of a DST change counts its real 23 or 25 hours. 0 when `end` is not after `start`."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        return 0
    zone = review_time_zone()
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    # In UTC: datetimes sharing one tzinfo subtract as wall-clock times, wrong across DST.
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    total = dt.timedelta(0)
    while day <= last:
        if is_business_day(day):
            day_start = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
            next_day = day + dt.timedelta(days=1)
            day_end = dt.datetime.combine(next_day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
            total += max(min(end, day_end) - max(start, day_start), dt.timedelta(0))
        day += dt.timedelta(days=1)
    return int(total.total_seconds())
