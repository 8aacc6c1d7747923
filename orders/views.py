"""Partner pages of GCC orders for an existing customer: Add subscriptions → review → submit;
for a new GCC customer: Add customer → Next: Subscriptions → review → submit (the customer
and its order created together); and the order's page.

Each view parses the post, makes one call to the services (whose rules apply whatever is
posted) and renders the result or maps the refusal to its page.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customers.forms import CustomerForm
from customers.models import Customer
from customers.selectors import customer_get_for_org
from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from gccportal.views import audit_trail_context, found_or_404, transition_and_redirect
from partners.access import gcc_action_required, partner_member_required
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD_LABEL

from . import services
from .forms import OrderLinesForm, OrderSubmitForm
from .models import Order
from .selectors import (
    OfferChoice,
    OrderPrices,
    new_gcc_customer_standing,
    offer_choice,
    offer_choice_for_customer,
    offer_list_active,
    order_for_idempotency_key,
    order_get_for_org,
    order_totals,
)

ORDER_FORM_INCOMPLETE = gettext_lazy("The order form was incomplete. Review the order again.")


def _customer_for_org(request, customer_id: int) -> Customer:
    return found_or_404(
        customer_get_for_org, organization=request.organization, customer_id=customer_id
    )


def _lines_form(request, form_class=OrderLinesForm, *, bound: bool = True) -> OrderLinesForm:
    return form_class(request.POST if bound else None, offers=offer_list_active())


def _review_page(request, context: dict, prices: OrderPrices, form: OrderLinesForm):
    return render(
        request,
        "orders/subscriptions_review.html",
        {
            **context,
            "rows": prices.rows,
            "totals": prices.totals,
            "hidden_values": form.hidden_values(),
            # One key per review: submitting this page twice finds the same order.
            "idempotency_key": uuid.uuid4(),
        },
    )


# -- an existing customer --------------------------------------------------------------------


def _offers_context(form: OrderLinesForm, choice: OfferChoice) -> dict:
    """The Add subscriptions page's offers: those of `choice`, grouped by product family."""
    form.show(choice.offers)
    return {"form": form, "choice": choice, "offer_groups": form.groups()}


def _add_page(request, customer: Customer, form: OrderLinesForm):
    choice = offer_choice_for_customer(organization=request.organization, customer=customer)
    return render(
        request,
        "orders/subscriptions_add.html",
        {"customer": customer, **_offers_context(form, choice)},
    )


def _refused(request, customer: Customer, reason: str):
    """A refusal of the gating: the reason, and nothing written."""
    return render(
        request, "orders/order_refused.html", {"customer": customer, "reason": reason}, status=403
    )


@gcc_action_required
def subscriptions_add(request, customer_id: int):
    customer = _customer_for_org(request, customer_id)
    # A POST here is "Back" from the review page: the chosen values come back as they were.
    form = _lines_form(request, bound=request.method == "POST")
    if form.is_bound:
        form.is_valid()
    return _add_page(request, customer, form)


@gcc_action_required
@require_POST
def subscriptions_review(request, customer_id: int):
    customer = _customer_for_org(request, customer_id)
    form = _lines_form(request)
    if not form.is_valid():
        return _add_page(request, customer, form)
    try:
        prices = services.order_review(
            organization=request.organization, customer=customer, lines=form.lines()
        )
    except ActionNotAllowed as exc:
        return _refused(request, customer, exc.message)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _add_page(request, customer, form)
    return _review_page(request, {"customer": customer}, prices, form)


@gcc_action_required
@require_POST
def order_submit(request, customer_id: int):
    form = _lines_form(request, OrderSubmitForm)
    if not form.is_valid():
        if form.has_error("idempotency_key"):
            messages.error(request, ORDER_FORM_INCOMPLETE)
        return _add_page(request, _customer_for_org(request, customer_id), form)
    try:
        # The service finds the customer among the organization's.
        order = services.order_place(
            organization=request.organization,
            created_by=request.user,
            customer_id=customer_id,
            lines=form.lines(),
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except services.CustomerNotManaged as exc:
        raise Http404 from exc
    except ActionNotAllowed as exc:
        return _refused(request, _customer_for_org(request, customer_id), exc.message)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _add_page(request, _customer_for_org(request, customer_id), form)
    messages.success(
        request,
        _(
            "Order #%(pk)s was submitted for %(customer)s. Its subscriptions are being "
            "provisioned; the confirmation goes to you by email."
        )
        % {"pk": order.pk, "customer": order.customer.company_name},
    )
    return redirect("orders:order_detail", pk=order.pk)


# -- a new GCC customer and its first order ------------------------------------------------


def _customer_form(request) -> CustomerForm:
    """The Add customer answers posted on a step of Next: Subscriptions, with a fresh key.

    Hidden fields are never trusted: the answers are parsed on every step, and each step's
    service checks them again. The Add customer form's own key doesn't travel with the
    answers: on the review page that name holds the order's key, which makes the new customer
    and its order one submit. A key is still needed for a plain Add customer from the page
    when it is shown again.
    """
    data = request.POST.copy()
    data["idempotency_key"] = str(uuid.uuid4())
    return CustomerForm(data, organization=request.organization)


def _posted_values(request, names) -> list[tuple[str, str]]:
    """(name, value) of the posted fields among `names`, to carry to the next page."""
    return [(name, request.POST[name]) for name in names if request.POST.get(name, "") != ""]


def _customer_values(request, form: CustomerForm) -> list[tuple[str, str]]:
    # Not the form's own key (see _customer_form).
    return _posted_values(request, [name for name in form.fields if name != "idempotency_key"])


def _line_values(request) -> list[tuple[str, str]]:
    return _posted_values(
        request, [name for name in request.POST if name.startswith(("quantity_", "name_"))]
    )


def _new_customer_page(request, form: CustomerForm):
    """Add customer again (an answer to fix): the chosen lines travel along, hidden."""
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "carried_values": _line_values(request)},
    )


def _new_customer_context(request, customer_form: CustomerForm) -> dict:
    return {
        "customer": Customer(company_name=customer_form.cleaned_data["company_name"]),
        "new_customer": customer_form.cleaned_data,
        "customer_values": _customer_values(request, customer_form),
    }


def _new_customer_offers_page(request, customer_form: CustomerForm, form: OrderLinesForm):
    # GCC offers only: the customer will be GCC, and its partner's approval is the services'
    # check.
    standing = new_gcc_customer_standing(customer_name=customer_form.cleaned_data["company_name"])
    return render(
        request,
        "orders/subscriptions_add.html",
        {
            **_new_customer_context(request, customer_form),
            **_offers_context(form, offer_choice(standing=standing)),
        },
    )


def _new_customer_refused(
    request,
    customer_form: CustomerForm,
    form: OrderLinesForm,
    exc: ValidationError | ActionNotAllowed,
):
    """A service's refusal, on the page of what it is about: the lines' on the offers, the
    rest (the customer's answers, the code, the organization's GCC approval) on Add customer."""
    if isinstance(exc, ValidationError) and not any(
        key in customer_form.fields for key in exc.message_dict
    ):
        form.add_service_errors(exc)
        return _new_customer_offers_page(request, customer_form, form)
    customer_form.add_service_error(exc)
    return _new_customer_page(request, customer_form)


@gcc_action_required
@require_POST
def new_customer_subscriptions(request):
    """Add customer → Next: Subscriptions, or Back from the review: the offers, nothing
    created yet."""
    customer_form = _customer_form(request)
    if not customer_form.is_valid():
        return _new_customer_page(request, customer_form)
    # The lines come back (from the review, or from Add customer) with their values as they were.
    form = _lines_form(request, bound=any(name.startswith("quantity_") for name in request.POST))
    try:
        services.new_customer_order_check(
            organization=request.organization, customer_answers=customer_form.cleaned_data
        )
    except (ValidationError, ActionNotAllowed) as exc:
        return _new_customer_refused(request, customer_form, form, exc)
    if form.is_bound:
        form.is_valid()
    return _new_customer_offers_page(request, customer_form, form)


@gcc_action_required
@require_POST
def new_customer_details(request):
    """Back from the offers to Add customer: the answers as they were, the chosen lines
    carried along hidden; nothing created."""
    form = _customer_form(request)
    form.is_valid()
    return _new_customer_page(request, form)


@gcc_action_required
@require_POST
def new_customer_review(request):
    customer_form = _customer_form(request)
    if not customer_form.is_valid():
        return _new_customer_page(request, customer_form)
    form = _lines_form(request)
    if not form.is_valid():
        return _new_customer_offers_page(request, customer_form, form)
    try:
        prices = services.new_customer_order_review(
            organization=request.organization,
            customer_answers=customer_form.cleaned_data,
            lines=form.lines(),
        )
    except (ValidationError, ActionNotAllowed) as exc:
        return _new_customer_refused(request, customer_form, form, exc)
    return _review_page(request, _new_customer_context(request, customer_form), prices, form)


@gcc_action_required
@require_POST
def new_customer_order_submit(request):
    customer_form = _customer_form(request)
    form = _lines_form(request, OrderSubmitForm)
    answers_valid, lines_valid = customer_form.is_valid(), form.is_valid()
    if not (answers_valid and lines_valid):
        # Answers that no longer parse may be a replayed Submit (a double click) whose order
        # took the code's last create: the code has left the menu. That order, then.
        key = form.cleaned_data.get("idempotency_key")
        replayed = order_for_idempotency_key(organization=request.organization, key=key)
        if replayed:
            return redirect("orders:order_detail", pk=replayed.pk)
        if form.has_error("idempotency_key"):
            messages.error(request, ORDER_FORM_INCOMPLETE)
        if not answers_valid:
            return _new_customer_page(request, customer_form)
        return _new_customer_offers_page(request, customer_form, form)
    try:
        order = services.customer_create_with_order(
            organization=request.organization,
            created_by=request.user,
            customer_answers=customer_form.cleaned_data,
            lines=form.lines(),
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except (ValidationError, ActionNotAllowed) as exc:
        return _new_customer_refused(request, customer_form, form, exc)
    messages.success(
        request,
        _(
            "%(customer)s was added with the %(qualification)s qualification, and order "
            "#%(pk)s was submitted. Its subscriptions are being provisioned; the confirmation "
            "goes to you by email."
        )
        % {
            "pk": order.pk,
            "customer": order.customer.company_name,
            "qualification": GOVERNMENT_COMMUNITY_CLOUD_LABEL,
        },
    )
    return redirect("orders:order_detail", pk=order.pk)


def _order_for_org(request, pk: int) -> Order:
    return found_or_404(order_get_for_org, organization=request.organization, order_id=pk)


@partner_member_required
def order_detail(request, pk: int):
    order = _order_for_org(request, pk)
    lines = list(order.line_items.all())
    totals = order_totals(lines=lines)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "totals": totals,
            **audit_trail_context(request, order),
        },
    )


@gcc_action_required
@require_POST
def order_retry(request, pk: int):
    order = _order_for_org(request, pk)
    return transition_and_redirect(
        request,
        services.order_retry,
        order_id=order.pk,
        success=_("Order #%(pk)s was submitted again for provisioning.") % {"pk": order.pk},
        to=reverse("orders:order_detail", args=[order.pk]),
        refusals=(InvalidTransition, ActionNotAllowed),
    )
