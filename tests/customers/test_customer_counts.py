"""Each organization's customer count (`CustomerCount`), kept as relationships are made: what the
Customers list counts instead of counting the relationships on each view (issue 16)."""

import importlib
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import selectors as customer_selectors
from customers import services
from customers.models import CustomerCount, CustomerRelationship
from customers.selectors import customer_count_for_org
from tests.factories import CustomerFactory, OrganizationFactory
from tests.helpers import (
    agent_of,
    customer_data,
    customer_of,
    invitation_accepted_by,
    invitation_sent,
)
from tests.html import page_text

pytestmark = pytest.mark.django_db


def kept(organization) -> int:
    return customer_count_for_org(organization=organization)


def counted(organization) -> int:
    return CustomerRelationship.objects.filter(organization=organization).count()


def added_by(run, organization, agent, **overrides):
    data = customer_data(**overrides)
    data.pop("idempotency_key")
    return run(
        services.customer_create,
        organization=organization,
        created_by=agent,
        idempotency_key=uuid.uuid4(),
        **data,
    )


def test_an_organization_with_no_customer_counts_none(organization):
    assert kept(organization) == 0
    assert not CustomerCount.objects.filter(organization=organization).exists()


def test_a_direct_resellers_new_customers_are_counted(run, organization, admin_agent, gcc_enabled):
    added_by(run, organization, admin_agent, primary_domain="one.gov")
    added_by(run, organization, admin_agent, primary_domain="two.gov")

    assert kept(organization) == counted(organization) == 2


def test_a_resellers_new_customer_counts_for_its_provider_too(run, provider_and_reseller):
    provider, reseller = provider_and_reseller
    agent = agent_of(reseller)

    added_by(run, reseller, agent)

    assert (kept(reseller), kept(provider)) == (1, 1)
    assert (counted(reseller), counted(provider)) == (1, 1)


def test_an_accepted_invitation_counts_once_even_for_a_customer_the_provider_saw(
    run, provider_and_reseller
):
    provider, reseller = provider_and_reseller
    added_by(run, reseller, agent_of(reseller), primary_domain="ogden-city.gov")
    assert kept(provider) == 1  # seen through the reseller

    # The provider's own invitation makes that customer its own: the same relationship.
    invitation_accepted_by(run, invitation_sent(provider))
    invitation_accepted_by(run, invitation_sent(provider), domain="provo.gov")  # a new one

    assert kept(provider) == counted(provider) == 2
    assert kept(reseller) == counted(reseller) == 1


def test_each_addition_is_one_statement_that_reads_nothing(organization):
    CustomerCount.add_one(organization_id=organization.pk)
    with CaptureQueriesContext(connection) as queries:
        CustomerCount.add_one(organization_id=organization.pk)

    assert kept(organization) == 2
    assert len(queries) == 1
    assert "ON CONFLICT" in queries[0]["sql"]


def test_recount_counts_relationships_made_without_the_model(organization, other_organization):
    CustomerRelationship.objects.bulk_create(  # bulk_create: no save(), nothing counted
        [
            CustomerRelationship(
                organization=organization, customer=customer, customer_name="x", customer_search="X"
            )
            for customer in CustomerFactory.create_batch(3)
        ]
    )
    customer_of(other_organization)
    assert kept(organization) == 0

    CustomerCount.recount()

    assert (kept(organization), kept(other_organization)) == (3, 1)


def test_the_migration_counts_the_relationships_made_before_it(organization):
    for _ in range(3):
        customer_of(organization)
    customer_of(OrganizationFactory())
    CustomerCount.objects.all().delete()
    migration = importlib.import_module("customers.migrations.0024_customer_counts")

    migration.count_relationships(apps, None)
    migration.count_relationships(apps, None)  # twice: the same counts

    assert kept(organization) == 3
    assert CustomerCount.objects.count() == 2


def test_the_customers_list_reads_the_kept_count_and_counts_no_relationship(
    client, organization, sales_agent
):
    for _ in range(21):
        customer_of(organization)
    client.force_login(sales_agent)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("customers:customer_list"))

    assert response.status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts == [], counts
    assert response.context["page"].paginator.count == 21  # pages 1 and 2


def test_a_search_is_still_counted_on_the_relationships(client, organization, sales_agent):
    customer_of(organization, company_name="Ogden City")
    customer_of(organization, company_name="Provo County")
    client.force_login(sales_agent)

    response = client.get(reverse("customers:customer_list"), {"q": "ogden"})

    assert "Ogden City" in page_text(response)
    assert "Provo County" not in page_text(response)


# -- deep pages read from the end ------------------------------------------------------------


@pytest.mark.parametrize("number", ["1", "2", "3", "4", "5", "6"])
def test_every_page_lists_the_customers_in_name_order_from_either_end(
    client, organization, sales_agent, number
):
    # 103 customers, some with the same name (the ID breaks the tie): pages 1-3 are read
    # from the start, 4-6 from the end (page 6 is three customers).
    names = [f"Town {n % 40:02d}" for n in range(103)]
    made = [customer_of(organization, company_name=name) for name in names]
    in_order = [c.pk for c in sorted(made, key=lambda c: (c.company_name, c.pk))]
    client.force_login(sales_agent)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("customers:customer_list"), {"page": number})

    page = int(number)
    assert [c.pk for c in response.context["page"]] == in_order[(page - 1) * 20 : page * 20]
    [keys] = [q["sql"] for q in queries if 'SELECT "customers_customerrelationship"' in q["sql"]]
    backwards = '"customers_customerrelationship"."customer_name" DESC' in keys
    assert backwards == (page > 3), keys


def test_a_search_past_the_count_limit_is_read_from_the_start(
    client, organization, sales_agent, monkeypatch
):
    # 45 matches, counted up to 30: pages 1-2 list the first 30 in order; page 2 is past the
    # middle of those, but the list's end is not known, so it is read from the start.
    monkeypatch.setattr(customer_selectors, "SEARCH_COUNT_LIMIT", 30)
    made = [customer_of(organization, company_name=f"County {n:02d}") for n in range(45)]
    client.force_login(sales_agent)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("customers:customer_list"), {"q": "county", "page": "2"})

    assert [c.pk for c in response.context["page"]] == [c.pk for c in made[20:30]]
    assert not [q for q in queries if "DESC" in q["sql"]]


def test_a_searchs_pages_are_slices_of_its_matches_read_once_with_the_count(
    client, organization, sales_agent
):
    made = [customer_of(organization, company_name=f"County {n:02d}") for n in range(45)]
    customer_of(organization, company_name="Elsewhere")
    client.force_login(sales_agent)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("customers:customer_list"), {"q": "county", "page": "3"})

    # The last page: the matches' IDs read once in list order (the count is their number),
    # nothing counted, nothing read backwards.
    assert [c.pk for c in response.context["page"]] == [c.pk for c in made[40:]]
    assert response.context["page"].paginator.count == 45
    relationship_reads = [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "customers_customerrelationship"')
    ]
    assert len(relationship_reads) == 1, relationship_reads
    assert not [q for q in queries if q["sql"].startswith("SELECT COUNT")]
    assert "DESC" not in relationship_reads[0]
