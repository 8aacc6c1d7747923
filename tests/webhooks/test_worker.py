"""With a real Celery worker process on Redis: a webhook leaves through the broker and the
worker; one recorded while the broker is down is delivered by the sweep, once."""

import pytest
from django.conf import settings
from standardwebhooks.webhooks import Webhook

from api import webhook_services
from partners.models import Membership, PartnerValidationRequest
from reviews.services import review_start
from tests.factories import OrganizationFactory, PartnerValidationRequestFactory, ReviewerFactory
from tests.helpers import agent_of
from tests.worker import UNREACHABLE_BROKER, celery_use_broker, wait_for
from webhooks.events import EventType
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_sweep

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _registered(receiver):
    organization = OrganizationFactory()
    admin = agent_of(organization, Membership.Role.ADMIN_AGENT)
    registered = webhook_services.webhook_endpoint_register(
        organization=organization,
        actor=admin,
        url=receiver.url,
        description="",
        event_types=[EventType.PARTNER_VALIDATION_STATUS_CHANGED],
    )
    return organization, registered


def _start_review(organization):
    request = PartnerValidationRequestFactory(organization=organization)
    review_start(model=PartnerValidationRequest, request_id=request.pk, reviewer=ReviewerFactory())
    return request


def test_real_worker_delivers_the_webhook(celery_worker_process, webhook_receiver):
    organization, registered = _registered(webhook_receiver)
    _start_review(organization)

    wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").exists())
    [got] = webhook_receiver.received
    assert Webhook(registered.secret).verify(got.body, got.headers)["data"]["status"] == (
        "in_review"
    )
    assert "webhook_delivery_send_task" in celery_worker_process.log_path.read_text()


def test_broker_down_at_commit_the_sweep_delivers_once(celery_worker_process, webhook_receiver):
    organization, _registered_endpoint = _registered(webhook_receiver)
    celery_use_broker(UNREACHABLE_BROKER)
    request = _start_review(organization)
    assert PartnerValidationRequest.objects.get(pk=request.pk).status == "in_review"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"

    celery_use_broker(settings.CELERY_BROKER_URL)
    later = delivery.next_attempt_at.replace(year=delivery.next_attempt_at.year + 1)
    assert webhook_sweep(now=later) == 1
    wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").exists())
    webhook_sweep(now=later)  # a second sweep finds nothing due
    assert len(webhook_receiver.received) == 1
