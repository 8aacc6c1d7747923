"""With a real Celery worker process on Redis: emails leave through the broker and the worker."""

import pytest
from django.conf import settings

from notifications.models import OutboxMessage
from notifications.services import outbox_sweep
from partners import services
from partners.models import Membership
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ReviewerFactory,
    validation_answers,
)
from tests.worker import (
    UNREACHABLE_BROKER,
    celery_use_broker,
    read_sent_emails,
    wait_for,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _submit():
    organization = OrganizationFactory()
    agent = MembershipFactory(organization=organization, role=Membership.Role.ADMIN_AGENT).user
    ReviewerFactory()
    request = services.partner_validation_submit(
        organization=organization, submitted_by=agent, **validation_answers(organization)
    )
    return agent, request


def test_real_worker_delivers_the_acknowledgement(celery_worker_process):
    # Given a running worker
    # When an Admin agent submits a partner validation
    agent, request = _submit()

    # Then the worker sends the acknowledgement, with the due time, and marks the row sent
    ack = OutboxMessage.objects.get(to_email=agent.email)
    wait_for(lambda: OutboxMessage.objects.filter(pk=ack.pk, status="sent").exists())
    sent = [
        m for m in read_sent_emails(celery_worker_process.email_dir) if f"To: {agent.email}" in m
    ]
    assert len(sent) == 1
    assert f"GCC validation request #{request.pk} received" in sent[0]
    assert "The GCC review team will decide by" in sent[0]
    assert "task" in celery_worker_process.log_path.read_text()


def test_broker_down_loses_nothing_and_the_sweep_sends_once(celery_worker_process):
    # Given the broker can't be reached
    celery_use_broker(UNREACHABLE_BROKER)

    # When an Admin agent submits, the submission still succeeds
    _agent, request = _submit()
    assert request.pk is not None
    messages = OutboxMessage.objects.filter(
        dedupe_key__startswith=f"partner_validation:{request.pk}:"
    )
    assert messages.count() == 2  # acknowledgement + reviewer notice
    assert set(messages.values_list("status", flat=True)) == {"pending"}
    assert read_sent_emails(celery_worker_process.email_dir) == []

    # When the broker is back and the beat sweep runs (twice, as beat would)
    celery_use_broker(settings.CELERY_BROKER_URL)
    later = request.submitted_at.replace(year=request.submitted_at.year + 1)
    assert outbox_sweep(now=later) == 2
    wait_for(lambda: not messages.filter(status="pending").exists())
    outbox_sweep(now=later)

    # Then each email went out exactly once
    sent = read_sent_emails(celery_worker_process.email_dir)
    assert sorted(m.split("To: ")[1].split("\n")[0] for m in sent) == sorted(
        messages.values_list("to_email", flat=True)
    )
