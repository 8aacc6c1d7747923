"""Partner pages of customers: the list, Add customer (whose Next: Subscriptions step is the
new-customer order wizard in orders.views), the customer's account, the GCC code help."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gccportal.exceptions import ActionNotAllowed
from orders.selectors import (
    customer_is_gcc_validated,
    order_list_for_customer,
    subscription_list_for_customer,
)
from orders.views import new_customer_details, new_customer_offers
from partners.access import gcc_action_required, partner_member_required

from . import services
from .codes.services import CodeExhausted
from .forms import GCC, CustomerForm, errors_onto_form
from .models import Customer
from .selectors import (
    customer_for_idempotency_key,
    customer_get_for_org,
    customer_list_for_org,
    transacting_partner_for,
)

PAGE_SIZE = 20


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
            except CodeExhausted as exc:
                form.add_error("gcc_validation", exc.message)
            except ActionNotAllowed as exc:
                # GCC posted although the organization may not choose it (the code menu is
                # then absent), or a code it may not use.
                field = "gcc_validation" if "gcc_validation" in form.fields else None
                form.add_error(field or "special_qualification", exc.message)
            except ValidationError as exc:
                errors_onto_form(form, exc)
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
