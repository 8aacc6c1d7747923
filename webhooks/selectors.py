"""Reads of webhook endpoints and their delivery logs, scoped to the organization."""

from django.db.models import QuerySet

from .models import WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list_for_org(*, organization) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organization=organization).order_by("-created_at", "-pk")


def webhook_endpoint_get_for_org(*, organization, pk: int) -> WebhookEndpoint:
    """The organization's endpoint; DoesNotExist for another organization's (a 404)."""
    return WebhookEndpoint.objects.get(organization=organization, pk=pk)


def webhook_delivery_log(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first (index `webhook_delivery_log_idx`), each with
    its message; a page of them is what the endpoint page shows."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("message")
        .order_by("-created_at", "-pk")
    )


def webhook_delivery_get_for_org(*, organization, endpoint_id: int, pk: int) -> WebhookDelivery:
    return WebhookDelivery.objects.select_related("endpoint", "message").get(
        pk=pk, endpoint_id=endpoint_id, endpoint__organization=organization
    )
