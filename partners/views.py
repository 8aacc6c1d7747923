from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.mfa import mfa_enabled
from gccportal.exceptions import ActionNotAllowed
from gccportal.views import (
    RequestSubmission,
    audit_trail_context,
    page_of,
    transition_and_redirect,
    withdraw_views,
)
from reviews.selectors import review_answered_with_key

from . import services
from .access import gcc_action_required, partner_member_required, request_membership
from .forms import InfoResponseForm, MfaRequirementForm, PartnerValidationForm
from .models import Membership, PartnerValidationRequest
from .selectors import (
    organization_is_gcc_approved,
    partner_validation_block_reason,
    partner_validation_list_for_org,
    partner_validation_open_for_org,
    reseller_qualification_list,
)

ANSWER_SENT = gettext_lazy("Thank you. Your answer was sent and the review clock restarted.")


def dashboard(request):
    # `/` for a reviewer (staff, no partner organization): their work is in the admin.
    if request.user.is_staff and request_membership(request) is None:
        return redirect("admin:index")
    return _partner_dashboard(request)


@partner_member_required
def _partner_dashboard(request):
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
    return _render_profile(request, MfaRequirementForm(initial=_mfa_initial(request)))


def _mfa_initial(request) -> dict:
    return {"mfa_required": request.organization.mfa_required}


def _render_profile(request, mfa_form, *, status: int = 200):
    qualifications = reseller_qualification_list(organization=request.organization)
    return render(
        request,
        "partners/organization_profile.html",
        {
            "organization": request.organization,
            "qualifications": qualifications,
            "is_admin_agent": request.membership.role == Membership.Role.ADMIN_AGENT,
            "mfa_form": mfa_form,
            "own_mfa_enabled": mfa_enabled(request.user),
        },
        status=status,
    )


@partner_member_required
@require_POST
def organization_mfa_requirement(request):
    """The Admin agent requires two-step verification of every member, or no longer."""
    form = MfaRequirementForm(request.POST)
    if not form.is_valid():  # pragma: no cover - a checkbox is always valid
        return _render_profile(request, form, status=400)
    required = form.cleaned_data["mfa_required"]
    try:
        services.organization_mfa_requirement_set(
            organization=request.organization, actor=request.user, required=required
        )
    except ActionNotAllowed as exc:
        form.add_error(None, exc.message)
        return _render_profile(request, form, status=403)
    messages.success(
        request,
        _("Two-step verification is now required for every member of your organization.")
        if required
        else _("Two-step verification is no longer required for your organization."),
    )
    return redirect("partners:organization_profile")


@partner_member_required
def validation_list(request):
    page = page_of(request, partner_validation_list_for_org(organization=request.organization))
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
    return redirect(_detail_url(validation))


SUBMISSION = RequestSubmission(
    model=PartnerValidationRequest,
    block_reason=partner_validation_block_reason,
    submit=services.partner_validation_submit,
    submitted=_validation_submitted,
    unavailable=_unavailable,
)


@gcc_action_required
def validation_create(request):
    organization = request.organization
    posted = request.method == "POST"
    form = PartnerValidationForm(request.POST, organization=organization) if posted else None
    answer = SUBMISSION.before_form(request, form)
    if answer:
        return answer
    if posted:
        answer = SUBMISSION.submit_form(request, form)
        if answer:
            return answer
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
            "answer_form": answer_form,
            **audit_trail_context(request, validation),
        },
        status=status,
    )


def _detail_url(validation) -> str:
    return reverse("partners:validation_detail", args=[validation.pk])


@gcc_action_required
@require_POST
def validation_answer(request, pk: int):
    validation = _validation_for_org(request, pk)
    form = InfoResponseForm(request.POST)
    # A re-post of the answer already given (a retry after a timeout): the first post's
    # message, not "no longer possible". The request is this organization's (else 404).
    if review_answered_with_key(request=validation, key=form.posted_key()):
        messages.success(request, ANSWER_SENT)
        return redirect(_detail_url(validation))
    if form.is_valid():
        return transition_and_redirect(
            request,
            services.partner_validation_answer_info,
            request_id=validation.pk,
            **form.cleaned_data,
            success=ANSWER_SENT,
            to=_detail_url(validation),
        )
    return _render_detail(request, validation, form, status=400)


validation_withdraw_confirm, validation_withdraw = withdraw_views(
    find=_validation_for_org,
    service=services.partner_validation_withdraw,
    detail="partners:validation_detail",
    template="partners/validation_withdraw_confirm.html",
    success=gettext_lazy("The request was withdrawn. You can apply again at any time."),
    guard=gcc_action_required,
)
