"""The beat schedule and the one SLA sweep over every kind of reviewed request."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from customers.validations.models import CustomerValidationRequest
from gccportal.celery import app
from notifications.models import OutboxMessage
from partners.models import PartnerValidationRequest
from reviews.selectors import review_kinds
from reviews.tasks import review_sla_sweep_task
from tests.factories import (
    CustomerValidationRequestFactory,
    PartnerValidationRequestFactory,
    ReviewerFactory,
)
from tests.reviews_testapp.models import MinimalRequest


def test_every_scheduled_task_is_a_registered_task():
    # Given the tasks the workers know (as a worker loads them)
    app.loader.import_default_modules()

    # When / Then every beat entry names one of them
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(app.tasks) == set()
    assert "reviews.tasks.review_sla_sweep_task" in scheduled


def test_the_kinds_are_every_installed_reviewed_request_model():
    # The kinds of the portal, and (in tests) the reviews app's own minimal kind
    assert set(review_kinds()) == {
        PartnerValidationRequest,
        CustomerValidationRequest,
        MinimalRequest,
    }


@pytest.mark.django_db
def test_the_sla_sweep_escalates_the_overdue_requests_of_every_kind_once():
    # Given a reviewer lead, and one overdue request of each kind in review (due an hour ago)
    lead = ReviewerFactory(groups=[settings.REVIEWER_LEAD_GROUP_NAME])
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    status = PartnerValidationRequest.Status.IN_REVIEW
    partner = PartnerValidationRequestFactory(status=status, due_at=hour_ago)
    customer = CustomerValidationRequestFactory(status=status, due_at=hour_ago)

    # When the sweep task runs, then again
    first = review_sla_sweep_task.apply().get()
    second = review_sla_sweep_task.apply().get()

    # Then each kind's request was escalated to the lead once, with its kind's email
    escalated = {"reminders": 0, "escalations": 1}
    nothing = {"reminders": 0, "escalations": 0}
    assert first == {
        "partners.PartnerValidationRequest": escalated,
        "customers.CustomerValidationRequest": escalated,
        "reviews_testapp.MinimalRequest": nothing,
    }
    assert all(counts == nothing for counts in second.values()), second
    assert sorted(OutboxMessage.objects.values_list("template", "to_email")) == [
        ("emails/customers/validation_escalation", lead.email),
        ("emails/partners/validation_escalation", lead.email),
    ]
    for request in (partner, customer):
        request.refresh_from_db()
        assert request.escalated_at is not None
