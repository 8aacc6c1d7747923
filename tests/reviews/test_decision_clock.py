"""What a decision records for the SLA figures (reviews/sla.py): the due time in force, whether
it was met, and the business time the clock ran — by every decision path of every kind, and by
the data migration's fill for requests decided before.

Expected values are worked out by hand in the comments (New York time; 2026-11-26 is
Thanksgiving, 2026-11-28/29 and 2026-12-12/13 are weekends)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from customers.validations.models import CustomerValidationRequest
from customers.validations.services import customer_validation_approve
from gccportal.review_clock import business_seconds
from partners.models import PartnerValidationRequest
from partners.services import partner_validation_approve
from reviews.backfill import decision_clock_fill
from reviews.models import AuditEvent, ReviewStatus
from reviews.services import (
    review_info_answer,
    review_info_request,
    review_reject,
    review_request_lock,
    review_start,
)
from reviews.sla import clock_intervals
from tests.factories import CustomerValidationRequestFactory, PartnerValidationRequestFactory

NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


# -- business time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # Monday 09:00 → Monday 17:00: one business day, 8 h.
        (ny(2026, 12, 7, 9), ny(2026, 12, 7, 17), 8),
        # Friday 12:00 → Monday 12:00: Friday's 12 h, the weekend nothing, Monday's 12 h.
        (ny(2026, 12, 4, 12), ny(2026, 12, 7, 12), 24),
        # Wednesday 10:00 → Friday 10:00 across Thanksgiving (Thursday): 14 h + 0 + 10 h.
        (ny(2026, 11, 25, 10), ny(2026, 11, 27, 10), 24),
        # Thursday 24 December 18:00 → Monday 28 December 06:00 across Christmas (Friday) and
        # the weekend: Thursday's last 6 h, then Monday's first 6 h.
        (ny(2026, 12, 24, 18), ny(2026, 12, 28, 6), 12),
        # Wholly on a weekend: nothing.
        (ny(2026, 12, 5, 8), ny(2026, 12, 6, 20), 0),
        # Saturday 7 March 2027 → Monday 9 March 2027 00:00 over the spring DST change
        # (Sunday: a weekend day, 23 h, counts nothing): 0.
        (ny(2027, 3, 6, 0), ny(2027, 3, 8, 0), 0),
        # Monday 2 November 2026 00:00 → Tuesday 00:00 after the fall change (Sunday 1st):
        # a plain 24 h day.
        (ny(2026, 11, 2, 0), ny(2026, 11, 3, 0), 24),
        # End before start: nothing.
        (ny(2026, 12, 7, 17), ny(2026, 12, 7, 9), 0),
    ],
)
def test_business_seconds(start, end, hours):
    assert business_seconds(start, end) == hours * HOUR


def test_business_seconds_of_instants_given_in_utc():
    # Monday 9 March 2026 00:00 EDT is 04:00 UTC (the day after the spring change); to
    # Tuesday 00:00 EDT: one business day, 24 h.
    start = dt.datetime(2026, 3, 9, 4, tzinfo=dt.UTC)
    end = dt.datetime(2026, 3, 10, 4, tzinfo=dt.UTC)
    assert business_seconds(start, end) == 24 * HOUR


def test_the_clock_runs_from_submission_stops_at_each_question_and_restarts_at_each_answer():
    submitted, decided = ny(2026, 12, 7, 9), ny(2026, 12, 14, 9)
    events = [
        ("info_requested", ny(2026, 12, 7, 15)),
        ("info_provided", ny(2026, 12, 9, 9)),
        ("info_requested", ny(2026, 12, 10, 9)),
        ("info_provided", ny(2026, 12, 10, 12)),
    ]

    assert clock_intervals(submitted_at=submitted, decided_at=decided, events=events) == [
        (submitted, ny(2026, 12, 7, 15)),
        (ny(2026, 12, 9, 9), ny(2026, 12, 10, 9)),
        (ny(2026, 12, 10, 12), decided),
    ]


# -- every decision path records the clock ---------------------------------------------------

KINDS = {
    "partner": (PartnerValidationRequest, PartnerValidationRequestFactory),
    "customer": (CustomerValidationRequest, CustomerValidationRequestFactory),
}


def approve(model, request, reviewer):
    if model is PartnerValidationRequest:
        return partner_validation_approve(request_id=request.pk, reviewer=reviewer)
    return customer_validation_approve(request_id=request.pk, reviewer=reviewer)


def reject(model, request, reviewer):
    return review_reject(model=model, request_id=request.pk, reviewer=reviewer, reason="Not GCC.")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("decide", [approve, reject])
def test_a_late_decision_after_an_information_round_records_its_clock(kind, decide, reviewer):
    model, factory = KINDS[kind]
    # given: submitted Monday 7 December 09:00, in review; a question at 15:00 (6 h ran), the
    # answer Wednesday 9th 09:00 (the clock restarts: due Friday 11th 17:00)
    with time_machine.travel(ny(2026, 12, 7, 9), tick=False):
        request = factory(submitted_at=ny(2026, 12, 7, 9))
        review_start(model=model, request_id=request.pk, reviewer=reviewer)
    with time_machine.travel(ny(2026, 12, 7, 15), tick=False):
        review_info_request(
            model=model,
            request_id=request.pk,
            reviewer=reviewer,
            message="Send the charter.",
            missing_message="-",
        )
    with time_machine.travel(ny(2026, 12, 9, 9), tick=False), transaction.atomic():
        locked = review_request_lock(model=model, request_id=request.pk)
        review_info_answer(request=locked, actor=None, response="Here.", now=ny(2026, 12, 9, 9))

    # when: decided Monday 14th 09:00, after the weekend
    with time_machine.travel(ny(2026, 12, 14, 9), tick=False):
        decide(model, request, reviewer)

    # then: 6 h (Mon) + 15 h (Wed 09-24) + 24 h (Thu) + 24 h (Fri) + 9 h (Mon) = 78 h; late
    request.refresh_from_db()
    assert request.status in (ReviewStatus.APPROVED, ReviewStatus.REJECTED)
    assert request.due_at is None
    assert request.decision_due_at == ny(2026, 12, 11, 17)
    assert request.decided_on_time is False
    assert request.business_seconds_to_decision == 78 * HOUR


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("decide", [approve, reject])
def test_a_decision_on_time_across_thanksgiving_records_its_clock(kind, decide, reviewer):
    model, factory = KINDS[kind]
    # given: submitted Wednesday 25 November 10:00: due Monday 30th 17:00 (Thursday is
    # Thanksgiving: Friday and Monday are the two business days)
    with time_machine.travel(ny(2026, 11, 25, 10), tick=False):
        request = factory(submitted_at=ny(2026, 11, 25, 10))
        review_start(model=model, request_id=request.pk, reviewer=reviewer)

    # when: decided Monday 30th 10:00
    with time_machine.travel(ny(2026, 11, 30, 10), tick=False):
        decide(model, request, reviewer)

    # then: 14 h (Wed) + 0 (Thanksgiving) + 24 h (Fri) + 0 (weekend) + 10 h (Mon) = 48 h
    request.refresh_from_db()
    assert request.decision_due_at == ny(2026, 11, 30, 17)
    assert request.decided_on_time is True
    assert request.business_seconds_to_decision == 48 * HOUR


# -- the data migration's fill -----------------------------------------------------------------


def audit(request, action: str, at: dt.datetime) -> None:
    AuditEvent.objects.create(
        subject=request, organization=request.organization, action=action, created_at=at
    )


@pytest.mark.django_db
def test_the_fill_records_the_clock_of_requests_decided_before_it_existed():
    decided = {"status": ReviewStatus.APPROVED, "due_at": None}
    # A plain one: submitted Wednesday 25 November 10:00 (due Monday 30th 17:00), decided
    # Tuesday 1 December 09:00: 14 + 24 + 24 + 9 = 71 h; late.
    plain = CustomerValidationRequestFactory(
        **decided, submitted_at=ny(2026, 11, 25, 10), decided_at=ny(2026, 12, 1, 9)
    )
    # Two rounds in the audit trail: submitted Monday 7 December 09:00; stopped 15:00 (6 h);
    # restarted Tuesday 8th 09:00; stopped 12:00 (3 h); restarted (answered) Wednesday 9th
    # 09:00: due Friday 11th 17:00; decided Thursday 10th 09:00: 15 h + 9 h. 33 h; on time.
    audited = CustomerValidationRequestFactory(
        **decided,
        submitted_at=ny(2026, 12, 7, 9),
        info_requested_at=ny(2026, 12, 8, 12),
        info_responded_at=ny(2026, 12, 9, 9),
        decided_at=ny(2026, 12, 10, 9),
    )
    audit(audited, "info_requested", ny(2026, 12, 7, 15))
    audit(audited, "info_provided", ny(2026, 12, 8, 9))
    audit(audited, "info_requested", ny(2026, 12, 8, 12))
    audit(audited, "info_provided", ny(2026, 12, 9, 9))
    # No audit trail, one round on the row: the same times as `audited` but only its last
    # round is known: Mon 09:00 → Tue 12:00 runs (15 + 12 = 27 h), then Wed 09:00 → Thu
    # 09:00 (15 + 9 = 24 h): 51 h, the first round's wait counted (the approximation).
    row_only = CustomerValidationRequestFactory(
        **decided,
        submitted_at=ny(2026, 12, 7, 9),
        info_requested_at=ny(2026, 12, 8, 12),
        info_responded_at=ny(2026, 12, 9, 9),
        decided_at=ny(2026, 12, 10, 9),
    )
    # Already recorded, and still open: left alone.
    recorded = CustomerValidationRequestFactory(
        **decided,
        decided_at=ny(2026, 12, 10, 9),
        decision_due_at=ny(2026, 12, 10, 17),
        decided_on_time=True,
        business_seconds_to_decision=1,
    )
    still_open = CustomerValidationRequestFactory(status=ReviewStatus.IN_REVIEW)

    filled = decision_clock_fill(
        CustomerValidationRequest,
        audit_event_model=AuditEvent,
        content_type_model=ContentType,
        batch_size=2,
    )

    assert filled == 3
    rows = {
        row.pk: (row.decision_due_at, row.decided_on_time, row.business_seconds_to_decision)
        for row in CustomerValidationRequest.objects.all()
    }
    assert rows[plain.pk] == (ny(2026, 11, 30, 17), False, 71 * HOUR)
    assert rows[audited.pk] == (ny(2026, 12, 11, 17), True, 33 * HOUR)
    assert rows[row_only.pk] == (ny(2026, 12, 11, 17), True, 51 * HOUR)
    assert rows[recorded.pk] == (ny(2026, 12, 10, 17), True, 1)
    assert rows[still_open.pk] == (None, None, None)
