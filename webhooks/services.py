"""The webhook ledger: events written in the transaction of the change, delivered after it.

`webhook_event_emit` is called by the services whose changes integrations follow (the
review moves of a request, an order's or an invitation's moves through
`reviews.services.transition_audit`; a validation code issued or used). It writes one
`WebhookMessage` per organization with an endpoint subscribed to the event, and one
`WebhookDelivery` per such endpoint, in the caller's transaction: a change that rolls back
sends nothing, and one that commits is delivered even if the broker or the worker is down
then (the sweep dispatches what is due).

`webhook_delivery_send` is one attempt, the outbox's shape: claim the delivery (pending →
sending, with a lease, committed), sign and POST with no transaction or lock open, then
record the attempt: a 2xx → delivered; anything else → pending again after an exponential
backoff, until `WEBHOOK_MAX_ATTEMPTS`, then failed. Failed attempts in a row are counted on
the endpoint; at `WEBHOOK_DISABLE_AFTER_FAILURES` it is disabled, its waiting deliveries
fail, and its organization's Admin agents get an email. Signatures follow the Standard
Webhooks specification (`standardwebhooks`): `webhook-id` (the message's, the same on every
attempt and redelivery, so a receiver can drop a duplicate), `webhook-timestamp` (the
attempt's), `webhook-signature` (one `v1,` signature per valid secret: after a rotation the
previous secret signs too, for a while).
"""

import json
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from enum import StrEnum

import urllib3
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from standardwebhooks.webhooks import Webhook

from gccportal.broker import task_publish_many
from gccportal.inserts import rows_insert_new
from jobs.backoff import backoff_seconds as jobs_backoff_seconds
from notifications.services import email_enqueue

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from .problems import problem
from .targets import TargetRefused, post

logger = logging.getLogger(__name__)

SWEEP_PUBLISH_DEADLINE_SECONDS = 60.0
USER_AGENT = "GCCPortal-Webhooks/1.0"
UNSETTLED = [WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING]


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # not claimable: settled, not due, or another worker holds it


# -- emitting ------------------------------------------------------------------------------


def webhook_payload(*, event_type: str, data: dict, occurred_at) -> dict:
    """The Standard Webhooks payload: `type`, `timestamp` (of the change), `data`."""
    return {
        "type": event_type,
        "timestamp": occurred_at.isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def webhook_event_emit(
    *,
    organization_ids: Iterable[int],
    event_type: str,
    data: dict | Callable[[], dict],
    dedupe_key: str,
) -> list[WebhookMessage]:
    """Record the event for each organization with an active endpoint subscribed to it; must
    run inside the transaction of the change. The same `dedupe_key` again records nothing.
    `data` may be a function that builds the event's data: it is called only when an
    endpoint wants the event, so a change nobody subscribed to costs one query, whatever its
    data would have read."""
    return webhook_events_emit_many(
        organization_ids=organization_ids, event_type=event_type, events=[(dedupe_key, data)]
    )


def webhook_events_emit_many(
    *,
    organization_ids: Iterable[int],
    event_type: str,
    events: list[tuple[str, dict | Callable[[], dict]]],
) -> list[WebhookMessage]:
    """Record each of `events` (its dedupe key and data) for each organization with an active
    endpoint subscribed to `event_type`, in the same number of queries whatever their number:
    a batch of changes (a bulk submission) is one read of the endpoints, one of the keys
    already recorded and one insert of each kind. Must run inside the transaction of the
    changes. A key recorded before records nothing; an event's data (a function: called only
    when an endpoint wants the event) is built once for all its organizations."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            organization_id__in=set(organization_ids), is_active=True
        ).only("pk", "organization_id", "event_types")
        if event_type in endpoint.event_types
    ]
    if not endpoints or not events:
        return []
    recipients = sorted({endpoint.organization_id for endpoint in endpoints})
    keyed = {
        f"{key}:{organization_id}"[:200]: (organization_id, index)
        for index, (key, _data) in enumerate(events)
        for organization_id in recipients
    }
    recorded = set(
        WebhookMessage.objects.filter(dedupe_key__in=list(keyed)).values_list(
            "dedupe_key", flat=True
        )
    )
    now = timezone.now()
    payloads = {}

    def payload(index: int) -> dict:
        if index not in payloads:
            data = events[index][1]
            payloads[index] = webhook_payload(
                event_type=event_type, data=data() if callable(data) else data, occurred_at=now
            )
        return payloads[index]

    new = [
        WebhookMessage(
            dedupe_key=dedupe_key,
            organization_id=organization_id,
            event_type=event_type,
            payload=payload(index),
            created_at=now,
        )
        for dedupe_key, (organization_id, index) in keyed.items()
        if dedupe_key not in recorded
    ]
    # A key another transaction recorded since they were read is its message: left out.
    messages = rows_insert_new(
        WebhookMessage,
        new,
        key="dedupe_key",
        fields=("organization_id", "event_type", "payload", "created_at"),
    )
    grace = now + timedelta(seconds=settings.WEBHOOK_REDISPATCH_AFTER_SECONDS)
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint, message=message, next_attempt_at=grace, created_at=now
            )
            for message in messages
            for endpoint in endpoints
            if endpoint.organization_id == message.organization_id
        ]
    )
    if deliveries:
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: webhook_deliveries_dispatch(delivery_ids=ids))
    return messages


def webhook_deliveries_dispatch(*, delivery_ids: list[int], deadline: float | None = None) -> int:
    """Queue one send task per delivery; a broker that is down is logged, not raised (the
    sweep dispatches the rest)."""
    from .tasks import webhook_delivery_send_task

    return task_publish_many(
        webhook_delivery_send_task, [(pk,) for pk in delivery_ids], deadline=deadline
    )


# -- sending -------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    return jobs_backoff_seconds(
        attempts,
        base=settings.WEBHOOK_RETRY_BASE_SECONDS,
        cap=settings.WEBHOOK_RETRY_MAX_SECONDS,
    )


def _fail(delivery: WebhookDelivery, *, now, reason: str) -> None:
    delivery.status = WebhookDelivery.Status.FAILED
    delivery.failed_at = now
    delivery.last_error = reason[:500]
    delivery.save(update_fields=["status", "failed_at", "last_error"])


def _claim(*, delivery_id: int, now) -> WebhookDelivery | None:
    """pending (first try, or due) or sending with an expired lease → sending; committed."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "message")
            .filter(pk=delivery_id, status__in=UNSETTLED)
            .first()
        )
        if delivery is None:
            return None
        waits = delivery.status == WebhookDelivery.Status.SENDING or delivery.attempts > 0
        if waits and delivery.next_attempt_at > now:
            return None
        if not delivery.endpoint.is_active:
            _fail(delivery, now=now, reason=problem("endpoint_disabled"))
            return None
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            _fail(delivery, now=now, reason=problem("gave_up", delivery.attempts))
            return None
        delivery.status = WebhookDelivery.Status.SENDING
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=settings.WEBHOOK_SEND_LEASE_SECONDS)
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        return delivery


def signed_headers(*, endpoint: WebhookEndpoint, message: WebhookMessage, body: str, now) -> dict:
    """The Standard Webhooks headers of one attempt (its own timestamp), signed with every
    secret the endpoint has now."""
    signatures = [
        Webhook(secret).sign(msg_id=message.event_id, timestamp=now, data=body)
        for secret in endpoint.signing_secrets(now=now)
    ]
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message.event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def message_body(message: WebhookMessage) -> str:
    return json.dumps(message.payload, separators=(",", ":"), ensure_ascii=False)


def webhook_delivery_send(*, delivery_id: int, now=None) -> Outcome:
    """Make one attempt at a delivery, if it is claimable; returns what happened."""
    now = now or timezone.now()
    delivery = _claim(delivery_id=delivery_id, now=now)
    if delivery is None:
        return Outcome.SKIPPED
    lease_until = delivery.next_attempt_at
    body = message_body(delivery.message)
    headers = signed_headers(
        endpoint=delivery.endpoint, message=delivery.message, body=body, now=now
    )
    status_code, excerpt, duration_ms, error = None, "", 0, ""
    try:
        response = post(delivery.endpoint.url, body=body.encode(), headers=headers)
    except TargetRefused as exc:
        error = exc.problem
    except urllib3.exceptions.HTTPError as exc:
        error = problem("no_answer", type(exc).__name__)
        logger.info("Webhook delivery %s: %s", delivery.pk, exc)
    except OSError as exc:
        error = problem("no_answer", exc.strerror or type(exc).__name__)
    else:
        status_code, excerpt, duration_ms = (
            response.status_code,
            response.excerpt,
            response.duration_ms,
        )
        if 300 <= status_code < 400:
            error = problem("redirect", status_code)
        elif not 200 <= status_code < 300:
            error = problem("http_status", status_code)
    return _record(
        delivery_id=delivery.pk,
        lease_until=lease_until,
        status_code=status_code,
        excerpt=excerpt,
        duration_ms=duration_ms,
        error=error,
    )


def _record(
    *, delivery_id: int, lease_until, status_code, excerpt: str, duration_ms: int, error: str
) -> Outcome:
    """Log the attempt and settle the delivery, unless the lease was lost to another worker."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(
                pk=delivery_id, status=WebhookDelivery.Status.SENDING, next_attempt_at=lease_until
            )
            .first()
        )
        if delivery is None:
            logger.warning("Webhook delivery %s: lease lost before the outcome", delivery_id)
            return Outcome.SKIPPED
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status_code=status_code,
            error=error[:500],
            response_excerpt=excerpt[:500],
            duration_ms=duration_ms,
        )
        delivery.last_status_code = status_code
        delivery.last_error = error[:500]
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        if not error:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.save(
                update_fields=["status", "delivered_at", "last_status_code", "last_error"]
            )
            if endpoint.consecutive_failures:
                endpoint.consecutive_failures = 0
                endpoint.save(update_fields=["consecutive_failures", "updated_at"])
            return Outcome.DELIVERED
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            outcome = Outcome.FAILED
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.failed_at = now
        else:
            outcome = Outcome.RETRY
            delivery.status = WebhookDelivery.Status.PENDING
            delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
        delivery.save(
            update_fields=[
                "status",
                "failed_at",
                "next_attempt_at",
                "last_status_code",
                "last_error",
            ]
        )
        endpoint.consecutive_failures += 1
        endpoint.save(update_fields=["consecutive_failures", "updated_at"])
        if endpoint.is_active and (
            endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
        ):
            _endpoint_disable_for_failures(endpoint, now=now)
        return outcome


def _alert_recipients(endpoint: WebhookEndpoint) -> list:
    """The people told that an endpoint was disabled: what the apps declare
    (`webhook_alert_recipients` on an AppConfig, a dotted path to a function of the
    organization; partners: its Admin agents), the endpoint's creator when none is found."""
    recipients = []
    for config in apps.get_app_configs():
        path = getattr(config, "webhook_alert_recipients", None)
        if path:
            recipients += list(import_string(path)(organization=endpoint.organization))
    return recipients or [endpoint.created_by]


def _endpoint_disable_for_failures(endpoint: WebhookEndpoint, *, now) -> None:
    reason = problem("disabled_after_failures", endpoint.consecutive_failures)
    webhook_endpoint_deactivate(endpoint=endpoint, reason=reason, now=now)
    email_enqueue(
        template="emails/webhooks/endpoint_disabled",
        recipients=_alert_recipients(endpoint),
        context={
            "endpoint": endpoint,
            "failures": endpoint.consecutive_failures,
            "endpoint_path": reverse("webhook_endpoint_detail", args=[endpoint.pk]),
        },
        dedupe_key=f"webhook-disabled:{endpoint.pk}:{now.isoformat()}",
    )
    logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, reason)


def webhook_endpoint_deactivate(*, endpoint: WebhookEndpoint, reason: str, now=None) -> None:
    """Disable a *locked* endpoint: nothing more is sent to it, and its waiting deliveries
    fail with `reason` (each can be redelivered once it is enabled again)."""
    now = now or timezone.now()
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason[:300]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    endpoint.deliveries.filter(status__in=UNSETTLED).update(
        status=WebhookDelivery.Status.FAILED,
        failed_at=now,
        last_error=problem("not_sent_disabled"),
    )


def webhook_endpoint_reactivate(*, endpoint: WebhookEndpoint) -> None:
    """Enable a *locked* endpoint again, its failure count cleared."""
    endpoint.is_active = True
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.consecutive_failures = 0
    endpoint.save(
        update_fields=[
            "is_active",
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
            "updated_at",
        ]
    )


def webhook_delivery_restart(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """A *locked* delivery sent again from the start (same webhook-id); dispatched on commit."""
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.failed_at = None
    delivery.next_attempt_at = timezone.now() + timedelta(
        seconds=settings.WEBHOOK_REDISPATCH_AFTER_SECONDS
    )
    delivery.save(update_fields=["status", "attempts", "failed_at", "next_attempt_at"])
    transaction.on_commit(lambda: webhook_deliveries_dispatch(delivery_ids=[delivery.pk]))
    return delivery


def webhook_delivery_give_up(*, delivery_id: int, reason: str) -> None:
    """The task carrying this delivery kept killing its worker: stop, and show it as failed."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .filter(pk=delivery_id, status__in=UNSETTLED)
            .first()
        )
        if delivery is not None:
            _fail(delivery, now=timezone.now(), reason=reason)


# -- the sweep -----------------------------------------------------------------------------


def webhook_due_ids(*, now=None, limit: int = 500) -> list[int]:
    """Unsettled deliveries whose time has come, the most overdue first (index
    `webhook_delivery_due_idx`)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(status__in=UNSETTLED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def webhook_sweep(*, now=None) -> int:
    """Dispatch the due deliveries: lost first dispatches, retries past their backoff,
    expired leases. A duplicate task finds nothing to claim."""
    now = now or timezone.now()
    due = webhook_due_ids(now=now)
    WebhookDelivery.objects.filter(
        pk__in=due, status=WebhookDelivery.Status.PENDING, attempts=0
    ).update(next_attempt_at=now + timedelta(seconds=settings.WEBHOOK_REDISPATCH_AFTER_SECONDS))
    return webhook_deliveries_dispatch(delivery_ids=due, deadline=SWEEP_PUBLISH_DEADLINE_SECONDS)
