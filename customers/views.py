from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from partners.access import gcc_action_required, partner_member_required
from reviews.selectors import audit_event_list_for_subject

from . import services
from .admin import document_response
from .forms import GCC, CustomerAnswerForm, CustomerForm, CustomerValidationForm
from .links import LinkExpired, LinkInvalid
from .models import Customer, CustomerValidationDocument, CustomerValidationRequest
from .selectors import (
    customer_get_for_org,
    customer_list_for_org,
    customer_validation_document_for_org,
    customer_validation_for_info_link,
    customer_validation_get_for_org,
    customer_validation_list_for_org,
    gcc_block_reason,
    transacting_partner_for,
)

PAGE_SIZE = 20


def _errors_onto_form(form, exc: ValidationError) -> None:
    """A service's ValidationError, shown next to the fields it names."""
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


# -- customers -------------------------------------------------------------------------------


@partner_member_required
def customer_list(request):
    search = request.GET.get("q", "").strip()
    paginator = Paginator(
        customer_list_for_org(organization=request.organization, search=search), PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "customers/customer_list.html",
        {
            "page": page,
            "search": search,
            # Page links keep the search.
            "page_query": urlencode({"q": search}) if search else "",
        },
    )


@gcc_action_required
def customer_create(request):
    organization = request.organization
    if request.method == "POST":
        form = CustomerForm(request.POST, organization=organization)
        if form.is_valid():
            try:
                customer = services.customer_create(
                    organization=organization, created_by=request.user, **form.cleaned_data
                )
            except services.CodeExhausted as exc:
                form.add_error("gcc_validation", exc.message)
            except ActionNotAllowed as exc:
                # GCC posted although the organization may not choose it (the code menu is
                # then absent), or a code it may not use.
                field = "gcc_validation" if "gcc_validation" in form.fields else None
                form.add_error(field or "special_qualification", exc.message)
            except ValidationError as exc:
                _errors_onto_form(form, exc)
            else:
                if form.cleaned_data["special_qualification"] == GCC:
                    message = _(
                        "%(name)s was added with the Government community cloud qualification."
                    )
                else:
                    message = _("%(name)s was added to your customers.")
                messages.success(request, message % {"name": customer.company_name})
                return redirect("customers:customer_account", pk=customer.pk)
    else:
        form = CustomerForm(organization=organization)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "gcc_value": GCC},
    )


@partner_member_required
def customer_account(request, pk: int):
    try:
        customer = customer_get_for_org(organization=request.organization, customer_id=pk)
    except Customer.DoesNotExist as exc:
        # Another organization's customer is simply "not found".
        raise Http404 from exc
    qualification = next(iter(customer.qualifications.all()), None)
    return render(
        request,
        "customers/customer_account.html",
        {
            "customer": customer,
            "qualification": qualification,
            "gcc_value": GCC,
            "transacting_partner": transacting_partner_for(organization=request.organization),
        },
    )


@partner_member_required
def gcc_code_help(request):
    return render(request, "customers/gcc_code_help.html")


# -- customer validation requests --------------------------------------------------------


@partner_member_required
def validation_list(request):
    paginator = Paginator(
        customer_validation_list_for_org(organization=request.organization), PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "customers/validation_list.html", {"page": page})


def _unavailable(request, reason: str, *, status: int = 200):
    return render(
        request, "customers/validation_unavailable.html", {"reason": reason}, status=status
    )


@gcc_action_required
def validation_create(request):
    organization = request.organization
    reason = gcc_block_reason(organization=organization)
    if reason:
        return _unavailable(request, reason, status=200 if request.method == "GET" else 409)

    transacting = transacting_partner_for(organization=organization)
    if request.method == "POST":
        form = CustomerValidationForm(request.POST, request.FILES, organization=organization)
        if form.is_valid():
            try:
                validation = services.customer_validation_submit(
                    organization=organization, submitted_by=request.user, **form.cleaned_data
                )
            except ActionNotAllowed as exc:
                return _unavailable(request, exc.message, status=409)
            except ValidationError as exc:
                _errors_onto_form(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The customer validation request was submitted. The GCC review team "
                        "decides within two business days."
                    ),
                )
                return redirect("customers:validation_detail", pk=validation.pk)
    else:
        form = CustomerValidationForm(
            organization=organization,
            initial={"commercial_tenant_id": str(transacting.commercial_tenant_id)},
        )
    return render(
        request,
        "customers/validation_form.html",
        {"form": form, "organization": organization, "transacting_partner": transacting},
    )


def _validation_for_org(request, pk: int) -> CustomerValidationRequest:
    # Scoped by organization: another organization's ID is simply "not found".
    try:
        return customer_validation_get_for_org(organization=request.organization, request_id=pk)
    except CustomerValidationRequest.DoesNotExist as exc:
        raise Http404 from exc


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
            "events": audit_event_list_for_subject(subject=validation),
            "member_ids": set(request.organization.memberships.values_list("user_id", flat=True)),
        },
    )


@gcc_action_required
@require_POST
def validation_withdraw(request, pk: int):
    validation = _validation_for_org(request, pk)
    try:
        services.customer_validation_withdraw(
            request_id=validation.pk, organization=request.organization, actor=request.user
        )
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The request was withdrawn. You can submit a new one at any time.")
        )
    return redirect("customers:validation_detail", pk=validation.pk)


@partner_member_required
def validation_document(request, pk: int, document_id: int):
    try:
        document = customer_validation_document_for_org(
            organization=request.organization, request_id=pk, document_id=document_id
        )
    except CustomerValidationDocument.DoesNotExist as exc:
        raise Http404 from exc
    return document_response(document)


# -- the customer contact's answer (public, through the signed link) ---------------------


def _link_problem(request, kind: str):
    # Each page says only what happened to the link: nothing about the request.
    status = {"invalid": 404, "expired": 410, "used": 410}[kind]
    return render(request, "customers/info_link_problem.html", {"kind": kind}, status=status)


@never_cache
def info_answer(request, token: str):
    try:
        validation = customer_validation_for_info_link(token=token)
    except LinkInvalid:
        return _link_problem(request, "invalid")
    except LinkExpired:
        return _link_problem(request, "expired")
    except InvalidTransition:
        return _link_problem(request, "used")

    if request.method == "POST":
        form = CustomerAnswerForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.customer_validation_answer_info(token=token, **form.cleaned_data)
            except LinkInvalid:
                return _link_problem(request, "invalid")
            except LinkExpired:
                return _link_problem(request, "expired")
            except InvalidTransition:
                return _link_problem(request, "used")
            except ValidationError as exc:
                _errors_onto_form(form, exc)
            else:
                return render(
                    request, "customers/info_answer_done.html", {"validation": validation}
                )
    else:
        form = CustomerAnswerForm()
    return render(request, "customers/info_answer.html", {"validation": validation, "form": form})


# Placeholders of the reseller-relationship pages (being built).
def _invitation_todo(request, *args, **kwargs):
    raise Http404


invitation_list = invitation_create = invitation_detail = invitation_revoke = _invitation_todo
invitation_accept = _invitation_todo
