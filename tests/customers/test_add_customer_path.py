"""Add customer, on the partner's path: a domain already in the portal is refused where it is
typed, on Next and on Submit, with the way forward; "Submit a new request" for a validation
code keeps the answers typed so far, starts the request from them, and gives them back."""

import datetime as dt
import html

import pytest
import time_machine
from django.urls import reverse

from customers.drafts import SESSION_KEY
from customers.models import Customer
from customers.validations.models import CustomerValidationRequest
from orders.models import Order
from tests.factories import GccValidationFactory, customer_validation_form_data
from tests.helpers import customer_data, customer_of
from tests.html import attr, element, elements, error_of, has_attr, messages_of, text

pytestmark = pytest.mark.django_db

TAKEN = (
    "A new customer can't be created with springfield.gov. If the organization already works "
    "with Microsoft, send it a reseller relationship request instead. Request a reseller "
    "relationship"
)


@pytest.fixture
def taken_domain(other_organization):
    """springfield.gov: another partner's customer (this one can't know it)."""
    return customer_of(other_organization, primary_domain="springfield.gov").primary_domain


def _way_forward(response) -> list[str]:
    error = element(response, id="id_primary_domain_error")
    return [attr(a, "href") for a in elements(None, tag="a", within=error)]


# -- the domain, where it is typed --------------------------------------------------------


def test_a_taken_domain_is_refused_as_it_is_typed_with_the_way_forward(
    client, admin_agent, gcc_enabled, taken_domain
):
    client.force_login(admin_agent)

    response = client.get(
        reverse("customers:customer_domain_check"), {"domain": " Springfield.GOV "}
    )

    assert response.status_code == 200
    message = html.unescape(response.json()["message"])  # HTML: it holds a link
    assert message.startswith("A new customer can't be created with springfield.gov. ")
    assert f'<a href="{reverse("customers:invitation_list")}">' in message
    assert message.endswith("Request a reseller relationship</a>")


def test_a_free_domain_passes_and_a_malformed_one_gets_the_forms_words(
    client, admin_agent, gcc_enabled, taken_domain
):
    client.force_login(admin_agent)
    url = reverse("customers:customer_domain_check")

    assert client.get(url, {"domain": "shelbyville.gov"}).json() == {"message": ""}
    malformed = client.get(url, {"domain": "https://<b>x</b>"}).json()["message"]
    assert malformed.startswith("Enter a domain name such as contoso.gov")
    # text, escaped: nothing typed comes back as markup
    assert "<b>" not in malformed


def test_the_check_says_the_same_for_this_partners_own_customer(
    client, admin_agent, gcc_enabled, organization
):
    customer_of(organization, primary_domain="springfield.gov")
    client.force_login(admin_agent)

    response = client.get(reverse("customers:customer_domain_check"), {"domain": "springfield.gov"})

    assert html.unescape(response.json()["message"]).startswith(
        "A new customer can't be created with springfield.gov. "
    )


def test_the_check_is_for_signed_in_agents_who_may_add_customers(client, helpdesk_agent, db):
    url = reverse("customers:customer_domain_check") + "?domain=springfield.gov"
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(helpdesk_agent)
    assert client.get(url).status_code == 403


# Frozen mid-minute: the limit counts per clock minute, and 61 checks on a loaded machine could
# otherwise straddle a minute's end and start a new count (it failed so once).
@time_machine.travel(dt.datetime(2026, 12, 2, 15, 0, 30, tzinfo=dt.UTC), tick=False)
def test_the_check_is_rate_limited_per_user(client, admin_agent, gcc_enabled):
    client.force_login(admin_agent)
    url = reverse("customers:customer_domain_check")

    statuses = [client.get(url, {"domain": f"d{n}.gov"}).status_code for n in range(61)]

    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429


def test_the_domain_field_carries_the_check_url(client, admin_agent, gcc_enabled):
    client.force_login(admin_agent)

    response = client.get(reverse("customers:customer_create"))

    assert attr(element(response, id="id_primary_domain"), "data-domain-check") == reverse(
        "customers:customer_domain_check"
    )


# -- ... on Next and on Submit ------------------------------------------------------------


def test_next_subscriptions_refuses_a_taken_domain_on_add_customer(
    client, admin_agent, gcc_enabled, taken_domain, organization
):
    code = GccValidationFactory(partner=organization, organization_name="Springfield")
    client.force_login(admin_agent)
    data = customer_data(special_qualification="GovernmentCommunityCloud", gcc_validation=code.pk)

    response = client.post(reverse("orders:new_customer_subscriptions"), data)

    # Add customer again, the domain marked with the way forward, not the offers
    assert response.status_code == 200
    assert response.templates[0].name == "customers/customer_form.html"
    assert error_of(response, "primary_domain") == TAKEN
    assert _way_forward(response) == [reverse("customers:invitation_list")]
    # the summary links to the field, with the words only (no link inside the link)
    summary_links = elements(None, tag="a", within=element(response, id="form-errors"))
    assert [(attr(a, "href"), text(a)) for a in summary_links] == [
        ("#id_primary_domain", f"Primary domain: {TAKEN}")
    ]
    # every answer typed is still there
    assert attr(element(response, id="id_company_name"), "value") == "City of Springfield"
    assert Order.objects.count() == 0


def test_submit_refuses_a_taken_domain_next_to_the_field(
    client, admin_agent, gcc_enabled, taken_domain
):
    client.force_login(admin_agent)

    response = client.post(reverse("customers:customer_create"), customer_data())

    assert response.status_code == 200
    assert error_of(response, "primary_domain") == TAKEN
    assert Customer.objects.count() == 1


# -- typed data kept while asking for a code ----------------------------------------------


def _to_validation_request(client, **overrides):
    data = customer_data(special_qualification="GovernmentCommunityCloud", **overrides)
    response = client.post(reverse("customers:customer_draft_to_validation"), data)
    return data, response


def test_submit_a_new_request_starts_the_request_from_the_typed_answers(
    client, admin_agent, gcc_enabled
):
    client.force_login(admin_agent)

    _, response = _to_validation_request(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("customers:validation_create")
    page = client.get(response["Location"])
    values = {
        name: attr(element(page, id=f"id_{name}"), "value")
        for name in (
            "organization_legal_name",
            "government_domain",
            "contact_name",
            "contact_email",
            "contact_phone",
        )
    }
    assert values == {
        "organization_legal_name": "City of Springfield",
        "government_domain": "Springfield.GOV",
        "contact_name": "Robin Clerk",
        "contact_email": "robin@springfield.example",
        "contact_phone": "+1 217 555 0199",
    }
    # and says how to go back
    note = element(page, id="add-customer-draft-note")
    assert [attr(a, "href") for a in elements(None, tag="a", within=note)] == [
        reverse("customers:customer_create")
    ]


def test_coming_back_to_add_customer_gives_the_answers_back_once(client, admin_agent, gcc_enabled):
    client.force_login(admin_agent)
    data, _ = _to_validation_request(client, quantity_x="3")

    response = client.get(reverse("customers:customer_create"))

    form = response.context["form"]
    assert not form.is_bound  # shown as typed, not judged
    for name in ("company_name", "primary_domain", "city", "contact_email", "idempotency_key"):
        assert attr(element(response, id=f"id_{name}"), "value") == data[name]
    assert has_attr(element(response, id="id_special_qualification_3"), "checked")
    assert messages_of(response) == ["Your answers were kept. Check them and continue."]
    # order lines carried from Next: Subscriptions come back with them
    hidden = [
        (attr(i, "name"), attr(i, "value"))
        for i in elements(response, tag="input")
        if attr(i, "type") == "hidden"
    ]
    assert ("quantity_x", "3") in hidden
    # once: a later visit starts afresh
    again = client.get(reverse("customers:customer_create"))
    assert attr(element(again, id="id_company_name"), "value") is None
    assert SESSION_KEY not in client.session


def test_the_submitted_request_offers_the_way_back_to_add_customer(
    client, admin_agent, gcc_enabled, organization
):
    client.force_login(admin_agent)
    _to_validation_request(client)

    response = client.post(
        reverse("customers:validation_create"), customer_validation_form_data(organization)
    )

    validation = CustomerValidationRequest.objects.get()
    assert response["Location"] == reverse("customers:validation_detail", args=[validation.pk])
    detail = client.get(response["Location"])
    note = element(detail, id="add-customer-draft-note")
    assert [attr(a, "href") for a in elements(None, tag="a", within=note)] == [
        reverse("customers:customer_create")
    ]


def test_without_a_draft_the_request_starts_empty_and_says_nothing(
    client, admin_agent, gcc_enabled
):
    client.force_login(admin_agent)

    page = client.get(reverse("customers:validation_create"))

    assert attr(element(page, id="id_organization_legal_name"), "value") is None
    assert not elements(page, id="add-customer-draft-note")


def test_keeping_answers_needs_an_agent_who_may_add_customers(client, helpdesk_agent):
    client.force_login(helpdesk_agent)

    response = client.post(reverse("customers:customer_draft_to_validation"), customer_data())

    assert response.status_code == 403
    assert SESSION_KEY not in client.session
