"""What a decision records for the SLA figures, and what "business time" means there.

**Business time to decision**: the time between a request's submission and its decision
that falls on business days — whole calendar days (midnight to midnight) in REVIEW_TIME_ZONE
that are neither a weekend day nor a US federal holiday (gccportal.review_clock.
business_seconds) — counted only while the review clock runs: from the submission until the
reviewer asks for information, and again from the answer, never while the request waits for
the partner's or the customer's information. It is computed once, when the request is
decided (services.review_decide), and stored in whole seconds, so that the SLA page
aggregates it in SQL (selectors.review_sla_figures).

**On time**: decided no later than the due time in force at the decision (`due_at`, two
business days from the submission or from the last answer; services.review_decide clears it,
so it is kept as `decision_due_at`).
"""

import datetime as dt
from collections.abc import Iterable

from gccportal.review_clock import business_seconds, review_time_zone

# The audited actions that stop and restart the clock (services.review_info_request and
# review_info_answer).
CLOCK_STOPS = "info_requested"
CLOCK_RESTARTS = "info_provided"


def clock_intervals(
    *,
    submitted_at: dt.datetime,
    decided_at: dt.datetime,
    events: Iterable[tuple[str, dt.datetime]],
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The spans during which the clock ran between `submitted_at` and `decided_at`, given the
    request's audited (action, time) pairs in time order: running from the submission, stopped
    by each information request, restarted by each answer. Other actions change nothing."""
    intervals = []
    running_since: dt.datetime | None = submitted_at
    for action, at in events:
        if action == CLOCK_STOPS and running_since is not None:
            intervals.append((running_since, min(at, decided_at)))
            running_since = None
        elif action == CLOCK_RESTARTS and running_since is None:
            running_since = at
    if running_since is not None:
        intervals.append((running_since, decided_at))
    return intervals


def decision_clock(
    *,
    due_at: dt.datetime | None,
    decided_at: dt.datetime,
    intervals: Iterable[tuple[dt.datetime, dt.datetime]],
) -> dict:
    """The fields a decision records for the SLA figures (the model's `decision_due_at`,
    `decided_on_time`, `business_seconds_to_decision`), given the due time in force at the
    decision and the spans the clock ran (clock_intervals)."""
    return {
        "decision_due_at": due_at,
        "decided_on_time": None if due_at is None else decided_at <= due_at,
        "business_seconds_to_decision": sum(
            business_seconds(start, end) for start, end in intervals
        ),
    }


# The SLA page's periods: on-time shares over the last 30 and 90 days; the median and p90 over
# the last 90; the chart's weeks (Monday to Sunday in REVIEW_TIME_ZONE, this one included).
SHORT_PERIOD = dt.timedelta(days=30)
LONG_PERIOD = dt.timedelta(days=90)
CHART_WEEKS = 13


def sla_weeks(now: dt.datetime, count: int = CHART_WEEKS) -> list[tuple[dt.datetime, dt.datetime]]:
    """The last `count` weeks as [start, end) pairs, oldest first: each from Monday 00:00 in
    the review time zone to the next Monday's; the last is the week of `now` (its end is
    after `now`)."""
    zone = review_time_zone()
    today = now.astimezone(zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    starts = [monday - dt.timedelta(weeks=back) for back in range(count - 1, -1, -1)]
    return [
        (
            dt.datetime.combine(day, dt.time(0), tzinfo=zone),
            dt.datetime.combine(day + dt.timedelta(weeks=1), dt.time(0), tzinfo=zone),
        )
        for day in starts
    ]
