"""Partner pages of GCC orders for an existing customer: Add subscriptions → review → submit;
for a new GCC customer: Add customer → Next: Subscriptions → review → submit (the customer
and its order created together); and the order's page. The gating is the services'
(whatever is posted); the views only map their refusals to pages."""

import uuid
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.codes.services import CodeExhausted
from customers.forms import GCC, CustomerForm
from customers.models import Customer
from customers.selectors import customer_get_for_org
from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from partners.access import gcc_action_required, partner_member_required
from reviews.selectors import audit_event_list_for_subject

from . import services
from .forms import OrderLinesForm, OrderSubmitForm, active_offers
from .models import Offer, Order
from .selectors import (
    gcc_order_block_reason,
    offer_list_for_customer,
    offer_list_for_new_gcc_customer,
    order_for_idempotency_key,
    order_get_for_org,
)


def _customer_for_org(request, customer_id: int) -> Customer:
    # Another organization's customer is simply "not found".
    try:
        return customer_get_for_org(organization=request.organization, customer_id=customer_id)
    except Customer.DoesNotExist as exc:
        raise Http404 from exc


def _lines_form(request, customer, form_class=OrderLinesForm, data=None):
    shown = list(offer_list_for_customer(organization=request.organization, customer=customer))
    return form_class(data, offers=active_offers(), shown=shown)


def _add_page(request, customer, form, *, status: int = 200):
    organization = request.organization
    gcc_hidden = not any(offer.requires_gcc for offer in form.shown)
    return render(
        request,
        "orders/subscriptions_add.html",
        {
            "customer": customer,
            "form": form,
            "gcc_reason": gcc_order_block_reason(organization=organization, customer=customer)
            if gcc_hidden
            else None,
        },
        status=status,
    )


def _refused(request, customer, reason: str):
    """A refusal of the gating: the reason, and nothing written."""
    return render(
        request, "orders/order_refused.html", {"customer": customer, "reason": reason}, status=403
    )


@gcc_action_required
def subscriptions_add(request, customer_id: int):
    customer = _customer_for_org(request, customer_id)
    # A POST here is "Back" from the review page: the chosen values come back as they were.
    data = request.POST if request.method == "POST" else None
    form = _lines_form(request, customer, data=data)
    if data is not None:
        form.is_valid()
    return _add_page(request, customer, form)


def _totals(amounts) -> list[tuple[str, Decimal]]:
    """(billing cycle label, total) of (billing cycle, amount) pairs: monthly first."""
    totals: dict[str, Decimal] = {}
    for cycle, amount in amounts:
        totals[cycle] = totals.get(cycle, Decimal("0")) + amount
    return [(cycle, totals[cycle]) for cycle in Offer.BillingCycle.values if cycle in totals]


@gcc_action_required
@require_POST
def subscriptions_review(request, customer_id: int):
    customer = _customer_for_org(request, customer_id)
    form = _lines_form(request, customer, data=request.POST)
    if not form.is_valid():
        return _add_page(request, customer, form)
    lines = form.lines()
    try:
        offers = services.order_lines_check(
            organization=request.organization, customer=customer, lines=lines
        )
    except ActionNotAllowed as exc:
        return _refused(request, customer, exc.message)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _add_page(request, customer, form)
    rows = [
        {
            "line": line,
            "offer": offers[line.offer_id],
            "amount": offers[line.offer_id].unit_price * line.quantity,
        }
        for line in lines
    ]
    totals = _totals((row["offer"].billing_cycle, row["amount"]) for row in rows)
    return render(
        request,
        "orders/subscriptions_review.html",
        {
            "customer": customer,
            "rows": rows,
            "totals": totals,
            "hidden_values": form.hidden_values(),
            # One key per review: submitting this page twice finds the same order.
            "idempotency_key": uuid.uuid4(),
        },
    )


@gcc_action_required
@require_POST
def order_submit(request, customer_id: int):
    customer = _customer_for_org(request, customer_id)
    form = _lines_form(request, customer, form_class=OrderSubmitForm, data=request.POST)
    if not form.is_valid():
        if form.has_error("idempotency_key"):
            messages.error(request, _("The order form was incomplete. Review the order again."))
        return _add_page(request, customer, form)
    try:
        order = services.order_place(
            organization=request.organization,
            created_by=request.user,
            customer_id=customer.pk,
            lines=form.lines(),
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except ActionNotAllowed as exc:
        return _refused(request, customer, exc.message)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _add_page(request, customer, form)
    messages.success(
        request,
        _(
            "Order #%(pk)s was submitted for %(customer)s. Its subscriptions are being "
            "provisioned; the confirmation goes to you by email."
        )
        % {"pk": order.pk, "customer": customer.company_name},
    )
    return redirect("orders:order_detail", pk=order.pk)


# -- a new GCC customer and its first order ------------------------------------------------


def _customer_form(request) -> CustomerForm:
    """The Add customer answers posted on a step of Next: Subscriptions, with a fresh key.

    The Add customer form's own key doesn't travel with the answers: on the review page that
    name holds the order's key, which makes the new customer and its order one submit. A key
    is still needed for a plain Add customer from the page when it is shown again.
    """
    data = request.POST.copy()
    data["idempotency_key"] = str(uuid.uuid4())
    return CustomerForm(data, organization=request.organization)


def _new_customer_form(request) -> CustomerForm:
    """The Add customer answers, validated again on every step: hidden fields are never
    trusted. Only a GCC customer with a validation code may go on to subscriptions."""
    form = _customer_form(request)
    if form.is_valid():
        if form.gcc_block_reason:
            form.add_error("special_qualification", form.gcc_block_reason)
        elif form.cleaned_data["special_qualification"] != GCC:
            form.add_error(
                "special_qualification",
                _(
                    "Next: Subscriptions is for GCC customers only. Choose Government Community "
                    "Cloud (GCC) and a validation code, or select Add customer."
                ),
            )
        elif form.cleaned_data.get("gcc_validation") is None:
            form.add_error("gcc_validation", _("Choose the GCC validation code for this customer."))
    return form


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


def _new_customer_page(request, form: CustomerForm, *, status: int = 200):
    """Back on Add customer (an answer to fix): the chosen lines travel along, hidden."""
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "gcc_value": GCC, "carried_values": _line_values(request)},
        status=status,
    )


def _new_customer_lines_form(request, form_class=OrderLinesForm, *, bound: bool = True):
    shown = list(offer_list_for_new_gcc_customer(organization=request.organization))
    return form_class(request.POST if bound else None, offers=active_offers(), shown=shown)


def _new_customer_offers_page(request, customer_form: CustomerForm, form):
    return render(
        request,
        "orders/subscriptions_add.html",
        {
            "customer": Customer(company_name=customer_form.cleaned_data["company_name"]),
            "new_customer": customer_form.cleaned_data,
            "customer_values": _customer_values(request, customer_form),
            "form": form,
            "gcc_reason": None,
        },
    )


def new_customer_offers(request):
    """Add customer → Next: Subscriptions (called by customers.views.customer_create, whose
    access check applies) or Back from the review: the offers, nothing created yet."""
    customer_form = _new_customer_form(request)
    if not customer_form.is_valid():
        return _new_customer_page(request, customer_form)
    # Lines come back (from the review, or from Add customer) with their values as they were.
    bound = any(name.startswith("quantity_") for name in request.POST)
    form = _new_customer_lines_form(request, bound=bound)
    if bound:
        form.is_valid()
    return _new_customer_offers_page(request, customer_form, form)


def new_customer_details(request):
    """Back from the offers to Add customer (called by customers.views.customer_create): the
    answers as they were, the chosen lines carried along hidden; nothing created."""
    form = _customer_form(request)
    form.is_valid()
    return _new_customer_page(request, form)


@gcc_action_required
@require_POST
def new_customer_subscriptions(request):
    return new_customer_offers(request)


@gcc_action_required
@require_POST
def new_customer_review(request):
    customer_form = _new_customer_form(request)
    if not customer_form.is_valid():
        return _new_customer_page(request, customer_form)
    form = _new_customer_lines_form(request)
    if not form.is_valid():
        return _new_customer_offers_page(request, customer_form, form)
    lines = form.lines()
    try:
        offers = services.order_lines_check(
            organization=request.organization, customer=None, lines=lines, customer_is_gcc=True
        )
    except ActionNotAllowed as exc:
        customer_form.add_error(None, exc.message)
        return _new_customer_page(request, customer_form)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _new_customer_offers_page(request, customer_form, form)
    rows = [
        {
            "line": line,
            "offer": offers[line.offer_id],
            "amount": offers[line.offer_id].unit_price * line.quantity,
        }
        for line in lines
    ]
    return render(
        request,
        "orders/subscriptions_review.html",
        {
            "customer": Customer(company_name=customer_form.cleaned_data["company_name"]),
            "new_customer": customer_form.cleaned_data,
            "customer_values": _customer_values(request, customer_form),
            "rows": rows,
            "totals": _totals((row["offer"].billing_cycle, row["amount"]) for row in rows),
            "hidden_values": form.hidden_values(),
            # One key per review: submitting this page twice finds the same order.
            "idempotency_key": uuid.uuid4(),
        },
    )


@gcc_action_required
@require_POST
def new_customer_order_submit(request):
    form = _new_customer_lines_form(request, form_class=OrderSubmitForm)
    form.is_valid()
    key = form.cleaned_data.get("idempotency_key")
    existing = key and order_for_idempotency_key(organization=request.organization, key=key)
    if existing:
        # A replayed Submit (double click): the order placed by the first one, even though
        # its code may have no create left now.
        return redirect("orders:order_detail", pk=existing.pk)
    customer_form = _new_customer_form(request)
    if not form.is_valid() and form.has_error("idempotency_key"):
        messages.error(request, _("The order form was incomplete. Review the order again."))
    if not customer_form.is_valid():
        return _new_customer_page(request, customer_form)
    if not form.is_valid():
        return _new_customer_offers_page(request, customer_form, form)
    try:
        order = services.customer_create_with_order(
            organization=request.organization,
            created_by=request.user,
            customer_answers=customer_form.cleaned_data,
            lines=form.lines(),
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except CodeExhausted as exc:
        customer_form.add_error("gcc_validation", exc.message)
        return _new_customer_page(request, customer_form)
    except ActionNotAllowed as exc:
        customer_form.add_error(None, exc.message)
        return _new_customer_page(request, customer_form)
    except ValidationError as exc:
        customer_keys = {key for key in exc.message_dict if key in customer_form.fields}
        if customer_keys:
            for key, errors in exc.message_dict.items():
                for error in errors:
                    customer_form.add_error(key if key in customer_form.fields else None, error)
            return _new_customer_page(request, customer_form)
        form.add_service_errors(exc)
        return _new_customer_offers_page(request, customer_form, form)
    messages.success(
        request,
        _(
            "%(customer)s was added with the Government community cloud qualification, and "
            "order #%(pk)s was submitted. Its subscriptions are being provisioned; the "
            "confirmation goes to you by email."
        )
        % {"pk": order.pk, "customer": order.customer.company_name},
    )
    return redirect("orders:order_detail", pk=order.pk)


def _order_for_org(request, pk: int) -> Order:
    # Scoped by organization: another organization's order is simply "not found".
    try:
        return order_get_for_org(organization=request.organization, order_id=pk)
    except Order.DoesNotExist as exc:
        raise Http404 from exc


@partner_member_required
def order_detail(request, pk: int):
    order = _order_for_org(request, pk)
    lines = list(order.line_items.all())
    totals = _totals((line.offer.billing_cycle, line.total) for line in lines)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "totals": totals,
            "events": audit_event_list_for_subject(subject=order),
            "member_ids": set(request.organization.memberships.values_list("user_id", flat=True)),
        },
    )


@gcc_action_required
@require_POST
def order_retry(request, pk: int):
    order = _order_for_org(request, pk)
    try:
        order = services.order_retry(
            order_id=order.pk, organization=request.organization, actor=request.user
        )
    except (InvalidTransition, ActionNotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Order #%(pk)s was submitted again for provisioning.") % {"pk": order.pk}
        )
    return redirect("orders:order_detail", pk=order.pk)
