from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from orders.selectors import (
    customer_is_gcc_validated,
    order_list_for_customer,
    subscription_list_for_customer,
)
from orders.views import new_customer_details, new_customer_offers
from partners.access import gcc_action_required, partner_member_required
from reviews.selectors import audit_event_list_for_subject

from . import services
from .admin import document_response
from .forms import (
    GCC,
    CustomerAnswerForm,
    CustomerForm,
    CustomerValidationForm,
    InvitationAcceptForm,
    InvitationEmailForm,
)
from .links import LinkExpired, LinkInvalid
from .models import (
    Customer,
    CustomerValidationDocument,
    CustomerValidationRequest,
    ResellerInvitation,
)
from .selectors import (
    customer_for_idempotency_key,
    customer_get_for_org,
    customer_list_for_org,
    customer_validation_document_for_org,
    customer_validation_for_idempotency_key,
    customer_validation_for_info_answer_key,
    customer_validation_for_info_link,
    customer_validation_get_for_org,
    customer_validation_list_for_org,
    gcc_block_reason,
    invitation_get_for_org,
    invitation_list_for_org,
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


def _customer_added(request, customer: Customer):
    # Said of the customer as created, so that a re-post gets the first post's message.
    if customer_is_gcc_validated(customer=customer):
        message = _("%(name)s was added with the Government community cloud qualification.")
    else:
        message = _("%(name)s was added to your customers.")
    messages.success(request, message % {"name": customer.company_name})
    return redirect("customers:customer_account", pk=customer.pk)


@gcc_action_required
def customer_create(request):
    organization = request.organization
    next_step = request.POST.get("next_step") if request.method == "POST" else None
    if next_step == "subscriptions":
        # A GCC customer and its first order: nothing is created before the last step.
        return new_customer_offers(request)
    if next_step == "edit":
        # Back from the subscriptions step: the answers (and the lines) as they were.
        return new_customer_details(request)
    if request.method == "POST":
        form = CustomerForm(request.POST, organization=organization)
        # A re-post of a form already submitted (a retry after a timeout): the customer the
        # first post created and its message, not "already a customer" (nor its code, now
        # perhaps used up, refused). Only this organization's.
        replayed = customer_for_idempotency_key(organization=organization, key=form.posted_key())
        if replayed:
            return _customer_added(request, replayed)
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
                return _customer_added(request, customer)
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
    organization = request.organization
    return render(
        request,
        "customers/customer_account.html",
        {
            "customer": customer,
            "qualification": qualification,
            "gcc_value": GCC,
            "transacting_partner": transacting_partner_for(organization=organization),
            # This partner's own orders and subscriptions only (a customer may have several).
            "subscriptions": list(
                subscription_list_for_customer(organization=organization, customer=customer)
            ),
            "orders": list(order_list_for_customer(organization=organization, customer=customer)),
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


def _validation_submitted(request, validation: CustomerValidationRequest):
    messages.success(
        request,
        _(
            "The customer validation request was submitted. The GCC review team decides "
            "within two business days."
        ),
    )
    return redirect("customers:validation_detail", pk=validation.pk)


@gcc_action_required
def validation_create(request):
    organization = request.organization
    if request.method == "POST":
        form = CustomerValidationForm(request.POST, request.FILES, organization=organization)
        # A re-post of a form already submitted (a retry after a timeout): the first post's
        # request and message, whatever the answers say now. Only this organization's.
        replayed = customer_validation_for_idempotency_key(
            organization=organization, key=form.posted_key()
        )
        if replayed:
            return _validation_submitted(request, replayed)

    reason = gcc_block_reason(organization=organization)
    if reason:
        return _unavailable(request, reason, status=200 if request.method == "GET" else 409)

    transacting = transacting_partner_for(organization=organization)
    if request.method == "POST":
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
                return _validation_submitted(request, validation)
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


def _answer_sent(request, validation: CustomerValidationRequest):
    return render(request, "customers/info_answer_done.html", {"validation": validation})


@never_cache
def info_answer(request, token: str):
    if request.method == "POST":
        form = CustomerAnswerForm(request.POST, request.FILES)
        # A re-post of the answer already given (a retry after a timeout): the same thank-you,
        # not "this link was already used". Only the link's own request is looked at.
        try:
            replayed = customer_validation_for_info_answer_key(token=token, key=form.posted_key())
        except LinkInvalid:
            return _link_problem(request, "invalid")
        except LinkExpired:
            return _link_problem(request, "expired")
        if replayed:
            return _answer_sent(request, replayed)
    try:
        validation = customer_validation_for_info_link(token=token)
    except LinkInvalid:
        return _link_problem(request, "invalid")
    except LinkExpired:
        return _link_problem(request, "expired")
    except InvalidTransition:
        return _link_problem(request, "used")

    if request.method == "POST":
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
                return _answer_sent(request, validation)
    else:
        form = CustomerAnswerForm()
    return render(request, "customers/info_answer.html", {"validation": validation, "form": form})


# -- reseller-relationship requests -----------------------------------------------------------


def _invitation_for_org(request, pk: int) -> ResellerInvitation:
    # Scoped by organization: another organization's ID is simply "not found".
    try:
        return invitation_get_for_org(organization=request.organization, invitation_id=pk)
    except ResellerInvitation.DoesNotExist as exc:
        raise Http404 from exc


def _mailto(*, subject: str, body: str) -> str:
    """A mailto: URL with the draft (RFC 6068: no recipient, CRLF line breaks, all encoded).

    invitations.js rebuilds it as the partner edits the text; `safe` leaves unencoded exactly
    what its encodeURIComponent does, so both give the same URL.
    """

    def encode(text: str) -> str:
        return quote(text.replace("\r\n", "\n").replace("\n", "\r\n"), safe="!'()*")

    return f"mailto:?subject={encode(subject)}&body={encode(body)}"


@partner_member_required
def invitation_list(request):
    paginator = Paginator(invitation_list_for_org(organization=request.organization), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    transacting = transacting_partner_for(organization=request.organization)
    return render(
        request,
        "customers/invitation_list.html",
        {
            "page": page,
            "provider": transacting if transacting.pk != request.organization.pk else None,
        },
    )


@gcc_action_required
@require_POST
def invitation_create(request):
    invitation = services.invitation_create(
        organization=request.organization, created_by=request.user
    )
    return redirect("customers:invitation_detail", pk=invitation.pk)


@partner_member_required
def invitation_detail(request, pk: int):
    if request.method == "POST":
        return _invitation_done(request, pk)
    invitation = _invitation_for_org(request, pk)
    form = None
    if (
        invitation.status == ResellerInvitation.Status.DRAFT
        and request.membership.can_take_gcc_actions
    ):
        form = InvitationEmailForm(initial={"subject": invitation.subject, "body": invitation.body})
    return _invitation_page(request, invitation, form)


@gcc_action_required
def _invitation_done(request, pk: int):
    """Done: the partner sent the email (possibly edited) and the link starts working."""
    invitation = _invitation_for_org(request, pk)
    form = InvitationEmailForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_send(
                invitation_id=invitation.pk,
                organization=request.organization,
                actor=request.user,
                **form.cleaned_data,
            )
        except InvalidTransition as exc:
            # Sent, revoked or accepted meanwhile (another tab, another agent).
            messages.error(request, exc.message)
            return redirect("customers:invitation_detail", pk=invitation.pk)
        except ValidationError as exc:
            _errors_onto_form(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The request is recorded as sent. Its link works for %(days)s days, once; "
                    "you'll receive an email when the customer accepts."
                )
                % {"days": settings.INVITATION_VALID_DAYS},
            )
            return redirect("customers:invitation_detail", pk=invitation.pk)
    return _invitation_page(request, invitation, form)


def _invitation_page(request, invitation: ResellerInvitation, form):
    if form is not None and form.is_bound:
        # The text as edited, so that "Open in mail app" sends what the partner sees.
        subject, body = form.data.get("subject", ""), form.data.get("body", "")
    else:
        subject, body = invitation.subject, invitation.body
    return render(
        request,
        "customers/invitation_detail.html",
        {
            "invitation": invitation,
            "form": form,
            "link": services.invitation_link(invitation),
            "mailto": _mailto(subject=subject, body=body),
            "valid_days": settings.INVITATION_VALID_DAYS,
            "events": audit_event_list_for_subject(subject=invitation),
            "member_ids": set(request.organization.memberships.values_list("user_id", flat=True)),
        },
    )


@gcc_action_required
@require_POST
def invitation_revoke(request, pk: int):
    invitation = _invitation_for_org(request, pk)
    try:
        services.invitation_revoke(
            invitation_id=invitation.pk, organization=request.organization, actor=request.user
        )
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Request #%(pk)s was revoked: its link no longer works.") % {"pk": pk}
        )
    # Back to the page the button was on (the list or the request), never elsewhere.
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("customers:invitation_detail", pk=invitation.pk)


# -- the customer's acceptance (public, through the personalized link) -------------------


def _invitation_problem(request, reason: str):
    # Each page says only what happened to the link: never the partner nor the customer.
    status = 404 if reason == "invalid" else 410
    return render(
        request, "customers/invitation_link_problem.html", {"reason": reason}, status=status
    )


@never_cache
def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_for_token(token=token)
    except LinkInvalid:
        return _invitation_problem(request, "invalid")
    except services.InvitationUnavailable as exc:
        return _invitation_problem(request, exc.reason)

    if request.method == "POST":
        form = InvitationAcceptForm(request.POST)
        if form.is_valid():
            try:
                # Step one: a confirmation link goes to the person's mailbox at the domain.
                services.invitation_confirmation_send(token=token, **form.cleaned_data)
            except LinkInvalid:
                return _invitation_problem(request, "invalid")
            except services.InvitationUnavailable as exc:
                # Accepted, revoked or expired between the page and the click.
                return _invitation_problem(request, exc.reason)
            except ValidationError as exc:
                _errors_onto_form(form, exc)
            else:
                return render(
                    request,
                    "customers/invitation_check_email.html",
                    {"invitation": invitation, "email": form.cleaned_data["accepted_by_email"]},
                )
    else:
        form = InvitationAcceptForm()
    return render(
        request, "customers/invitation_accept.html", {"invitation": invitation, "form": form}
    )


@never_cache
def invitation_confirm(request, token: str):
    """Step two (public): the person opened the link mailed to them, and accepts."""
    try:
        invitation_token, answers = services.invitation_confirmation_read(token=token)
        invitation = services.invitation_for_token(token=invitation_token)
    except LinkExpired:
        return _invitation_problem(request, "confirmation_expired")
    except LinkInvalid:
        return _invitation_problem(request, "invalid")
    except services.InvitationUnavailable as exc:
        return _invitation_problem(request, exc.reason)
    if request.method == "POST":
        try:
            result = services.invitation_accept(token=invitation_token, **answers)
        except services.InvitationUnavailable as exc:
            return _invitation_problem(request, exc.reason)
        except (LinkInvalid, ValidationError):
            return _invitation_problem(request, "invalid")
        return render(
            request,
            "customers/invitation_accept_done.html",
            {"invitation": result.invitation, "already_reseller": result.already_reseller},
        )
    return render(
        request,
        "customers/invitation_confirm.html",
        {"invitation": invitation, "answers": answers},
    )
