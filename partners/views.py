from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from reviews.selectors import audit_event_list_for_subject

from . import services
from .access import gcc_action_required, partner_member_required
from .forms import InfoResponseForm, PartnerValidationForm
from .selectors import (
    organization_is_gcc_approved,
    partner_validation_answered_with_key,
    partner_validation_block_reason,
    partner_validation_for_idempotency_key,
    partner_validation_list_for_org,
    partner_validation_open_for_org,
    reseller_qualification_list,
)

PAGE_SIZE = 20


@partner_member_required
def dashboard(request):
    organization = request.organization
    return render(
        request,
        "partners/dashboard.html",
        {
            "organization": organization,
            "gcc_approved": organization_is_gcc_approved(organization=organization),
            "block_reason": partner_validation_block_reason(organization=organization),
            "open_request": partner_validation_open_for_org(organization=organization),
            "recent_requests": partner_validation_list_for_org(organization=organization)[:5],
        },
    )


@partner_member_required
def organization_profile(request):
    organization = request.organization
    return render(
        request,
        "partners/organization_profile.html",
        {
            "organization": organization,
            "qualifications": reseller_qualification_list(organization=organization),
        },
    )


@partner_member_required
def validation_list(request):
    paginator = Paginator(
        partner_validation_list_for_org(organization=request.organization), PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "partners/validation_list.html", {"page": page})


def _unavailable(request, reason: str, *, status: int = 200):
    return render(
        request,
        "partners/validation_unavailable.html",
        {
            "reason": reason,
            "open_request": partner_validation_open_for_org(organization=request.organization),
        },
        status=status,
    )


def _validation_submitted(request, validation):
    messages.success(
        request, _("Your GCC validation request was submitted. Confirmation email sent.")
    )
    return redirect("partners:validation_detail", pk=validation.pk)


@gcc_action_required
def validation_create(request):
    organization = request.organization
    if request.method == "POST":
        form = PartnerValidationForm(request.POST, organization=organization)
        # A re-post of a form already submitted (a retry after a timeout): the first post's
        # request and message, not "a request is under way". Only this organization's.
        replayed = partner_validation_for_idempotency_key(
            organization=organization, key=form.posted_key()
        )
        if replayed:
            return _validation_submitted(request, replayed)

    reason = partner_validation_block_reason(organization=organization)
    if reason:
        return _unavailable(request, reason, status=200 if request.method == "GET" else 409)

    if request.method == "POST":
        if form.is_valid():
            try:
                validation = services.partner_validation_submit(
                    organization=organization, submitted_by=request.user, **form.cleaned_data
                )
            except ActionNotAllowed as exc:
                return _unavailable(request, exc.message, status=409)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                return _validation_submitted(request, validation)
    else:
        user = request.user
        form = PartnerValidationForm(
            organization=organization,
            initial={
                "commercial_tenant_id": str(organization.commercial_tenant_id),
                "contact_name": user.get_full_name(),
                "contact_email": user.email,
            },
        )
    return render(
        request, "partners/validation_form.html", {"form": form, "organization": organization}
    )


def _validation_for_org(request, pk: int):
    # Scoped by organization: another organization's ID is simply "not found".
    return get_object_or_404(
        partner_validation_list_for_org(organization=request.organization), pk=pk
    )


@partner_member_required
def validation_detail(request, pk: int):
    validation = _validation_for_org(request, pk)
    return _render_detail(request, validation, InfoResponseForm())


def _render_detail(request, validation, answer_form, *, status: int = 200):
    return render(
        request,
        "partners/validation_detail.html",
        {
            "validation": validation,
            "events": audit_event_list_for_subject(subject=validation),
            "answer_form": answer_form,
            "member_ids": set(request.organization.memberships.values_list("user_id", flat=True)),
        },
        status=status,
    )


def _answer_sent(request, validation):
    messages.success(request, _("Thank you. Your answer was sent and the review clock restarted."))
    return redirect("partners:validation_detail", pk=validation.pk)


@gcc_action_required
@require_POST
def validation_answer(request, pk: int):
    validation = _validation_for_org(request, pk)
    form = InfoResponseForm(request.POST)
    # A re-post of the answer already given (a retry after a timeout): the first post's
    # message, not "no longer possible". The request is this organization's (else 404).
    if partner_validation_answered_with_key(request=validation, key=form.posted_key()):
        return _answer_sent(request, validation)
    if form.is_valid():
        try:
            services.partner_validation_answer_info(
                request_id=validation.pk,
                organization=request.organization,
                actor=request.user,
                **form.cleaned_data,
            )
        except InvalidTransition as exc:
            messages.error(request, exc.message)
        else:
            return _answer_sent(request, validation)
        return redirect("partners:validation_detail", pk=validation.pk)
    return _render_detail(request, validation, form, status=400)


@gcc_action_required
@require_POST
def validation_withdraw(request, pk: int):
    validation = _validation_for_org(request, pk)
    try:
        services.partner_validation_withdraw(
            request_id=validation.pk, organization=request.organization, actor=request.user
        )
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request was withdrawn. You can apply again at any time."))
    return redirect("partners:validation_detail", pk=validation.pk)
