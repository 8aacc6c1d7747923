"""Partner pages of customers: the list, Add customer, the customer's account, the GCC code
help. Add customer's Next: Subscriptions (a new GCC customer with its first order) is the
order pages' (orders.views): its button posts there. The Account page's orders section is
theirs too (`{% customer_orders %}`): this app never imports orders."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from gccportal.exceptions import ActionNotAllowed
from gccportal.views import found_or_404, page_of
from partners.access import gcc_action_required, partner_member_required
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD_LABEL

from . import services
from .drafts import add_customer_draft_save, add_customer_draft_take, draft_answers, draft_lines
from .forms import CustomerForm
from .models import Customer
from .selectors import (
    CustomerPages,
    customer_for_idempotency_key,
    customer_get_visible_for_org,
    customer_is_gcc_validated,
    transacting_partner_for,
)

# Add customer's steps toward a first order, once posted here with `next_step` (pages shown
# before the buttons posted to the order pages directly): the same post, there.
NEXT_STEPS = {
    "subscriptions": "orders:new_customer_subscriptions",
    "edit": "orders:new_customer_details",
}


@partner_member_required
def customer_list(request):
    search = request.GET.get("q", "").strip()
    page = page_of(request, CustomerPages(organization=request.organization, search=search))
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
        message = _("%(name)s was added with the %(qualification)s qualification.")
    else:
        message = _("%(name)s was added to your customers.")
    messages.success(
        request,
        message
        % {"name": customer.company_name, "qualification": GOVERNMENT_COMMUNITY_CLOUD_LABEL},
    )
    return redirect("customers:customer_account", pk=customer.pk)


@gcc_action_required
def customer_create(request):
    organization = request.organization
    next_step = request.POST.get("next_step") if request.method == "POST" else None
    if next_step in NEXT_STEPS:
        # 307: the browser posts the same answers there.
        return HttpResponseRedirect(reverse(NEXT_STEPS[next_step]), status=307)
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
            except (ValidationError, ActionNotAllowed) as exc:
                # ActionNotAllowed: a code used up meanwhile or one it may not use, or GCC
                # posted although the organization may not choose it.
                form.add_service_error(exc)
            else:
                return _customer_added(request, customer)
        carried = []
    else:
        # Back from the customer validation request: the answers typed before, once.
        draft = add_customer_draft_take(request.session)
        form = CustomerForm(initial=draft_answers(draft) or None, organization=organization)
        carried = draft_lines(draft)
        if draft:
            messages.info(request, _("Your answers were kept. Check them and continue."))
    return render(
        request, "customers/customer_form.html", {"form": form, "carried_values": carried}
    )


@gcc_action_required
@require_POST
def customer_draft_to_validation(request):
    """Add customer → Submit a new (customer validation) request: the answers typed so far
    are kept, and the request starts from them."""
    add_customer_draft_save(
        request.session, request.POST, field_names=CustomerForm.base_fields.keys()
    )
    return redirect("customers:validation_create")


@gcc_action_required
@require_GET
@ratelimit(key="user", rate="60/m", block=False)
def customer_domain_check(request):
    """Add customer's primary domain, checked as it is typed (customers.js): the message the
    form would show, or none. The same words as on Submit, whoever's customer it is."""
    if getattr(request, "limited", False):
        return JsonResponse({"message": ""}, status=429)
    try:
        CustomerForm.check_domain(request.GET.get("domain", ""))
    except ValidationError as exc:
        # HTML: the taken domain's message links to the way forward; the others are text.
        return JsonResponse({"message": conditional_escape(exc.messages[0])})
    return JsonResponse({"message": ""})


@partner_member_required
def customer_account(request, pk: int):
    # Also one of an indirect provider's resellers' customers: shown read-only.
    customer = found_or_404(
        customer_get_visible_for_org, organization=request.organization, customer_id=pk
    )
    qualification = next(iter(customer.qualifications.all()), None)
    return render(
        request,
        "customers/customer_account.html",
        {
            "customer": customer,
            "qualification": qualification,
            "transacting_partner": transacting_partner_for(organization=request.organization),
        },
    )


@partner_member_required
def gcc_code_help(request):
    return render(request, "customers/gcc_code_help.html")
