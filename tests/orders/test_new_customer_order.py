"""A new GCC customer and its first order: Add customer → Next: Subscriptions → review →
Submit creates the customer (consuming one create of its validation code) and the order in
one transaction. Nothing is created if any step fails."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers.codes.models import GccValidation
from customers.codes.services import CodeExhausted
from customers.models import Customer, CustomerQualification
from orders import services
from orders.models import Order, OrderLine, Subscription
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD as GCC
from tests.factories import GccValidationFactory
from tests.helpers import role_refusal, snapshot
from tests.html import attr, element, elements, messages_of, page_text, text

pytestmark = pytest.mark.django_db

G3 = "gcc-o365-g3"
D365 = "gcc-d365-sales"
COMMERCIAL = "com-m365-basic"

CREATE_URL = reverse("customers:customer_create")
# Add customer's buttons: Next: Subscriptions; on the offers, "Back to the customer's details".
NEXT_URL = reverse("orders:new_customer_subscriptions")
DETAILS_URL = reverse("orders:new_customer_details")
REVIEW_URL = reverse("orders:new_customer_review")
SUBMIT_URL = reverse("orders:new_customer_order_submit")


def customer_data(code, **overrides) -> dict:
    """The Add customer answers, as the browser posts them (and every later step carries)."""
    data = {
        "company_name": "City of Springfield",
        "primary_domain": "springfield.gov",
        "address_line1": "800 E Monroe St",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "contact_first_name": "Robin",
        "contact_last_name": "Clerk",
        "contact_email": "robin@springfield.example",
        "contact_phone": "+1 217 555 0199",
        "special_qualification": GCC,
        "gcc_validation": str(code.pk) if code else "",
        **overrides,
    }
    return {key: value for key, value in data.items() if value is not None}


def lines_data(lines: dict[str, int]) -> dict[str, str]:
    return {f"quantity_{offer_id}": str(quantity) for offer_id, quantity in lines.items()}


@pytest.fixture
def code(gcc_enabled):
    return GccValidationFactory(partner=gcc_enabled, organization_name="Springfield", max_creates=2)


@pytest.fixture
def agent(client, sales_agent):
    client.force_login(sales_agent)
    return sales_agent


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    """POST the review page's Submit form; provisioning runs after commit (inline: eager)."""

    def post(code, lines, *, key=None, **customer):
        data = customer_data(code, **customer) | lines_data(lines)
        data["idempotency_key"] = str(key or uuid.uuid4())
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(SUBMIT_URL, data)

    return post


# -- the Add customer page ---------------------------------------------------------------------


def test_next_subscriptions_button_is_offered_only_with_gcc(client, agent, code):
    # given: a GCC-enabled organization with a validation code
    # when
    response = client.get(CREATE_URL)
    # then: the button is there, shown by customers.js while GCC is chosen; it posts the
    # answers to the order pages, Add customer posts them to itself
    button = element(response, id="next-subscriptions")
    assert (button.name, attr(button, "type")) == ("button", "submit")
    assert attr(button, "formaction") == NEXT_URL
    assert attr(element(response, id="customer-form"), "action") == CREATE_URL
    assert "data-gcc-next" in dict(button.attributes)
    assert text(button) == "Next: Subscriptions"


def test_next_subscriptions_button_is_absent_when_gcc_cannot_be_chosen(client, catalogue, agent):
    # given: an organization not approved for GCC (no code either)
    # when
    response = client.get(CREATE_URL)
    # then
    assert elements(response, id="next-subscriptions") == []
    assert elements(response, id="submit-id-submit")  # Add customer is still there


def test_next_subscriptions_without_gcc_keeps_every_answer_and_creates_nothing(
    client, catalogue, agent, code
):
    # given
    before = snapshot()
    # when: Next: Subscriptions with no special qualification
    response = client.post(NEXT_URL, customer_data(code, special_qualification="none"))
    # then: back on Add customer, the answers as they were
    assert response.templates[0].name == "customers/customer_form.html"
    assert response.context["form"].errors["special_qualification"] == [
        "Next: Subscriptions is for GCC customers only. Choose Government Community Cloud (GCC) "
        "and a validation code, or select Add customer."
    ]
    assert attr(element(response, id="id_company_name"), "value") == "City of Springfield"
    assert snapshot() == before


def test_add_customer_without_the_button_works_as_before(client, catalogue, agent, code):
    # when
    response = client.post(CREATE_URL, customer_data(code) | {"idempotency_key": str(uuid.uuid4())})
    # then
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("customers:customer_account", args=[customer.pk])
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("next_step", "url", "template"),
    [
        ("subscriptions", NEXT_URL, "orders/subscriptions_add.html"),
        ("edit", DETAILS_URL, "customers/customer_form.html"),
    ],
)
def test_a_step_posted_to_add_customer_as_before_goes_on_to_the_order_pages(
    client, catalogue, agent, code, next_step, url, template
):
    # given: a page shown before the buttons posted to the order pages
    before = snapshot()
    data = customer_data(code) | lines_data({G3: 7}) | {"next_step": next_step}
    # when: its button posts to Add customer with the step's name
    response = client.post(CREATE_URL, data)
    # then: the same post goes on there (307 keeps the method and the answers), nothing created
    assert (response.status_code, response["Location"]) == (307, url)
    response = client.post(CREATE_URL, data, follow=True)
    assert response.templates[0].name == template
    posted = {
        attr(node, "name"): attr(node, "value")
        for node in elements(response, tag="input")
        if attr(node, "name") in ("company_name", f"quantity_{G3}")
    }
    assert posted == {"company_name": "City of Springfield", f"quantity_{G3}": "7"}
    assert snapshot() == before


# -- the happy path ----------------------------------------------------------------------------


def test_next_subscriptions_then_review_then_submit_creates_customer_and_order(
    client, catalogue, agent, code, submit
):
    # when: Next: Subscriptions
    response = client.post(NEXT_URL, customer_data(code))
    # then: the GCC offers only (the customer will be GCC), grouped by product family, the
    # answers carried hidden, nothing created
    assert response.templates[0].name == "orders/subscriptions_add.html"
    listed = [offer for offer, _q, _n in response.context["form"].rows()]
    assert {offer.offer_id for offer in listed} == {
        offer.offer_id for offer in catalogue.values() if offer.requires_gcc
    }
    assert [family for family, _rows in response.context["offer_groups"]] == [
        "Office 365",
        "Microsoft 365",
        "Enterprise Mobility + Security",
        "Power BI",
        "Dynamics 365",
    ]
    assert text(element(response, id="offer-cloud")) == (
        "GCC offers for City of Springfield's GCC tenant. Commercial offers are not listed: "
        "they can't run in a GCC tenant."
    )
    hidden = dict(response.context["customer_values"])
    assert hidden["company_name"] == "City of Springfield"
    assert hidden["gcc_validation"] == str(code.pk)
    assert Customer.objects.count() == 0

    # when: Review order
    response = client.post(REVIEW_URL, customer_data(code) | lines_data({G3: 10, D365: 5}))
    # then: the totals, nothing created yet
    assert response.templates[0].name == "orders/subscriptions_review.html"
    g3, d365 = catalogue[G3], catalogue[D365]
    expected: dict = {}
    for offer, quantity in ((g3, 10), (d365, 5)):
        expected[offer.billing_cycle] = expected.get(offer.billing_cycle, 0) + (
            offer.unit_price * quantity
        )
    assert dict(response.context["totals"]) == expected
    assert "City of Springfield (springfield.gov)" in text(element(response, id="new-customer"))
    assert not Customer.objects.exists()
    key = response.context["idempotency_key"]

    # when: Submit
    response = submit(code, {G3: 10, D365: 5}, key=key)
    # then: one GCC customer, one create of the code used, the order and its subscriptions
    customer = Customer.objects.get()
    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("orders:order_detail", args=[order.pk])
    assert order.customer == customer
    assert customer.relationships.get().organization == agent.membership.organization
    qualification = customer.qualifications.get()
    assert qualification.qualification == GCC
    assert qualification.vetting_status == CustomerQualification.VettingStatus.APPROVED
    assert qualification.validation == code
    code.refresh_from_db()
    assert code.remaining_creates == 1
    assert order.status == Order.Status.COMPLETED
    assert sorted(
        Subscription.objects.filter(customer=customer).values_list("offer__offer_id", "quantity")
    ) == sorted([(G3, 10), (D365, 5)])
    response = client.get(response.url)
    assert messages_of(response) == [
        "City of Springfield was added with the Government Community Cloud (GCC) "
        f"qualification, and order #{order.pk} was submitted. Its subscriptions are being "
        "provisioned; the confirmation goes to you by email."
    ]


def test_back_from_review_keeps_the_answers_and_quantities(client, catalogue, agent, code):
    # when: Back on the review page
    response = client.post(
        reverse("orders:new_customer_subscriptions"), customer_data(code) | lines_data({G3: 7})
    )
    # then
    assert attr(element(response, id=f"id_quantity_{G3}"), "value") == "7"
    assert dict(response.context["customer_values"])["primary_domain"] == "springfield.gov"


def test_back_to_the_customer_details_keeps_the_answers_and_the_lines(
    client, catalogue, agent, code
):
    # given
    before = snapshot()
    # when: "Back to the customer's details" on the offers page
    response = client.post(DETAILS_URL, customer_data(code) | lines_data({G3: 7}))
    # then: Add customer with every answer; the lines travel along; nothing created
    assert response.templates[0].name == "customers/customer_form.html"
    assert attr(element(response, id="id_primary_domain"), "value") == "springfield.gov"
    hidden = [
        (attr(node, "name"), attr(node, "value"))
        for node in elements(response, tag="input")
        if attr(node, "type") == "hidden"
    ]
    assert (f"quantity_{G3}", "7") in hidden
    assert snapshot() == before
    # when: Next: Subscriptions again
    response = client.post(
        NEXT_URL,
        customer_data(code)
        | {name: value for name, value in hidden if name.startswith("quantity_")},
    )
    # then: the quantity is still there
    assert attr(element(response, id=f"id_quantity_{G3}"), "value") == "7"


# -- nothing created if any step fails -------------------------------------------------------

COMMERCIAL_REFUSED = (
    "Microsoft 365 Business Basic is a commercial offer: it can't run in City of "
    "Springfield's GCC tenant. Choose a GCC offer."
)


@pytest.mark.parametrize("step", ["review", "submit"])
def test_a_commercial_line_for_the_new_gcc_customer_is_refused_next_to_its_row(
    client, catalogue, agent, code, submit, step
):
    # given
    before = snapshot()
    # when: a commercial offer is posted with a GCC one (a tampered or stale form)
    if step == "review":
        response = client.post(
            REVIEW_URL, customer_data(code) | lines_data({G3: 10, COMMERCIAL: 5})
        )
    else:
        response = submit(code, {G3: 10, COMMERCIAL: 5})
    # then: the offers again, the message next to the commercial row; nothing created
    assert response.status_code == 200
    assert response.templates[0].name == "orders/subscriptions_add.html"
    assert text(element(response, id=f"id_quantity_{COMMERCIAL}_error")) == COMMERCIAL_REFUSED
    quantity = element(response, id=f"id_quantity_{COMMERCIAL}")
    assert attr(quantity, "aria-invalid") == "true"
    assert attr(quantity, "value") == "5"
    assert attr(element(response, id=f"id_quantity_{G3}"), "value") == "10"
    assert snapshot() == before


def test_the_services_refuse_a_commercial_line_for_the_new_gcc_customer(
    catalogue, agent, code, gcc_enabled
):
    # given
    before = snapshot()
    answers = {"company_name": "City of Springfield", "special_qualification": GCC}
    # when / then: the review and the creation refuse it, next to its row
    with pytest.raises(ValidationError) as reviewed:
        services.new_customer_order_review(
            organization=gcc_enabled,
            customer_answers=answers | {"gcc_validation": code},
            lines=[OrderLine(COMMERCIAL, 5)],
        )
    with pytest.raises(ValidationError) as created:
        services.customer_create_with_order(
            organization=gcc_enabled,
            created_by=agent,
            customer_answers=answers | {"gcc_validation": code},
            lines=[OrderLine(G3, 10), OrderLine(COMMERCIAL, 5)],
            idempotency_key=uuid.uuid4(),
        )
    for refused in (reviewed, created):
        assert refused.value.message_dict == {f"quantity_{COMMERCIAL}": [COMMERCIAL_REFUSED]}
    # and nothing is created, the code untouched
    assert snapshot() == before


def test_quantity_out_of_range_at_submit_creates_nothing(catalogue, agent, code, submit):
    # given
    before = snapshot()
    # when
    response = submit(code, {G3: catalogue[G3].max_quantity + 1})
    # then: the offers again, the answers and the quantity kept; no customer, code untouched
    assert response.status_code == 200
    assert response.templates[0].name == "orders/subscriptions_add.html"
    assert response.context["form"].errors[f"quantity_{G3}"]
    assert attr(element(response, id=f"id_quantity_{G3}"), "value") == str(
        catalogue[G3].max_quantity + 1
    )
    assert dict(response.context["customer_values"])["company_name"] == "City of Springfield"
    assert snapshot() == before


def test_a_code_exhausted_meanwhile_creates_nothing(catalogue, agent, code, submit):
    # given: another agent used the code's last creates between review and submit
    GccValidation.objects.filter(pk=code.pk).update(remaining_creates=0)
    before = snapshot()
    # when
    response = submit(code, {G3: 10})
    # then: back on Add customer with the code's problem; the lines travel along, hidden
    assert response.templates[0].name == "customers/customer_form.html"
    assert response.context["form"].has_error("gcc_validation")
    assert (f"quantity_{G3}", "10") in response.context["carried_values"]
    assert snapshot() == before


def test_a_failing_order_step_rolls_back_the_customer_and_the_code(
    catalogue, agent, code, submit, monkeypatch
):
    # given: the customer is created, then placing the order fails
    before = snapshot()

    def failing_order_insert(*args, **kwargs):
        assert Customer.objects.filter(primary_domain="springfield.gov").exists()
        raise RuntimeError("order step failed")

    monkeypatch.setattr(services, "_order_insert", failing_order_insert)
    # when
    with pytest.raises(RuntimeError):
        submit(code, {G3: 10})
    # then: one transaction: no customer, no order, the code not consumed
    assert snapshot() == before


def test_a_code_exhausted_inside_the_service_rolls_back(catalogue, agent, code, gcc_enabled):
    # given
    GccValidation.objects.filter(pk=code.pk).update(remaining_creates=0)
    before = snapshot()
    answers = {key: value for key, value in customer_data(code).items() if key != "gcc_validation"}
    # when / then
    with pytest.raises(CodeExhausted):
        services.customer_create_with_order(
            organization=gcc_enabled,
            created_by=agent,
            customer_answers=answers | {"gcc_validation": code},
            lines=[services.OrderLine(offer_id=G3, quantity=10)],
            idempotency_key=uuid.uuid4(),
        )
    assert snapshot() == before


# -- idempotency and gating --------------------------------------------------------------------


def test_replayed_submit_creates_one_customer_and_one_order(catalogue, agent, gcc_enabled, submit):
    # given: a code for one customer only (the first submit uses it up)
    code = GccValidationFactory(partner=gcc_enabled, max_creates=1)
    key = uuid.uuid4()
    # when: a double click
    first = submit(code, {G3: 10}, key=key)
    second = submit(code, {G3: 10}, key=key)
    # then
    order = Order.objects.get()
    assert first.url == second.url == reverse("orders:order_detail", args=[order.pk])
    assert Customer.objects.count() == 1
    code.refresh_from_db()
    assert code.remaining_creates == 0


def test_two_submits_with_different_keys_need_two_customers(catalogue, agent, code, submit):
    # when: the same customer submitted again from a new review (another key)
    submit(code, {G3: 10})
    response = submit(code, {G3: 10})
    # then: the domain is taken: one customer, one order, one create used
    assert response.context["form"].has_error("primary_domain")
    assert (Customer.objects.count(), Order.objects.count()) == (1, 1)
    code.refresh_from_db()
    assert code.remaining_creates == 1


def test_each_step_runs_each_check_once(client, catalogue, agent, gcc_enabled, checks_counted):
    # given: a code with one create (the Submit below uses it)
    code = GccValidationFactory(partner=gcc_enabled, max_creates=1)
    answers, lines = customer_data(code), lines_data({G3: 10})

    # when: Next: Subscriptions
    with checks_counted() as next_step:
        client.post(NEXT_URL, answers)
    # when: Review order
    with checks_counted() as review:
        key = client.post(REVIEW_URL, answers | lines).context["idempotency_key"]
    # when: Submit
    with checks_counted() as submit:
        response = client.post(SUBMIT_URL, answers | lines | {"idempotency_key": str(key)})

    # then: the new customer's GCC rules on every step, the lines from the review on, the
    # actor and the key on the Submit; each once
    order = Order.objects.get()
    assert response.url == reverse("orders:order_detail", args=[order.pk])
    assert (next_step.qualification, next_step.lines, next_step.actor) == (1, 0, 0)
    assert next_step.key_lookups == 0
    assert (review.qualification, review.lines, review.actor, review.key_lookups) == (1, 1, 0, 0)
    assert (submit.qualification, submit.lines, submit.actor, submit.key_lookups) == (1, 1, 1, 1)


def test_a_replayed_submit_whose_code_is_used_up_looks_its_key_up_once(
    client, catalogue, agent, gcc_enabled, checks_counted
):
    # given: a Submit that used the code's last create
    code = GccValidationFactory(partner=gcc_enabled, max_creates=1)
    data = customer_data(code) | lines_data({G3: 10}) | {"idempotency_key": str(uuid.uuid4())}
    first = client.post(SUBMIT_URL, data)
    before = snapshot()
    # when: the same Submit again (the code has left the menu: the answers no longer parse)
    with checks_counted() as again:
        response = client.post(SUBMIT_URL, data)
    # then: the first order, found by one lookup of its key; nothing else checked or written
    assert (
        response.url == first.url == reverse("orders:order_detail", args=[Order.objects.get().pk])
    )
    assert (again.key_lookups, again.actor, again.lines, again.qualification) == (1, 0, 0, 0)
    assert snapshot() == before


def test_helpdesk_agent_gets_403_and_nothing_is_created(
    client, catalogue, code, helpdesk_agent, django_capture_on_commit_callbacks
):
    # given
    client.force_login(helpdesk_agent)
    before = snapshot()
    data = customer_data(code) | lines_data({G3: 10}) | {"idempotency_key": str(uuid.uuid4())}
    # when
    responses = [
        client.post(CREATE_URL, data | {"next_step": "subscriptions"}),
        client.post(REVIEW_URL, data),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        responses.append(client.post(SUBMIT_URL, data))
    # then
    assert [response.status_code for response in responses] == [403, 403, 403]
    assert role_refusal("Helpdesk agent") in page_text(responses[-1])
    assert snapshot() == before


def test_submit_posted_without_gcc_creates_nothing(catalogue, agent, code, submit):
    # given
    before = snapshot()
    # when: the hidden answers tampered with (no special qualification)
    response = submit(code, {COMMERCIAL: 5}, special_qualification="none")
    # then
    assert response.templates[0].name == "customers/customer_form.html"
    assert response.context["form"].has_error("special_qualification")
    assert snapshot() == before
