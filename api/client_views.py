"""The Admin agent's page of API clients: create one (its token shown once), revoke one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from gccportal.forms import errors_onto_form
from gccportal.views import found_or_404, page_of
from partners.access import admin_agent_required

from . import services
from .forms import ApiClientForm
from .selectors import api_client_get_for_org, api_client_list_for_org

_admin_agent_only = admin_agent_required(
    message=_lazy("Only your organization's Admin agent can manage API clients."),
    log_reason="API clients: not the Admin agent",
)


def _render_list(request, form, *, token: str = "", status: int = 200):
    page = page_of(request, api_client_list_for_org(organization=request.organization))
    return render(
        request,
        "api/client_list.html",
        {"page": page, "form": form, "token": token},
        status=status,
    )


@_admin_agent_only
def client_list(request):
    if request.method != "POST":
        return _render_list(request, ApiClientForm())
    form = ApiClientForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form, status=400)
    try:
        created = services.api_client_create(
            organization=request.organization, actor=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        errors_onto_form(form, exc)
        return _render_list(request, form, status=400)
    # The token is shown on this response only: it is stored hashed, never again readable.
    return _render_list(request, ApiClientForm(), token=created.token, status=201)


@_admin_agent_only
@require_GET
def client_revoke_confirm(request, pk: int):
    client = found_or_404(api_client_get_for_org, organization=request.organization, pk=pk)
    if not client.is_active:
        messages.info(request, _("This client was already revoked."))
        return redirect("api_clients")
    return render(request, "api/client_revoke_confirm.html", {"client": client})


@_admin_agent_only
@require_POST
def client_revoke(request, pk: int):
    client = found_or_404(api_client_get_for_org, organization=request.organization, pk=pk)
    services.api_client_revoke(
        organization=request.organization, actor=request.user, client_id=client.pk
    )
    messages.success(
        request,
        _("%(name)s was revoked: its token no longer works.") % {"name": client.name},
    )
    return redirect("api_clients")
