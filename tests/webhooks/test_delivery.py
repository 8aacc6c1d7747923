"""Webhooks delivered to a receiver on loopback: signed (verified with the Standard Webhooks
library), retried after a failure, given up and the endpoint disabled after N, redelivered
with the same webhook-id, nothing sent for a change rolled back, secrets rotated."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from api import webhook_services
from notifications.models import OutboxMessage
from partners.models import Membership, PartnerValidationRequest
from reviews.services import review_start
from tests.factories import PartnerValidationRequestFactory
from tests.helpers import agent_of, reload
from webhooks.events import EventType
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookMessage
from webhooks.services import webhook_delivery_send

pytestmark = pytest.mark.django_db

ALL_EVENTS = list(EventType.values)


@pytest.fixture
def admin(organization):
    return agent_of(organization, Membership.Role.ADMIN_AGENT, email="ada@contoso.example")


@pytest.fixture
def registered(organization, admin, webhook_receiver):
    """An endpoint of `organization` on the loopback receiver, subscribed to every event."""
    return webhook_services.webhook_endpoint_register(
        organization=organization,
        actor=admin,
        url=webhook_receiver.url,
        description="Billing sync",
        event_types=ALL_EVENTS,
    )


@pytest.fixture
def start_review(organization, reviewer, django_capture_on_commit_callbacks):
    """A partner validation request of `organization` moved submitted → in review, its
    webhook dispatched after commit (the send task runs inline in tests)."""

    def move():
        # One open request per organization: an earlier one is set aside first.
        PartnerValidationRequest.objects.filter(organization=organization).update(
            status=PartnerValidationRequest.Status.WITHDRAWN
        )
        request = PartnerValidationRequestFactory(organization=organization)
        with django_capture_on_commit_callbacks(execute=True):
            review_start(model=PartnerValidationRequest, request_id=request.pk, reviewer=reviewer)
        return request

    return move


def only_delivery() -> WebhookDelivery:
    return WebhookDelivery.objects.select_related("message").get()


def later(delivery: WebhookDelivery, seconds: float = 1):
    """A time after the delivery's next attempt is due."""
    return reload(delivery).next_attempt_at + timedelta(seconds=seconds)


def test_an_event_arrives_signed_and_verifies_with_the_library(
    registered, webhook_receiver, start_review
):
    request = start_review()

    [got] = webhook_receiver.received
    message = WebhookMessage.objects.get()
    payload = Webhook(registered.secret).verify(got.body, got.headers)
    assert payload == {
        "type": "partner_validation.status_changed",
        "timestamp": payload["timestamp"],
        "data": {
            "validationRequestId": str(request.pk),
            "tenantId": str(request.commercial_tenant_id),
            "action": "review_started",
            "previousStatus": "submitted",
            "status": "in_review",
        },
    }
    assert payload["timestamp"] == message.created_at.isoformat().replace("+00:00", "Z")
    assert got.headers["webhook-id"] == message.event_id
    assert got.headers["Content-Type"] == "application/json"
    assert got.path == "/hooks/gcc"
    delivery = only_delivery()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    # Another secret does not verify it: the signature is the endpoint's.
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(got.body, got.headers)


def test_a_tampered_body_does_not_verify(registered, webhook_receiver, start_review):
    start_review()
    [got] = webhook_receiver.received
    with pytest.raises(WebhookVerificationError):
        Webhook(registered.secret).verify(got.body.replace(b"in_review", b"approved"), got.headers)


def test_a_500_is_retried_after_a_backoff_and_then_delivered(
    registered, webhook_receiver, start_review, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    webhook_receiver.answers = [500]
    start_review()

    delivery = only_delivery()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.error_text == "The endpoint answered 500."
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 30 * 0.8 - 2 <= wait <= 30 * 1.2
    # Not due yet: an early task changes nothing.
    assert webhook_delivery_send(delivery_id=delivery.pk).value == "skipped"
    assert len(webhook_receiver.received) == 1

    assert webhook_delivery_send(delivery_id=delivery.pk, now=later(delivery)).value == "delivered"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert [a.status_code for a in WebhookAttempt.objects.order_by("pk")] == [500, 200]
    # Both attempts carried the same webhook-id, each its own timestamp and signature.
    first, second = webhook_receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert reload(registered.endpoint).consecutive_failures == 0


def test_the_backoff_doubles_with_each_failure(
    registered, webhook_receiver, start_review, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_RETRY_MAX_SECONDS = 10_000
    webhook_receiver.then = 503
    start_review()
    delivery = only_delivery()
    waits = []
    for _attempt in range(3):
        due = reload(delivery).next_attempt_at
        attempt_at = due + timedelta(seconds=1)
        with time_machine.travel(attempt_at, tick=False):
            webhook_delivery_send(delivery_id=delivery.pk, now=attempt_at)
            waits.append((reload(delivery).next_attempt_at - attempt_at).total_seconds())
    # After failures 2, 3, 4: base * 2, * 4, * 8, each within the ±20 % jitter.
    for wait, factor in zip(waits, [2, 4, 8], strict=True):
        assert 10 * factor * 0.8 <= wait <= 10 * factor * 1.2


def test_after_n_failures_it_gives_up_disables_the_endpoint_and_tells_the_admin_agent(
    registered,
    organization,
    webhook_receiver,
    start_review,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    webhook_receiver.then = 500
    start_review()
    delivery = only_delivery()
    outcomes = []
    for _attempt in range(2):
        outcomes.append(webhook_delivery_send(delivery_id=delivery.pk, now=later(delivery)).value)
    assert outcomes == ["retry", "failed"]
    assert len(webhook_receiver.received) == 3

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    endpoint = reload(registered.endpoint)
    assert not endpoint.is_active
    assert endpoint.disabled_reason_text == "Disabled after 3 failed attempts in a row."
    emails = OutboxMessage.objects.filter(template="emails/webhooks/endpoint_disabled")
    admins = Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN_AGENT)
    assert sorted(e.to_email for e in emails) == sorted(m.user.email for m in admins)
    email = emails.get(to_email="ada@contoso.example")
    assert email.subject == f"Webhook endpoint disabled: {endpoint.url}"
    assert "after 3 failed delivery attempts in a row" in email.body_text
    assert f"/organization/webhooks/{endpoint.pk}/" in email.body_text

    # Disabled: a new event is not even recorded for it.
    start_review()
    assert WebhookDelivery.objects.count() == 1
    assert len(webhook_receiver.received) == 3


def test_disabling_fails_what_waits_and_the_sweep_sends_nothing_more(
    registered, organization, admin, webhook_receiver, start_review
):
    webhook_receiver.answers = [500]
    start_review()
    delivery = only_delivery()
    assert delivery.status == "pending"
    webhook_services.webhook_endpoint_set_active(
        organization=organization, actor=admin, endpoint_id=registered.endpoint.pk, active=False
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error_text) == (
        "failed",
        "Not sent: the endpoint was disabled.",
    )
    assert webhook_delivery_send(delivery_id=delivery.pk, now=later(delivery)).value == "skipped"
    assert len(webhook_receiver.received) == 1


def test_redelivery_sends_the_same_webhook_id_again_once_enabled(
    registered,
    organization,
    admin,
    webhook_receiver,
    start_review,
    django_capture_on_commit_callbacks,
):
    start_review()
    delivery = only_delivery()
    endpoint = registered.endpoint
    webhook_services.webhook_endpoint_set_active(
        organization=organization, actor=admin, endpoint_id=endpoint.pk, active=False
    )
    with pytest.raises(Exception, match="Enable the endpoint first"):
        webhook_services.webhook_delivery_redeliver(
            organization=organization, actor=admin, endpoint_id=endpoint.pk, delivery_id=delivery.pk
        )
    webhook_services.webhook_endpoint_set_active(
        organization=organization, actor=admin, endpoint_id=endpoint.pk, active=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        webhook_services.webhook_delivery_redeliver(
            organization=organization, actor=admin, endpoint_id=endpoint.pk, delivery_id=delivery.pk
        )
    first, again = webhook_receiver.received
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    assert again.body == first.body
    Webhook(registered.secret).verify(again.body, again.headers)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 2


def test_a_change_rolled_back_records_and_sends_nothing(
    registered, organization, reviewer, webhook_receiver, django_capture_on_commit_callbacks
):
    request = PartnerValidationRequestFactory(organization=organization)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        review_start(model=PartnerValidationRequest, request_id=request.pk, reviewer=reviewer)
        assert WebhookMessage.objects.count() == 1  # written with the change...
        raise RuntimeError("the change fails after the event was recorded")
    assert WebhookMessage.objects.count() == 0  # ...and gone with it
    assert WebhookDelivery.objects.count() == 0
    assert webhook_receiver.received == []


def test_only_subscribed_endpoints_of_the_organization_get_the_event(
    organization, admin, other_organization, webhook_receiver, start_review
):
    orders_only = webhook_services.webhook_endpoint_register(
        organization=organization,
        actor=admin,
        url=webhook_receiver.url + "/orders",
        description="",
        event_types=[EventType.ORDER_STATUS_CHANGED],
    )
    other_admin = agent_of(other_organization, Membership.Role.ADMIN_AGENT)
    webhook_services.webhook_endpoint_register(
        organization=other_organization,
        actor=other_admin,
        url=webhook_receiver.url + "/other",
        description="",
        event_types=ALL_EVENTS,
    )
    start_review()
    assert webhook_receiver.received == []
    assert WebhookMessage.objects.count() == 0
    assert orders_only.endpoint.deliveries.count() == 0


def test_rotation_signs_with_both_secrets_until_the_overlap_ends(
    registered, organization, admin, webhook_receiver, start_review, settings
):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 24
    old = registered.secret
    rotated = webhook_services.webhook_endpoint_rotate_secret(
        organization=organization, actor=admin, endpoint_id=registered.endpoint.pk
    )
    assert rotated.secret != old
    start_review()
    got = webhook_receiver.received[-1]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)
    Webhook(rotated.secret).verify(got.body, got.headers)

    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        start_review()
        got = webhook_receiver.received[-1]
        assert len(got.headers["webhook-signature"].split(" ")) == 1
        Webhook(rotated.secret).verify(got.body, got.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(got.body, got.headers)


def test_a_redirect_is_not_followed(registered, webhook_receiver, start_review):
    webhook_receiver.answers = [302]
    start_review()
    delivery = only_delivery()
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)
    assert delivery.error_text == "Redirects are not followed: register the URL that answers."
    assert len(webhook_receiver.received) == 1  # the Location was not called


def test_the_same_event_twice_is_one_message(registered, organization):
    from webhooks.services import webhook_event_emit

    for _twice in range(2):
        webhook_event_emit(
            organization_ids=[organization.pk],
            event_type=EventType.ORDER_STATUS_CHANGED,
            data={"orderId": "1"},
            dedupe_key="order:1:completed",
        )
    assert WebhookMessage.objects.count() == 1
    assert WebhookDelivery.objects.count() == 1


def test_one_event_is_the_many_events_recorder_with_one_event(
    registered, organization, monkeypatch
):
    from webhooks import services

    calls = []
    many = services.webhook_events_emit_many
    monkeypatch.setattr(
        services,
        "webhook_events_emit_many",
        lambda **kwargs: calls.append(kwargs) or many(**kwargs),
    )

    [message] = services.webhook_event_emit(
        organization_ids=[organization.pk],
        event_type=EventType.ORDER_STATUS_CHANGED,
        data=lambda: {"orderId": "1"},
        dedupe_key="order:1:completed",
    )

    assert [call["events"][0][0] for call in calls] == ["order:1:completed"]
    assert message.dedupe_key == f"order:1:completed:{organization.pk}"
    assert message.payload["data"] == {"orderId": "1"}
    assert WebhookDelivery.objects.get().message == message


def test_a_key_recorded_meanwhile_by_another_transaction_is_taken_not_recorded_twice(
    registered, organization, monkeypatch
):
    from webhooks import services

    # The other transaction's message, recorded after this one read the keys.
    recorded = WebhookMessage.objects.filter

    def read_then_raced(**kwargs):
        keys = list(recorded(**kwargs).values_list("dedupe_key", flat=True))
        WebhookMessage.objects.create(
            dedupe_key=f"order:1:completed:{organization.pk}",
            organization_id=organization.pk,
            event_type=EventType.ORDER_STATUS_CHANGED,
            payload={},
            created_at=timezone.now(),
        )
        return WebhookMessage.objects.none() if not keys else recorded(**kwargs)

    monkeypatch.setattr(WebhookMessage.objects, "filter", read_then_raced)
    messages = services.webhook_events_emit_many(
        organization_ids=[organization.pk],
        event_type=EventType.ORDER_STATUS_CHANGED,
        events=[("order:1:completed", {"orderId": "1"}), ("order:2:completed", {"orderId": "2"})],
    )
    monkeypatch.undo()

    assert [m.dedupe_key for m in messages] == [f"order:2:completed:{organization.pk}"]
    assert WebhookMessage.objects.count() == 2
    assert WebhookDelivery.objects.get().message == messages[0]


def test_a_receiver_that_is_down_is_retried(registered, organization, admin, start_review):
    webhook_services.webhook_endpoint_update(
        organization=organization,
        actor=admin,
        endpoint_id=registered.endpoint.pk,
        url="http://127.0.0.1:9/hooks",  # the discard port: nothing listens
        description="",
        event_types=ALL_EVENTS,
    )
    start_review()
    delivery = only_delivery()
    assert (delivery.status, delivery.last_status_code) == ("pending", None)
    assert delivery.error_text.startswith("No answer: ")
    assert (
        json.loads(json.dumps(delivery.message.payload))["type"]
        == "partner_validation.status_changed"
    )


def test_an_event_nobody_subscribed_to_costs_one_query(organization, django_assert_num_queries):
    from webhooks.services import webhook_event_emit

    with django_assert_num_queries(1):
        messages = webhook_event_emit(
            organization_ids=[organization.pk],
            event_type=EventType.ORDER_STATUS_CHANGED,
            data={"orderId": "1"},
            dedupe_key="order:1:completed",
        )
    assert messages == []
