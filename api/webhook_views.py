"""The Admin agent's webhook pages: endpoints, each with its delivery log; a secret is shown
once (after registering or rotating), redeliveries, disable / enable, delete."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from gccportal.exceptions import ServiceError
from gccportal.forms import errors_onto_form
from gccportal.views import found_or_404, page_of
from partners.access import admin_agent_required
from webhooks.selectors import (
    webhook_delivery_get_for_org,
    webhook_delivery_log,
    webhook_endpoint_get_for_org,
    webhook_endpoint_list_for_org,
)

from . import webhook_services as services
from .forms import WebhookEndpointForm

_admin_agent_only = admin_agent_required(
    message=_lazy("Only your organization's Admin agent can manage webhooks."),
    log_reason="webhooks: not the Admin agent",
)

# The session key of a secret to show once, on the next view of its endpoint's page.
SECRET_ONCE = "webhook_secret_once"  # noqa: S105 (a session key)


def _endpoint(request, pk: int):
    return found_or_404(webhook_endpoint_get_for_org, organization=request.organization, pk=pk)


def _delivery(request, pk: int, delivery_pk: int):
    return found_or_404(
        webhook_delivery_get_for_org,
        organization=request.organization,
        endpoint_id=pk,
        pk=delivery_pk,
    )


def _show_secret_once(request, endpoint_id: int, secret: str) -> None:
    request.session[SECRET_ONCE] = {"endpoint": endpoint_id, "secret": secret}


@_admin_agent_only
@require_GET
def endpoint_list(request):
    page = page_of(request, webhook_endpoint_list_for_org(organization=request.organization))
    return render(
        request,
        "api/webhook_list.html",
        {"page": page, "max_endpoints": services.MAX_ENDPOINTS},
    )


@_admin_agent_only
def endpoint_add(request):
    if request.method != "POST":
        return render(request, "api/webhook_form.html", {"form": WebhookEndpointForm()})
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            created = services.webhook_endpoint_register(
                organization=request.organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            _show_secret_once(request, created.endpoint.pk, created.secret)
            messages.success(request, _("The endpoint was added."))
            return redirect("webhook_endpoint_detail", created.endpoint.pk)
    return render(request, "api/webhook_form.html", {"form": form}, status=400)


@_admin_agent_only
@require_GET
def endpoint_detail(request, pk: int):
    endpoint = _endpoint(request, pk)
    once = request.session.get(SECRET_ONCE)
    secret = ""
    if once and once.get("endpoint") == endpoint.pk:
        secret = once["secret"]
        del request.session[SECRET_ONCE]
    page = page_of(request, webhook_delivery_log(endpoint=endpoint))
    return render(
        request,
        "api/webhook_detail.html",
        {"endpoint": endpoint, "page": page, "secret": secret},
    )


@_admin_agent_only
def endpoint_edit(request, pk: int):
    endpoint = _endpoint(request, pk)
    submit = _("Save changes")
    if request.method != "POST":
        form = WebhookEndpointForm(
            initial={
                "url": endpoint.url,
                "description": endpoint.description,
                "event_types": endpoint.event_types,
            },
            submit=submit,
        )
        return render(request, "api/webhook_form.html", {"form": form, "endpoint": endpoint})
    form = WebhookEndpointForm(request.POST, submit=submit)
    if form.is_valid():
        try:
            services.webhook_endpoint_update(
                organization=request.organization,
                actor=request.user,
                endpoint_id=endpoint.pk,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("The endpoint was saved."))
            return redirect("webhook_endpoint_detail", endpoint.pk)
    return render(
        request, "api/webhook_form.html", {"form": form, "endpoint": endpoint}, status=400
    )


@_admin_agent_only
def endpoint_rotate(request, pk: int):
    endpoint = _endpoint(request, pk)
    if request.method != "POST":
        return render(
            request,
            "api/webhook_rotate_confirm.html",
            {"endpoint": endpoint, "overlap_hours": settings.WEBHOOK_SECRET_OVERLAP_HOURS},
        )
    rotated = services.webhook_endpoint_rotate_secret(
        organization=request.organization, actor=request.user, endpoint_id=endpoint.pk
    )
    _show_secret_once(request, endpoint.pk, rotated.secret)
    messages.success(request, _("A new signing secret was made."))
    return redirect("webhook_endpoint_detail", endpoint.pk)


@_admin_agent_only
@require_POST
def endpoint_set_active(request, pk: int, active: bool):
    endpoint = _endpoint(request, pk)
    services.webhook_endpoint_set_active(
        organization=request.organization,
        actor=request.user,
        endpoint_id=endpoint.pk,
        active=active,
    )
    if active:
        messages.success(request, _("The endpoint is enabled: new events are sent to it."))
    else:
        messages.success(request, _("The endpoint is disabled: nothing is sent to it."))
    return redirect("webhook_endpoint_detail", endpoint.pk)


@_admin_agent_only
def endpoint_delete(request, pk: int):
    endpoint = _endpoint(request, pk)
    if request.method != "POST":
        return render(request, "api/webhook_delete_confirm.html", {"endpoint": endpoint})
    url = services.webhook_endpoint_delete(
        organization=request.organization, actor=request.user, endpoint_id=endpoint.pk
    )
    messages.success(request, _("%(url)s was deleted.") % {"url": url})
    return redirect("webhook_endpoints")


@_admin_agent_only
@require_GET
def delivery_detail(request, pk: int, delivery_pk: int):
    delivery = _delivery(request, pk, delivery_pk)
    return render(
        request,
        "api/webhook_delivery.html",
        {
            "endpoint": delivery.endpoint,
            "delivery": delivery,
            "attempts": delivery.attempt_log.all()[:50],
            "payload": json.dumps(delivery.message.payload, indent=2, ensure_ascii=False),
        },
    )


@_admin_agent_only
@require_POST
def delivery_redeliver(request, pk: int, delivery_pk: int):
    delivery = _delivery(request, pk, delivery_pk)
    try:
        services.webhook_delivery_redeliver(
            organization=request.organization,
            actor=request.user,
            endpoint_id=pk,
            delivery_id=delivery.pk,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(event)s is being sent again, with the same webhook-id.")
            % {"event": delivery.message.event_id},
        )
    return redirect("webhook_endpoint_detail", pk)
