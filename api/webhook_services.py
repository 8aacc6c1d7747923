"""Webhook endpoints, managed by the organization's Admin agent: register, change, rotate the
secret, disable or enable, delete, redeliver. The ledger, the signing and the delivery are
`webhooks/`'s; here are who may do what, and the audit trail."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gccportal.exceptions import ActionNotAllowed
from partners.models import Organization
from partners.services import admin_agent_require
from reviews.services import audit_event_record
from webhooks.events import EventType
from webhooks.models import WebhookDelivery, WebhookEndpoint, signing_secret_new
from webhooks.problems import problem
from webhooks.services import (
    webhook_delivery_restart,
    webhook_endpoint_deactivate,
    webhook_endpoint_reactivate,
)
from webhooks.targets import url_problem

# An organization's endpoints, enabled or not: enough for one per tool and environment.
MAX_ENDPOINTS = 10


def _admin_agent_require(*, organization: Organization, actor) -> None:
    admin_agent_require(
        organization=organization,
        actor=actor,
        message=_("Only your organization's Admin agent can manage webhooks."),
    )


def _audit(endpoint: WebhookEndpoint, *, actor, action: str, note: str = "") -> None:
    audit_event_record(
        subject=endpoint,
        organization=endpoint.organization,
        actor=actor,
        action=action,
        note=note,
    )


def _cleaned(
    *, organization: Organization, url: str, event_types, exclude_pk: int | None = None
) -> tuple[str, list[str]]:
    """The URL and events as stored, or a ValidationError naming the field."""
    url = (url or "").strip()
    errors = {}
    problem = url_problem(url) if url else _("Enter the URL that receives the events.")
    if problem:
        errors["url"] = problem
    elif (
        WebhookEndpoint.objects.filter(organization=organization, url=url)
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["url"] = _("This URL is registered already; change that endpoint instead.")
    asked = set(event_types or ())
    chosen = [value for value in EventType.values if value in asked]
    if not chosen or len(chosen) != len(asked):
        errors["event_types"] = _("Choose at least one of the events offered.")
    if errors:
        raise ValidationError(errors)
    return url, chosen


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once, when made or rotated


@transaction.atomic
def webhook_endpoint_register(
    *, organization: Organization, actor, url: str, description: str, event_types
) -> NewEndpoint:
    _admin_agent_require(organization=organization, actor=actor)
    # One registration at a time per organization: the limit holds under concurrent posts.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    if WebhookEndpoint.objects.filter(organization=organization).count() >= MAX_ENDPOINTS:
        raise ValidationError(
            _("Your organization has %(count)s endpoints, the most it can have; delete one first.")
            % {"count": MAX_ENDPOINTS}
        )
    url, chosen = _cleaned(organization=organization, url=url, event_types=event_types)
    secret = signing_secret_new()
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        description=(description or "").strip()[:200],
        event_types=chosen,
        secret=secret,
        created_by=actor,
    )
    _audit(endpoint, actor=actor, action="webhook_endpoint_registered", note=url)
    return NewEndpoint(endpoint=endpoint, secret=secret)


def _locked(*, organization: Organization, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(
        organization=organization, pk=endpoint_id
    )
    endpoint.organization = organization
    return endpoint


@transaction.atomic
def webhook_endpoint_update(
    *, organization: Organization, actor, endpoint_id: int, url: str, description: str, event_types
) -> WebhookEndpoint:
    """A new URL or events apply to events from now on; deliveries already recorded keep
    going to the endpoint as it was registered when they were made."""
    _admin_agent_require(organization=organization, actor=actor)
    endpoint = _locked(organization=organization, endpoint_id=endpoint_id)
    url, chosen = _cleaned(
        organization=organization, url=url, event_types=event_types, exclude_pk=endpoint.pk
    )
    endpoint.url = url
    endpoint.description = (description or "").strip()[:200]
    endpoint.event_types = chosen
    endpoint.save(update_fields=["url", "description", "event_types", "updated_at"])
    _audit(endpoint, actor=actor, action="webhook_endpoint_changed", note=url)
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(
    *, organization: Organization, actor, endpoint_id: int
) -> NewEndpoint:
    """A new secret signs from now on; the previous one signs too for
    `WEBHOOK_SECRET_OVERLAP_HOURS`, so the receiver can switch without losing an event."""
    _admin_agent_require(organization=organization, actor=actor)
    endpoint = _locked(organization=organization, endpoint_id=endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(
        hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS
    )
    endpoint.secret = signing_secret_new()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    _audit(endpoint, actor=actor, action="webhook_secret_rotated")
    return NewEndpoint(endpoint=endpoint, secret=endpoint.secret)


@transaction.atomic
def webhook_endpoint_set_active(
    *, organization: Organization, actor, endpoint_id: int, active: bool
) -> WebhookEndpoint:
    """Disable (its waiting deliveries fail, and can be redelivered later) or enable again
    (its count of failures in a row starts over). Twice is the same as once."""
    _admin_agent_require(organization=organization, actor=actor)
    endpoint = _locked(organization=organization, endpoint_id=endpoint_id)
    if endpoint.is_active == active:
        return endpoint
    if active:
        webhook_endpoint_reactivate(endpoint=endpoint)
        _audit(endpoint, actor=actor, action="webhook_endpoint_enabled")
    else:
        webhook_endpoint_deactivate(
            endpoint=endpoint,
            reason=problem("disabled_by", actor.get_full_name() or actor.email),
        )
        _audit(endpoint, actor=actor, action="webhook_endpoint_disabled")
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, organization: Organization, actor, endpoint_id: int) -> str:
    """The endpoint and its delivery log are deleted; returns its URL."""
    _admin_agent_require(organization=organization, actor=actor)
    endpoint = _locked(organization=organization, endpoint_id=endpoint_id)
    url = endpoint.url
    _audit(endpoint, actor=actor, action="webhook_endpoint_deleted", note=url)
    endpoint.delete()
    return url


@transaction.atomic
def webhook_delivery_redeliver(
    *, organization: Organization, actor, endpoint_id: int, delivery_id: int
) -> WebhookDelivery:
    """A delivery sent again from its first attempt, with the same `webhook-id` (a receiver
    that got it before can tell). The endpoint must be enabled."""
    _admin_agent_require(organization=organization, actor=actor)
    endpoint = _locked(organization=organization, endpoint_id=endpoint_id)
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("message")
        .get(endpoint=endpoint, pk=delivery_id)
    )
    if not endpoint.is_active:
        raise ActionNotAllowed(
            _("Enable the endpoint first: nothing is sent to it while disabled.")
        )
    if delivery.status in (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING):
        raise ActionNotAllowed(_("This event is being delivered already; wait for its outcome."))
    webhook_delivery_restart(delivery=delivery)
    _audit(
        endpoint,
        actor=actor,
        action="webhook_redelivered",
        note=f"{delivery.message.event_type} {delivery.message.event_id}",
    )
    return delivery
