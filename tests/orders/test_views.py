"""Partner pages of GCC orders for an existing customer: Add subscriptions → review → submit,
the order's page (provisioning, failure, retry) and the customer page's orders section.

The gating is the server's, whatever is posted: each refusal leaves no order row.
"""

import uuid

import pytest
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import localtime

from orders.models import Offer, Order, OrderLineItem, Subscription
from partners.models import Membership
from reviews.models import AuditEvent
from tests.factories import MembershipFactory, ResellerQualificationFactory
from tests.helpers import NOT_APPROVED, customer_of, role_refusal
from tests.html import attr, element, elements, messages_of, page_text, text

pytestmark = pytest.mark.django_db

G3 = "gcc-o365-g3"
D365 = "gcc-d365-sales"
POWER_BI = "gcc-powerbi-pro"
COMMERCIAL = "com-m365-basic"


# -- helpers -------------------------------------------------------------------------------


def add_url(customer):
    return reverse("orders:subscriptions_add", args=[customer.pk])


def review_url(customer):
    return reverse("orders:subscriptions_review", args=[customer.pk])


def submit_url(customer):
    return reverse("orders:order_submit", args=[customer.pk])


def account_url(customer):
    return reverse("customers:customer_account", args=[customer.pk])


def submit_data(lines: dict[str, int], *, key=None, names=None) -> dict[str, str]:
    data = {f"quantity_{offer_id}": str(quantity) for offer_id, quantity in lines.items()}
    data |= {f"name_{offer_id}": name for offer_id, name in (names or {}).items()}
    data["idempotency_key"] = str(key or uuid.uuid4())
    return data


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    """POST the review page's Submit form; provisioning runs after commit (inline: eager)."""

    def post(customer, lines, **options):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(submit_url(customer), submit_data(lines, **options))

    return post


def order_with_subscription(organization, customer, user, offer, *, quantity=5):
    order = Order.objects.create(
        organization=organization,
        customer=customer,
        idempotency_key=uuid.uuid4(),
        partner_id_on_record=organization.partner_id,
        created_by=user,
        status=Order.Status.COMPLETED,
    )
    line = OrderLineItem.objects.create(
        order=order, line_item_number=0, offer=offer, quantity=quantity, unit_price=offer.unit_price
    )
    Subscription.objects.create(customer=customer, offer=offer, quantity=quantity, line_item=line)
    return order


# -- Add subscriptions -----------------------------------------------------------------------


def offer_ids_by_family(response) -> list[tuple[str, list[str]]]:
    """(family heading, its offers' row IDs) of each group of the Add subscriptions page."""
    groups = elements(response, tag="section", within=element(response, id="offer-table"))
    return [
        (
            text(elements(None, tag="h2", within=group)[0]),
            [attr(row, "id") for row in elements(None, css_class="offer", within=group)],
        )
        for group in groups
    ]


def test_add_page_for_a_gcc_customer_lists_its_gcc_offers_by_family(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent
):
    # Given a Sales agent of a GCC-enabled partner and a GCC customer
    client.force_login(sales_agent)

    # When the agent opens Add subscriptions
    response = client.get(add_url(gcc_customer))

    # Then the GCC offers are listed, grouped under their product family's heading, the
    # page saying once which cloud they run in; no commercial offer
    assert response.status_code == 200
    assert offer_ids_by_family(response) == [
        ("Office 365", ["offer-gcc-o365-g1", "offer-gcc-o365-g3", "offer-gcc-o365-g5"]),
        ("Microsoft 365", ["offer-gcc-m365-g3", "offer-gcc-m365-g5"]),
        ("Enterprise Mobility + Security", ["offer-gcc-ems-e3", "offer-gcc-ems-e5"]),
        ("Power BI", ["offer-gcc-powerbi-pro"]),
        ("Dynamics 365", ["offer-gcc-d365-service", "offer-gcc-d365-sales"]),
    ]
    assert text(element(response, id="offer-cloud")) == (
        f"GCC offers for {gcc_customer.company_name}'s GCC tenant. Commercial offers are not "
        "listed: they can't run in a GCC tenant."
    )
    assert elements(response, id="gcc-offers-hidden") == []
    # Each offer once, its name without a "GCC" badge repeating it
    assert elements(response, css_class="badge", within=element(response, id="offer-table")) == []
    g3 = element(response, id=f"offer-{G3}")
    assert text(g3) == (
        "Office 365 G3 GCC gcc-o365-g3 $20.00 each, monthly Allowed quantities: 1 to 10,000 "
        "Quantity Quantity of Office 365 G3 GCC "
        "Friendly name (optional) Friendly name for Office 365 G3 GCC"
    )
    quantity = element(response, id=f"id_quantity_{G3}")
    assert (attr(quantity, "type"), attr(quantity, "min"), attr(quantity, "max")) == (
        "number",
        "1",
        "10000",
    )
    assert attr(quantity, "value") == ""
    assert attr(quantity, "aria-describedby") == f"range-{G3}"
    assert text(element(response, id=f"range-{G3}")) == "Allowed quantities: 1 to 10,000"


@pytest.mark.parametrize(
    ("partner_gcc", "customer_gcc"), [(True, False), (False, False), (False, True)]
)
def test_add_page_says_why_gcc_offers_are_hidden(
    client, catalogue, organization, partner_gcc, customer_gcc
):
    # Given a customer without GCC, or a partner not GCC-enabled
    if partner_gcc:
        ResellerQualificationFactory(organization=organization)
    customer = customer_of(organization, gcc=customer_gcc)
    client.force_login(MembershipFactory(organization=organization).user)

    # When the agent opens Add subscriptions
    response = client.get(add_url(customer))

    # Then a commercial customer's commercial offers are listed, by family; a GCC tenant's
    # commercial offers never are (nor its GCC offers, for this partner): the page says why
    listed = [
        offer_id for _family, offer_ids in offer_ids_by_family(response) for offer_id in offer_ids
    ]
    if customer_gcc:
        assert listed == []
        assert text(element(response, id="no-offers")) == (
            "No offer can be ordered for this customer now."
        )
    else:
        assert offer_ids_by_family(response) == [
            ("Office 365", ["offer-com-o365-e3"]),
            ("Microsoft 365", ["offer-com-m365-basic", "offer-com-m365-standard"]),
        ]
        assert text(element(response, id="offer-cloud")) == (
            f"Commercial offers for {customer.company_name}'s tenant."
        )
    reason = (
        f"{customer.company_name} is not validated for GCC. GCC offers are only for customers "
        "with the Government Community Cloud (GCC) qualification."
        if partner_gcc
        else NOT_APPROVED
    )
    assert text(element(response, id="gcc-offers-hidden")) == (
        f"GCC offers are not listed. {reason}"
    )


def test_the_add_page_makes_the_same_number_of_queries_for_few_or_many_offers(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent
):
    client.force_login(sales_agent)
    with CaptureQueriesContext(connection) as with_catalogue:
        client.get(add_url(gcc_customer))
    for n in range(20):
        Offer.objects.create(
            offer_id=f"gcc-extra-{n}",
            name=f"Extra {n} GCC",
            family=Offer.Family.values[n % 5],
            unit_price=1,
            billing_cycle=Offer.BillingCycle.MONTHLY,
            requires_gcc=True,
        )

    with CaptureQueriesContext(connection) as with_more:
        response = client.get(add_url(gcc_customer))

    assert len(elements(response, css_class="offer")) == len(catalogue) - 3 + 20
    assert len(with_more) == len(with_catalogue)


# -- the gating, whatever is posted -----------------------------------------------------------


@pytest.fixture(params=["review", "submit"])
def post_order(request, client):
    """The review page's and the submit's POST: both enforce the gating."""

    def post(customer, lines):
        url = review_url(customer) if request.param == "review" else submit_url(customer)
        return client.post(url, submit_data(lines))

    return post


def test_a_gcc_offer_posted_for_a_non_gcc_customer_is_refused(
    client, catalogue, gcc_enabled, sales_agent, post_order
):
    # Given a customer without the GCC qualification
    plain = customer_of(gcc_enabled, gcc=False)
    client.force_login(sales_agent)

    # When a GCC offer is posted for it anyway
    response = post_order(plain, {G3: 10})

    # Then it is refused with the reason, and nothing is ordered
    assert response.status_code == 403
    assert text(element(response, id="refusal-reason")) == (
        f"{plain.company_name} is not validated for GCC. GCC offers are only for customers "
        "with the Government Community Cloud (GCC) qualification."
    )
    assert not Order.objects.exists()


def test_a_partner_not_gcc_enabled_is_refused(
    client, catalogue, organization, sales_agent, post_order
):
    # Given a partner not approved for GCC, with a GCC customer
    customer = customer_of(organization, gcc=True)
    client.force_login(sales_agent)

    response = post_order(customer, {G3: 10})

    assert response.status_code == 403
    assert text(element(response, id="refusal-reason")) == NOT_APPROVED
    assert not Order.objects.exists()


def test_a_helpdesk_agent_is_refused(
    client, catalogue, gcc_enabled, gcc_customer, helpdesk_agent, post_order
):
    client.force_login(helpdesk_agent)

    response = post_order(gcc_customer, {G3: 10})

    assert response.status_code == 403
    assert page_text(response).count(role_refusal("Helpdesk agent")) == 1
    assert not Order.objects.exists()
    # Nor may the agent open the page
    assert client.get(add_url(gcc_customer)).status_code == 403


def test_another_organizations_customer_is_not_found(
    client, catalogue, gcc_enabled, sales_agent, other_organization, post_order
):
    ResellerQualificationFactory(organization=other_organization)
    theirs = customer_of(other_organization, gcc=True)
    client.force_login(sales_agent)

    response = post_order(theirs, {G3: 10})

    assert response.status_code == 404
    assert not Order.objects.exists()
    assert client.get(add_url(theirs)).status_code == 404


@pytest.mark.parametrize("name", ["subscriptions_review", "order_submit"])
def test_review_and_submit_take_only_posts(client, gcc_enabled, gcc_customer, sales_agent, name):
    client.force_login(sales_agent)

    response = client.get(reverse(f"orders:{name}", args=[gcc_customer.pk]))

    assert response.status_code == 405


def test_a_commercial_offer_posted_for_a_gcc_customer_is_refused_next_to_its_row(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent, post_order
):
    client.force_login(sales_agent)

    # When a commercial offer is posted for the GCC customer anyway (a stale or tampered form)
    response = post_order(gcc_customer, {G3: 10, COMMERCIAL: 3})

    # Then the add page comes back with the message next to that offer's row (shown for it),
    # the values kept; nothing is ordered
    assert response.status_code == 200
    assert response.templates[0].name == "orders/subscriptions_add.html"
    message = (
        f"Microsoft 365 Business Basic is a commercial offer: it can't run in "
        f"{gcc_customer.company_name}'s GCC tenant. Choose a GCC offer."
    )
    assert text(element(response, id=f"id_quantity_{COMMERCIAL}_error")) == message
    quantity = element(response, id=f"id_quantity_{COMMERCIAL}")
    assert attr(quantity, "aria-invalid") == "true"
    assert attr(quantity, "value") == "3"
    assert elements(
        None, id=f"id_quantity_{COMMERCIAL}", within=element(response, id=f"offer-{COMMERCIAL}")
    )
    assert attr(element(response, id=f"id_quantity_{G3}"), "value") == "10"
    assert text(element(response, id="form-errors")) == (
        "Some quantities need your attention. Each is marked below. Quantity of Microsoft 365 "
        f"Business Basic: {message}"
    )
    assert not Order.objects.exists()


def test_commercial_offers_are_ordered_for_a_commercial_customer(
    client, catalogue, gcc_enabled, sales_agent, submit
):
    plain = customer_of(gcc_enabled, gcc=False)
    client.force_login(sales_agent)

    response = submit(plain, {COMMERCIAL: 3})

    order = Order.objects.get()
    assert response["Location"] == reverse("orders:order_detail", args=[order.pk])
    assert [(li.offer.offer_id, li.quantity) for li in order.line_items.all()] == [(COMMERCIAL, 3)]


# -- review -----------------------------------------------------------------------------------


def test_a_quantity_out_of_range_is_shown_next_to_its_row_with_the_values_kept(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent
):
    client.force_login(sales_agent)

    # When the agent asks for 5,001 Dynamics 365 Sales seats (at most 5,000) and 10 G3
    response = client.post(
        review_url(gcc_customer),
        {f"quantity_{D365}": "5001", f"name_{D365}": "Sales team", f"quantity_{G3}": "10"},
    )

    # Then the add page comes back, the message next to the Dynamics row, the values kept
    assert response.status_code == 200
    assert response.templates[0].name == "orders/subscriptions_add.html"
    assert text(element(response, id=f"id_quantity_{D365}_error")) == (
        "Order between 1 and 5000 of Dynamics 365 Sales Enterprise GCC."
    )
    quantity = element(response, id=f"id_quantity_{D365}")
    assert attr(quantity, "aria-invalid") == "true"
    assert attr(quantity, "aria-describedby") == f"range-{D365} id_quantity_{D365}_error"
    assert attr(quantity, "value") == "5001"
    assert attr(element(response, id=f"id_name_{D365}"), "value") == "Sales team"
    assert attr(element(response, id=f"id_quantity_{G3}"), "value") == "10"
    assert elements(response, id=f"id_quantity_{G3}_error") == []
    summary = element(response, id="form-errors")
    assert text(summary) == (
        "Some quantities need your attention. Each is marked below. Quantity of Dynamics 365 "
        "Sales Enterprise GCC: Order between 1 and 5000 of Dynamics 365 Sales Enterprise GCC."
    )
    assert [attr(link, "href") for link in elements(response, tag="a", within=summary)] == [
        f"#id_quantity_{D365}"
    ]


def test_nothing_chosen_says_so(client, catalogue, gcc_enabled, gcc_customer, sales_agent):
    client.force_login(sales_agent)

    response = client.post(review_url(gcc_customer), {f"quantity_{G3}": ""})

    assert text(element(response, id="form-errors")) == (
        "Choose at least one offer and its quantity."
    )


def test_review_shows_the_lines_and_the_totals_per_billing_cycle(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent
):
    client.force_login(sales_agent)

    # When the agent reviews 25 G3 ($20.00), 3 Power BI Pro ($10.00) and 2 Dynamics ($95.00/yr)
    response = client.post(
        review_url(gcc_customer),
        {
            f"quantity_{G3}": "25",
            f"name_{G3}": "Clerks",
            f"quantity_{POWER_BI}": "3",
            f"quantity_{D365}": "2",
        },
    )

    # Then each line shows its amount, and the totals are per month and per year
    assert response.status_code == 200
    rows = elements(response, tag="tr", within=element(response, id="review-table"))
    assert [text(row) for row in rows] == [
        "Offer Friendly name Billing cycle Unit price Quantity Amount",
        "Dynamics 365 Sales Enterprise GCC GCC — Annual $95.00 2 $190.00",
        "Office 365 G3 GCC GCC Clerks Monthly $20.00 25 $500.00",
        "Power BI Pro GCC GCC — Monthly $10.00 3 $30.00",
        "Total per month $530.00",
        "Total per year $190.00",
    ]
    # And the Submit form carries the lines and a fresh key; nothing is ordered yet
    submit_form = element(response, id="submit-form")
    hidden = {
        attr(i, "name"): attr(i, "value")
        for i in elements(None, tag="input", within=submit_form)
        if attr(i, "name") != "csrfmiddlewaretoken"
    }
    key = hidden.pop("idempotency_key")
    assert uuid.UUID(key).version == 4
    assert hidden == {
        f"quantity_{D365}": "2",
        f"quantity_{G3}": "25",
        f"name_{G3}": "Clerks",
        f"quantity_{POWER_BI}": "3",
    }
    assert not Order.objects.exists()


def test_back_from_review_keeps_the_values(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent
):
    client.force_login(sales_agent)

    # When the agent goes back from the review page (its Back form posts the lines)
    response = client.post(add_url(gcc_customer), {f"quantity_{G3}": "25", f"name_{G3}": "Clerks"})

    # Then the add page shows the chosen values, without errors
    assert response.status_code == 200
    assert attr(element(response, id=f"id_quantity_{G3}"), "value") == "25"
    assert attr(element(response, id=f"id_name_{G3}"), "value") == "Clerks"
    assert elements(response, id="form-errors") == []


# -- submit -----------------------------------------------------------------------------------


def test_submitting_places_the_order_and_shows_it(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent, submit
):
    client.force_login(sales_agent)

    # When the agent submits the reviewed order
    response = submit(gcc_customer, {G3: 25, POWER_BI: 3}, names={G3: "Clerks"})

    # Then one order is placed and provisioned, and the agent lands on its page
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:order_detail", args=[order.pk])
    assert order.status == Order.Status.COMPLETED
    assert order.created_by == sales_agent
    assert [
        (li.offer.offer_id, li.quantity, li.friendly_name) for li in order.line_items.all()
    ] == [
        (G3, 25, "Clerks"),
        (POWER_BI, 3, ""),
    ]
    page = client.get(response["Location"])
    assert messages_of(page) == [
        f"Order #{order.pk} was submitted for {gcc_customer.company_name}. Its subscriptions "
        "are being provisioned; the confirmation goes to you by email."
    ]
    assert text(element(page, id="order-status")) == "Status: Completed"
    g3_sub, power_bi_sub = (li.subscription for li in order.line_items.all())
    assert text(element(page, id="line-0")) == (
        f"1 Office 365 G3 GCC Clerks 25 $500.00 $20.00 each, monthly {g3_sub.subscription_id}"
    )
    assert text(element(page, id="line-1")) == (
        f"2 Power BI Pro GCC 3 $30.00 $10.00 each, monthly {power_bi_sub.subscription_id}"
    )
    timeline = elements(page, tag="li", within=elements(page, tag="ol")[-1])
    assert [text(elements(None, tag="div", within=li)[0]) for li in timeline] == [
        "Order submitted",
        "Provisioning started",
        "Order completed",
    ]


def test_review_and_submit_run_each_check_once(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent, checks_counted
):
    client.force_login(sales_agent)

    # When the agent reviews an order, then submits it
    with checks_counted() as review:
        response = client.post(review_url(gcc_customer), submit_data({G3: 10}))
    with checks_counted() as submit:
        response = client.post(
            submit_url(gcc_customer),
            submit_data({G3: 10}, key=response.context["idempotency_key"]),
        )

    # Then the review checks the customer's GCC standing and the lines; the submit checks
    # the actor, looks its key up, and checks the standing and the lines: each once
    assert response["Location"] == reverse("orders:order_detail", args=[Order.objects.get().pk])
    assert (review.customer_gcc, review.lines, review.actor, review.key_lookups) == (1, 1, 0, 0)
    assert (submit.customer_gcc, submit.lines, submit.actor, submit.key_lookups) == (1, 1, 1, 1)


def test_the_same_key_twice_places_one_order(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent, submit
):
    client.force_login(sales_agent)
    key = uuid.uuid4()

    # When the Submit form is posted twice (a double click, a replay)
    first = submit(gcc_customer, {G3: 10}, key=key)
    second = submit(gcc_customer, {G3: 10}, key=key)

    # Then there is one order, and both lead to it
    order = Order.objects.get()
    assert first["Location"] == second["Location"] == f"/orders/{order.pk}/"
    assert Subscription.objects.count() == 1


def test_two_keys_place_two_orders(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent, submit
):
    client.force_login(sales_agent)

    submit(gcc_customer, {G3: 10})
    submit(gcc_customer, {G3: 10})

    assert Order.objects.count() == 2


def test_a_submit_without_key_orders_nothing(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent
):
    client.force_login(sales_agent)

    response = client.post(submit_url(gcc_customer), {f"quantity_{G3}": "10"})

    assert response.status_code == 200
    assert messages_of(response) == ["The order form was incomplete. Review the order again."]
    assert not Order.objects.exists()


def test_a_submit_out_of_range_orders_nothing(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent, submit
):
    client.force_login(sales_agent)

    response = submit(gcc_customer, {G3: 0})

    assert text(element(response, id=f"id_quantity_{G3}_error")) == (
        "Order between 1 and 10000 of Office 365 G3 GCC."
    )
    assert not Order.objects.exists()


# -- the order's page -------------------------------------------------------------------------


def test_a_failing_line_shows_the_failure_and_retry_completes_the_order(
    client,
    settings,
    catalogue,
    gcc_enabled,
    gcc_customer,
    sales_agent,
    submit,
    django_capture_on_commit_callbacks,
):
    # Given an offer that can't be provisioned now
    settings.ORDERS_SIMULATED_FAILING_OFFER_IDS = [G3]
    client.force_login(sales_agent)

    # When the agent orders it with another offer
    response = submit(gcc_customer, {G3: 10, POWER_BI: 2})

    # Then the order failed, with the reason and a Retry button; the other line is done
    order = Order.objects.get()
    page = client.get(response["Location"])
    reason = (
        "Office 365 G3 GCC could not be provisioned: the offer is not available for purchase now."
    )
    assert text(element(page, id="order-status")) == "Status: Failed"
    assert text(element(page, id="failure-reason")) == reason
    assert text(element(page, id="line-0")).endswith(reason)
    assert Subscription.objects.count() == 1
    retry_url = reverse("orders:order_retry", args=[order.pk])
    assert [
        attr(f, "action") for f in elements(None, tag="form", within=element(page, id="failure"))
    ] == [retry_url]

    # When the cause is fixed and the agent retries
    settings.ORDERS_SIMULATED_FAILING_OFFER_IDS = []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url)

    # Then the order is completed, each line with one subscription
    page = client.get(response["Location"])
    assert messages_of(page) == [f"Order #{order.pk} was submitted again for provisioning."]
    assert text(element(page, id="order-status")) == "Status: Completed"
    assert elements(page, id="failure") == []
    assert Subscription.objects.count() == 2
    assert [e.action for e in AuditEvent.objects.for_subject(order)] == [
        "order_submitted",
        "provisioning_started",
        "order_failed",
        "order_retried",
        "provisioning_started",
        "order_completed",
    ]


def test_retrying_an_order_that_did_not_fail_says_so(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent, submit
):
    client.force_login(sales_agent)
    submit(gcc_customer, {G3: 10})
    order = Order.objects.get()

    response = client.post(reverse("orders:order_retry", args=[order.pk]), follow=True)

    assert messages_of(response)[-1] == (
        "This order is completed; that action is no longer possible. Nothing was changed."
    )
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def test_a_helpdesk_agent_sees_the_order_but_cannot_retry(
    client, settings, catalogue, gcc_enabled, gcc_customer, sales_agent, helpdesk_agent, submit
):
    settings.ORDERS_SIMULATED_FAILING_OFFER_IDS = [G3]
    client.force_login(sales_agent)
    submit(gcc_customer, {G3: 10})
    order = Order.objects.get()
    client.force_login(helpdesk_agent)

    page = client.get(reverse("orders:order_detail", args=[order.pk]))
    retry = client.post(reverse("orders:order_retry", args=[order.pk]))

    assert page.status_code == 200
    assert elements(page, tag="button", within=element(page, id="failure")) == []
    assert retry.status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.FAILED


def test_another_organizations_order_is_not_found(
    client, catalogue, gcc_enabled, sales_agent, other_organization, other_admin_agent
):
    theirs = customer_of(other_organization, gcc=True)
    order = order_with_subscription(other_organization, theirs, other_admin_agent, catalogue[G3])
    client.force_login(sales_agent)

    assert client.get(reverse("orders:order_detail", args=[order.pk])).status_code == 404
    assert client.post(reverse("orders:order_retry", args=[order.pk])).status_code == 404


# -- the customer's page ----------------------------------------------------------------------


def test_the_account_page_lists_subscriptions_and_orders(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent, submit
):
    client.force_login(sales_agent)
    submit(gcc_customer, {G3: 25}, names={G3: "Clerks"})
    order = Order.objects.get()
    subscription = Subscription.objects.get()

    response = client.get(account_url(gcc_customer))

    # The page shows dates in the review time zone: near midnight UTC that is another day.
    since = date_filter(localtime(subscription.created_at), "DATE_FORMAT")
    rows = elements(response, tag="tr", within=element(response, id="subscription-table"))
    assert [text(row) for row in rows[1:]] == [
        f"Office 365 G3 GCC Clerks 25 {since} Order #{order.pk}"
    ]
    rows = elements(response, tag="tr", within=element(response, id="order-table"))
    assert [text(row) for row in rows[1:]] == [
        f"Order #{order.pk} Office 365 G3 GCC \N{MULTIPLICATION SIGN} 25 Completed {since}"
    ]
    [link] = elements(None, tag="a", within=element(response, id="orders-and-subscriptions"))[:1]
    assert (text(link), attr(link, "href")) == ("Add subscriptions", add_url(gcc_customer))


@pytest.mark.parametrize(
    ("role", "button"),
    [
        (Membership.Role.ADMIN_AGENT, True),
        (Membership.Role.SALES_AGENT, True),
        (Membership.Role.HELPDESK_AGENT, False),
        (Membership.Role.BILLING_ADMIN, False),
    ],
)
def test_add_subscriptions_is_offered_to_admin_and_sales_agents(
    client, gcc_enabled, gcc_customer, role, button
):
    client.force_login(MembershipFactory(organization=gcc_enabled, role=role).user)

    response = client.get(account_url(gcc_customer))

    assert ("Add subscriptions" in response.content.decode()) is button
    assert text(element(response, id="subscriptions-empty")) == "No subscription yet."
    assert text(element(response, id="orders-empty")) == "No order yet."


def test_another_partners_orders_of_a_shared_customer_are_not_listed(
    client,
    catalogue,
    gcc_enabled,
    gcc_customer,
    sales_agent,
    other_organization,
    other_admin_agent,
):
    # Given a customer also managed by another partner, which ordered for it
    from customers.models import CustomerRelationship

    CustomerRelationship.objects.create(organization=other_organization, customer=gcc_customer)
    order_with_subscription(other_organization, gcc_customer, other_admin_agent, catalogue[G3])
    client.force_login(sales_agent)

    response = client.get(account_url(gcc_customer))

    assert elements(response, id="subscription-table") == []
    assert elements(response, id="order-table") == []


def test_the_account_page_makes_the_same_number_of_queries_for_3_or_30_subscriptions(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent
):
    client.force_login(sales_agent)
    offers = list(catalogue.values())

    def add(count):
        for n in range(count):
            order_with_subscription(gcc_enabled, gcc_customer, sales_agent, offers[n % 5])

    add(3)
    with CaptureQueriesContext(connection) as with_3:
        response = client.get(account_url(gcc_customer))
    assert len(elements(response, tag="tr", within=element(response, id="subscription-table"))) == 4
    add(27)
    with CaptureQueriesContext(connection) as with_30:
        response = client.get(account_url(gcc_customer))
    assert (
        len(elements(response, tag="tr", within=element(response, id="subscription-table"))) == 21
    )
    add(30)
    with CaptureQueriesContext(connection) as with_60:
        client.get(account_url(gcc_customer))

    # Both lists fit on one page with 3: neither is counted (gccportal.views.page_get); with
    # 30 and 60, each list is counted once, whatever its length.
    counted = [q["sql"] for q in with_30.captured_queries if "COUNT(" in q["sql"]]
    assert len(counted) == 2, counted
    assert not [q for q in with_3.captured_queries if "COUNT(" in q["sql"]]
    assert len(with_30) == len(with_3) + 2
    assert len(with_60) == len(with_30)


def test_the_account_page_shows_subscriptions_and_orders_a_page_at_a_time(
    client, catalogue, gcc_enabled, gcc_customer, sales_agent
):
    # given: 25 orders, one subscription each
    client.force_login(sales_agent)
    orders = [
        order_with_subscription(gcc_enabled, gcc_customer, sales_agent, catalogue[G3])
        for _ in range(25)
    ]

    def listed(response, table: str) -> int:
        return len(elements(response, tag="tr", within=element(response, id=table))) - 1

    # when
    first = client.get(account_url(gcc_customer))
    later = client.get(account_url(gcc_customer), {"orders_page": 2, "subscriptions_page": 2})

    # then: 20 of each, newest first, then the other 5; each list's links keep the other's page
    assert (listed(first, "subscription-table"), listed(first, "order-table")) == (20, 20)
    assert (listed(later, "subscription-table"), listed(later, "order-table")) == (5, 5)
    assert f"Order #{orders[-1].pk}" in text(element(first, id="order-table"))
    assert f"Order #{orders[0].pk}" in text(element(later, id="order-table"))
    navs = {attr(nav, "aria-label"): nav for nav in elements(later, tag="nav")}
    previous = [attr(a, "href") for a in elements(later, tag="a", within=navs["Order pages"])]
    assert previous == ["?subscriptions_page=2&orders_page=1"]
    previous = [
        attr(a, "href") for a in elements(later, tag="a", within=navs["Subscription pages"])
    ]
    assert previous == ["?orders_page=2&subscriptions_page=1"]
