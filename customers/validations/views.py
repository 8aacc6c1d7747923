"""Pages of customer validation requests: the partner's list, form, detail, withdraw and
document download; the customer contact's answer page (public, through the signed link)."""

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from customers.drafts import add_customer_draft, validation_initial_from_draft
from customers.links import LinkExpired, LinkInvalid
from customers.selectors import gcc_block_reason, transacting_partner_for
from gccportal.exceptions import InvalidTransition
from gccportal.forms import errors_onto_form
from gccportal.language import link_language_activate
from gccportal.ratelimits import email_post_rate_limited
from gccportal.views import (
    RequestSubmission,
    audit_trail_context,
    found_or_404,
    page_of,
    withdraw_views,
)
from partners.access import gcc_action_required, partner_member_required
from reviews.documents import document_response

from . import services
from .eligibility import (
    EligibilityTokenInvalid,
    eligibility_assess,
    eligibility_of_request,
    eligibility_summary,
    eligibility_token_make,
    eligibility_token_read,
)
from .forms import CustomerAnswerForm, CustomerValidationForm, EligibilityForm
from .models import CustomerValidationRequest
from .selectors import (
    customer_validation_document_for_org,
    customer_validation_for_info_answer_key,
    customer_validation_for_info_link,
    customer_validation_get_for_org,
    customer_validation_list_for_org,
)


@partner_member_required
def validation_list(request):
    page = page_of(request, customer_validation_list_for_org(organization=request.organization))
    return render(request, "customers/validation_list.html", {"page": page})


def validation_unavailable(request, reason: str, *, status: int = 200):
    """Why the organization can't submit customer validation requests now (the single form's
    pages and the bulk ones)."""
    return render(
        request, "customers/validation_unavailable.html", {"reason": reason}, status=status
    )


def _validation_submitted(request, validation: CustomerValidationRequest):
    messages.success(
        request,
        _(
            "The customer validation request was submitted. The GCC review team decides "
            "within two business days."
        ),
    )
    return redirect("customers:validation_detail", pk=validation.pk)


SUBMISSION = RequestSubmission(
    model=CustomerValidationRequest,
    block_reason=gcc_block_reason,
    submit=services.customer_validation_submit,
    submitted=_validation_submitted,
    unavailable=validation_unavailable,
)


# The eligibility pre-check's answers stay out of URLs (they name the customer, and a URL is
# written to the access log and the browser's history): the signed answers are kept in the
# session under a random id, and only the id travels in this query parameter, from the
# questionnaire to its result and from the result to the request form, whose hidden field
# (posted, not in a URL) carries the signed answers themselves.
CHECK_PARAMETER = "check"
CHECKS_SESSION_KEY = "eligibility_checks"
# A partner checks a few customers at a time: the oldest checks beyond these are forgotten.
CHECKS_KEPT = 20


def _check_keep(request, token: str) -> str:
    """The id under which the session keeps `token` (a new one if it holds it under none)."""
    checks = dict(request.session.get(CHECKS_SESSION_KEY, {}))
    for check_id, kept in checks.items():
        if kept == token:
            return check_id
    check_id = secrets.token_urlsafe(12)
    checks[check_id] = token
    request.session[CHECKS_SESSION_KEY] = dict(list(checks.items())[-CHECKS_KEPT:])
    return check_id


def _check_token(request, check_id: str | None) -> str | None:
    """The signed answers the session keeps under `check_id`; None when no id is given,
    EligibilityTokenInvalid when the session holds none under it (another user's, a session
    ended, a made-up id)."""
    if not check_id:
        return None
    token = request.session.get(CHECKS_SESSION_KEY, {}).get(check_id)
    if not isinstance(token, str):
        raise EligibilityTokenInvalid
    return token


def _checked_answers(request, token: str | None) -> dict | None:
    """The pre-check's answers `token` carries for the member's organization; None when there
    is no token, EligibilityTokenInvalid when it can't be read."""
    if not token:
        return None
    return eligibility_token_read(token, organization_id=request.organization.pk)


def _kept_answers(request) -> tuple[dict | None, str]:
    """The answers and signed token of the check the URL names (CHECK_PARAMETER); (None, "")
    when it names none, EligibilityTokenInvalid when they can't be read."""
    token = _check_token(request, request.GET.get(CHECK_PARAMETER))
    return _checked_answers(request, token), token or ""


def _with_check(url_name: str, check_id: str) -> str:
    return f"{reverse(url_name)}?{urlencode({CHECK_PARAMETER: check_id})}"


@gcc_action_required
def validation_eligibility(request):
    """The pre-check's questions. Valid answers → the result page (the id the session keeps
    them under in its URL); such an id in this page's URL ("Change my answers") fills the
    questions again."""
    reason = gcc_block_reason(organization=request.organization)
    if reason:
        return validation_unavailable(request, reason)
    if request.method == "POST":
        form = EligibilityForm(request.POST)
        if form.is_valid():
            token = eligibility_token_make(
                organization_id=request.organization.pk, answers=form.cleaned_data
            )
            check_id = _check_keep(request, token)
            return redirect(_with_check("customers:validation_eligibility_result", check_id))
    else:
        try:
            answers, _token = _kept_answers(request)
        except EligibilityTokenInvalid:
            answers = None
        if answers is None:
            # From Add customer (through the request form's offer): its name and domain.
            draft = validation_initial_from_draft(add_customer_draft(request.session))
            answers = {
                name: draft[name]
                for name in ("organization_legal_name", "government_domain")
                if name in draft
            }
        form = EligibilityForm(initial=answers)
    return render(request, "customers/validation_eligibility.html", {"form": form})


@gcc_action_required
@require_GET
def validation_eligibility_result(request):
    """Likely eligible or not, why, the documents the review team will ask for, and the way
    on to the request form, filled in from the answers (whatever the outcome)."""
    reason = gcc_block_reason(organization=request.organization)
    if reason:
        return validation_unavailable(request, reason)
    check_id = request.GET.get(CHECK_PARAMETER, "")
    try:
        answers, _token = _kept_answers(request)
    except EligibilityTokenInvalid:
        answers = None
    if answers is None:
        messages.error(
            request,
            _(
                "The answers of that eligibility check could not be read (changed, or older "
                "than seven days). Answer the questions again."
            ),
        )
        return redirect("customers:validation_eligibility")
    return render(
        request,
        "customers/validation_eligibility_result.html",
        {
            "eligibility": eligibility_summary(answers),
            "continue_url": _with_check("customers:validation_create", check_id),
            "change_url": _with_check("customers:validation_eligibility", check_id),
        },
    )


def _form_eligibility(request, form: CustomerValidationForm) -> tuple[dict | None, str]:
    """The pre-check the request form carries (its summary, shown above the form) and its
    token; (None, "") when it carries none or one that can't be read."""
    token = form["eligibility_answers"].value() or ""
    try:
        answers = _checked_answers(request, token)
    except EligibilityTokenInvalid:
        return None, ""
    if answers is None:
        return None, ""
    return eligibility_summary(answers), token


@gcc_action_required
def validation_create(request):
    organization = request.organization
    posted = request.method == "POST"
    form = (
        CustomerValidationForm(request.POST, request.FILES, organization=organization)
        if posted
        else None
    )
    answer = SUBMISSION.before_form(request, form)
    if answer:
        return answer
    transacting = transacting_partner_for(organization=organization)
    # Add customer's answers, when the partner came from there (customers/drafts.py).
    draft = add_customer_draft(request.session)
    check_unreadable = False
    if posted:
        answer = SUBMISSION.submit_form(request, form)
        if answer:
            return answer
    else:
        initial = {
            "commercial_tenant_id": str(transacting.commercial_tenant_id),
            **validation_initial_from_draft(draft),
        }
        try:
            answers, token = _kept_answers(request)
        except EligibilityTokenInvalid:
            check_unreadable = True
        else:
            if answers is not None:
                # The pre-check's answers over Add customer's: the partner gave them last.
                prefill = {k: v for k, v in eligibility_assess(answers).prefill.items() if v}
                initial.update(prefill, eligibility_answers=token)
        form = CustomerValidationForm(organization=organization, initial=initial)
    eligibility, token = _form_eligibility(request, form)
    return render(
        request,
        "customers/validation_form.html",
        {
            "form": form,
            "organization": organization,
            "transacting_partner": transacting,
            "add_customer_draft": bool(draft),
            "eligibility": eligibility,
            "eligibility_change_url": (
                _with_check("customers:validation_eligibility", _check_keep(request, token))
                if token
                else ""
            ),
            "eligibility_check_unreadable": check_unreadable,
        },
    )


def _validation_for_org(request, pk: int) -> CustomerValidationRequest:
    return found_or_404(
        customer_validation_get_for_org, organization=request.organization, request_id=pk
    )


@partner_member_required
def validation_detail(request, pk: int):
    validation = _validation_for_org(request, pk)
    return render(
        request,
        "customers/validation_detail.html",
        {
            "validation": validation,
            "code": getattr(validation, "validation_code", None),
            "documents": validation.documents.all(),
            "eligibility": eligibility_of_request(validation),
            "add_customer_draft": bool(add_customer_draft(request.session)),
            **audit_trail_context(request, validation),
        },
    )


validation_withdraw_confirm, validation_withdraw = withdraw_views(
    find=_validation_for_org,
    service=services.customer_validation_withdraw,
    detail="customers:validation_detail",
    template="customers/validation_withdraw_confirm.html",
    success=_lazy("The request was withdrawn. You can submit a new one at any time."),
    guard=gcc_action_required,
)


@partner_member_required
def validation_document(request, pk: int, document_id: int):
    document = found_or_404(
        customer_validation_document_for_org,
        organization=request.organization,
        request_id=pk,
        document_id=document_id,
    )
    return document_response(document)


def _link_problem(request, problem: LinkInvalid | LinkExpired | InvalidTransition):
    """The page of an answer link that can't be used (an InvalidTransition: used already). It
    says only what happened to the link: nothing about the request."""
    if isinstance(problem, LinkExpired):
        kind = "expired"
    elif isinstance(problem, InvalidTransition):
        kind = "used"
    else:
        kind = "invalid"
    status = 404 if kind == "invalid" else 410
    return render(request, "customers/info_link_problem.html", {"kind": kind}, status=status)


def _answer_sent(request, validation: CustomerValidationRequest):
    return render(request, "customers/info_answer_done.html", {"validation": validation})


@never_cache
@email_post_rate_limited("info-answer")
def info_answer(request, token: str):
    if request.method == "POST":
        form = CustomerAnswerForm(request.POST, request.FILES)
        # A re-post of the answer already given (a retry after a timeout): the same thank-you,
        # not "this link was already used". Only the link's own request is looked at.
        try:
            replayed = customer_validation_for_info_answer_key(token=token, key=form.posted_key())
        except (LinkInvalid, LinkExpired) as exc:
            return _link_problem(request, exc)
        if replayed:
            return _answer_sent(request, replayed)
    try:
        validation = customer_validation_for_info_link(token=token)
    except (LinkInvalid, LinkExpired, InvalidTransition) as exc:
        return _link_problem(request, exc)
    link_language_activate(request, validation.contact_language)

    if request.method == "POST":
        if form.is_valid():
            try:
                services.customer_validation_answer_info(token=token, **form.cleaned_data)
            except (LinkInvalid, LinkExpired, InvalidTransition) as exc:
                return _link_problem(request, exc)
            except ValidationError as exc:
                errors_onto_form(form, exc)
            else:
                return _answer_sent(request, validation)
    else:
        form = CustomerAnswerForm()
    return render(request, "customers/info_answer.html", {"validation": validation, "form": form})
