"""The indirect provider's side (Partner Center: it is the partner of record of its indirect
resellers' customers): every customer a reseller adds or gains through an accepted invitation
is the provider's too, through the reseller; the provider sees it read-only (the reseller
acts) and is told when a reseller uses one of its validation codes. Another organization,
provider or not, never sees it."""

import importlib
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import services
from customers.models import CustomerRelationship
from customers.selectors import customer_get_for_org, customer_list_for_org
from notifications.models import OutboxMessage
from orders.models import Offer, Order
from partners.models import Membership, Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD as GCC
from reviews.models import AuditEvent
from tests.factories import GccValidationFactory, OrganizationFactory
from tests.helpers import (
    agent_of,
    customer_data,
    customer_of,
    invitation_accepted_by,
    invitation_sent,
)
from tests.html import attr, element, elements, page_text, text

pytestmark = pytest.mark.django_db

CODE_EMAIL = "emails/customers/code_used_by_reseller"
READ_ONLY_NOTE = (
    "Northwind Partners, your indirect reseller, manages this customer. As its indirect "
    "provider, you are the partner of record and see the customer here, read-only: Northwind "
    "Partners places its orders and makes its changes."
)


def rows(customer) -> set[tuple]:
    return set(customer.relationships.values_list("organization", "indirect_reseller"))


def answers(**overrides) -> dict:
    data = customer_data(**overrides)
    data.pop("idempotency_key")
    return data


@pytest.fixture
def people(provider_and_reseller):
    """The provider with two Admin agents (one inactive) and a Sales agent; the reseller's Sales
    agent."""
    provider, reseller = provider_and_reseller
    provider_admins = [
        agent_of(provider, Membership.Role.ADMIN_AGENT, email="frankie@fabrikam.example"),
        agent_of(provider, Membership.Role.ADMIN_AGENT, email="gone@fabrikam.example"),
    ]
    provider_admins[1].is_active = False
    provider_admins[1].save()
    agent_of(provider, Membership.Role.SALES_AGENT, email="sales@fabrikam.example")
    return provider, reseller, agent_of(reseller, email="noor@northwind.example")


def reseller_adds(run, reseller, agent, code=None, **overrides):
    gcc = {"special_qualification": GCC, "gcc_validation": code} if code else {}
    return run(
        services.customer_create,
        organization=reseller,
        created_by=agent,
        idempotency_key=uuid.uuid4(),
        **{**answers(**overrides), **gcc},
    )


# -- linked to both ----------------------------------------------------------------------


def test_a_resellers_new_customer_is_its_providers_too_through_it(run, people):
    provider, reseller, agent = people

    customer = reseller_adds(run, reseller, agent)

    assert rows(customer) == {(reseller.pk, None), (provider.pk, reseller.pk)}
    event = AuditEvent.objects.for_subject(customer).get(organization=provider)
    assert (event.action, event.note, event.actor) == (
        "provider_relationship_created",
        "Northwind Partners",
        None,
    )


def test_a_direct_resellers_customer_is_its_own_only(run, organization, admin_agent, gcc_enabled):
    customer = run(
        services.customer_create,
        organization=organization,
        created_by=admin_agent,
        idempotency_key=uuid.uuid4(),
        **answers(),
    )

    assert rows(customer) == {(organization.pk, None)}


def test_an_accepted_invitation_of_an_indirect_reseller_links_the_customer_to_both(run, people):
    provider, reseller, agent = people
    invitation = invitation_sent(reseller, agent)

    acceptance = invitation_accepted_by(run, invitation)

    assert rows(acceptance.customer) == {(reseller.pk, None), (provider.pk, reseller.pk)}


def test_a_providers_own_invitation_makes_a_customer_it_saw_through_a_reseller_its_own(run, people):
    provider, reseller, agent = people
    customer = reseller_adds(run, reseller, agent, primary_domain="ogden-city.gov")
    invitation = invitation_sent(provider)

    invitation_accepted_by(run, invitation)

    assert rows(customer) == {(reseller.pk, None), (provider.pk, None)}


def test_the_migration_links_the_providers_of_existing_resellers_customers(people):
    provider, reseller, _ = people
    older = customer_of(reseller)  # a relationship of before: the reseller's only
    assert rows(older) == {(reseller.pk, None)}
    migration = importlib.import_module(
        "customers.migrations.0007_customerrelationship_indirect_reseller"
    )

    migration.link_indirect_providers(apps, None)
    migration.link_indirect_providers(apps, None)  # twice: nothing more

    assert rows(older) == {(reseller.pk, None), (provider.pk, reseller.pk)}


# -- told when its codes are used ----------------------------------------------------------


def test_the_provider_is_told_when_a_reseller_uses_its_code(run, people):
    provider, reseller, agent = people
    code = GccValidationFactory(
        partner=provider,
        source_request__organization=reseller,
        organization_name="Springfield County",
        max_creates=3,
        remaining_creates=3,
    )

    customer = reseller_adds(run, reseller, agent, code=code, company_name="Springfield County")

    # its active Admin agents, once each
    (message,) = OutboxMessage.objects.filter(template=CODE_EMAIL)
    assert message.to_email == "frankie@fabrikam.example"
    assert message.subject == (
        "Northwind Partners used your GCC validation code to add Springfield County"
    )
    assert (
        f"Your indirect reseller Northwind Partners used your GCC validation code "
        f"{code.validation_id} (Springfield County) to add Springfield County "
        f"(springfield.gov) with the Government Community Cloud (GCC) qualification."
    ) in " ".join(message.body_text.split())
    assert "The code can create 2 more customers." in message.body_text
    assert reverse("customers:customer_account", args=[customer.pk]) in message.body_text


def test_a_provider_using_its_own_code_is_not_told(run, people):
    provider, _, _ = people
    agent = agent_of(provider)
    code = GccValidationFactory(partner=provider, organization_name="Springfield County")

    reseller_adds(run, provider, agent, code=code)

    assert not OutboxMessage.objects.filter(template=CODE_EMAIL).exists()


# -- seen read-only --------------------------------------------------------------------------


@pytest.fixture
def resellers_customer(run, people):
    """Springfield County: the reseller's GCC customer, with one completed order."""
    provider, reseller, agent = people
    code = GccValidationFactory(
        partner=provider, source_request__organization=reseller, organization_name="Springfield"
    )
    customer = reseller_adds(run, reseller, agent, code=code, company_name="Springfield County")
    offer = Offer.objects.filter(requires_gcc=True).order_by("pk").first()
    order = Order.objects.create(
        organization=reseller,
        customer=customer,
        idempotency_key=uuid.uuid4(),
        partner_id_on_record=reseller.partner_id,
        created_by=agent,
        status=Order.Status.COMPLETED,
    )
    order.line_items.create(line_item_number=0, offer=offer, quantity=5, unit_price=1)
    return customer, order


def test_the_provider_lists_its_resellers_customers_and_says_who_manages_them(
    client, people, resellers_customer
):
    provider, _, _ = people
    own = customer_of(provider, company_name="Adams County")
    client.force_login(agent_of(provider))

    response = client.get(reverse("customers:customer_list"))

    table_rows = elements(None, tag="tr", within=element(response, id="customer-table"))[1:]
    assert [text(row) for row in table_rows] == [
        f"Adams County {own.primary_domain} None",
        "Springfield County Managed by Northwind Partners, your indirect reseller (read-only) "
        "springfield.gov Government Community Cloud (GCC)",
    ]


def test_the_provider_sees_the_account_read_only(client, people, resellers_customer):
    provider, _, _ = people
    customer, order = resellers_customer
    client.force_login(agent_of(provider))  # a Sales agent: may order for its own customers

    response = client.get(reverse("customers:customer_account", args=[customer.pk]))

    assert response.status_code == 200
    assert text(element(response, id="managed-by-reseller")) == READ_ONLY_NOTE
    section = element(response, id="orders-and-subscriptions")
    # the reseller's order, shown, but no link to it and no Add subscriptions
    assert f"Order #{order.pk}" in text(section)
    assert elements(None, tag="a", within=section) == []
    assert "Add subscriptions" not in page_text(response)


def test_the_provider_may_not_order_for_its_resellers_customer(client, people, resellers_customer):
    provider, _, _ = people
    customer, _ = resellers_customer
    client.force_login(agent_of(provider))

    page = client.get(reverse("orders:subscriptions_add", args=[customer.pk]))
    review = client.post(
        reverse("orders:subscriptions_review", args=[customer.pk]), {"quantity_gcc-o365-g3": 5}
    )

    assert (page.status_code, review.status_code) == (404, 404)
    with pytest.raises(type(customer).DoesNotExist):
        customer_get_for_org(organization=provider, customer_id=customer.pk)


def test_the_reseller_still_acts_for_its_customer(client, people, resellers_customer):
    _, _, agent = people
    customer, order = resellers_customer
    client.force_login(agent)

    response = client.get(reverse("customers:customer_account", args=[customer.pk]))

    assert not elements(response, id="managed-by-reseller")
    links = [attr(a, "href") for a in elements(response, tag="a")]
    assert reverse("orders:subscriptions_add", args=[customer.pk]) in links
    assert reverse("orders:order_detail", args=[order.pk]) in links


def test_another_provider_or_reseller_never_sees_it(client, people, resellers_customer):
    customer, order = resellers_customer
    other_provider = OrganizationFactory(partner_type=Organization.PartnerType.INDIRECT_PROVIDER)
    other_reseller = OrganizationFactory(
        partner_type=Organization.PartnerType.INDIRECT_RESELLER, indirect_provider=other_provider
    )
    for organization in (other_provider, other_reseller):
        client.force_login(agent_of(organization))
        listed = client.get(reverse("customers:customer_list")).context["page"].object_list
        assert list(listed) == []
        for url in (
            reverse("customers:customer_account", args=[customer.pk]),
            reverse("orders:order_detail", args=[order.pk]),
        ):
            assert client.get(url).status_code == 404, url


def test_the_providers_list_makes_the_same_queries_for_few_or_many_customers(client, run, people):
    provider, reseller, agent = people
    client.force_login(agent_of(provider))
    url = reverse("customers:customer_list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    reseller_adds(run, reseller, agent, primary_domain="a1.gov")
    few = queries()
    for n in range(2, 8):
        reseller_adds(run, reseller, agent, primary_domain=f"a{n}.gov")
    customer_of(provider)

    assert queries() == few
    assert customer_list_for_org(organization=provider).count() == 8
    assert CustomerRelationship.objects.filter(organization=provider).count() == 8
