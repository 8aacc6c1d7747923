"""The indexes that serve the long lists, proven on PostgreSQL's plans: each page's query,
as the page runs it, on the benchmark's data set (at a twentieth of its scale: enough rows
for the planner to prefer an index to a scan), explained. The plans on tables of the tests'
own are in test_plans_own_data.py."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.dataset import load
from customers.models import CustomerRelationship
from orders.catalogue import catalogue_load
from orders.models import Offer
from tests.benchmarks.plans import plan_of, signed_in, sweep_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """All the organizations (one partner validation request each), a twentieth of the rest:
    loaded (committed) once for this module's tests, each of which runs in a transaction rolled
    back after it, as usual; the database is flushed after the module (the migrations' data
    comes back as after a transactional test: tests/conftest.py)."""
    with django_db_blocker.unblock():
        if not Offer.objects.exists():  # flushed by an earlier transactional test
            catalogue_load(Offer)
        loaded = load(scale=0.05, organizations=2_000)
    try:
        yield loaded
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("page", [1, 20, 40])
def test_the_customers_list_reads_a_pages_keys_in_order_from_the_relationship_index(loaded, page):
    client = signed_in(loaded.reseller_agent_email)
    path = f"/customers/?page={page}"
    # (Page 40 is past the middle: read backwards, from the end.)
    # Deep in this test's 1,000 customers, sorting them all is cheaper than reading the index;
    # at the benchmark's 20,000 the planner reads the index (docs/benchmarks.md): here, that
    # the index gives the order.
    plan = plan_of(client, path, "customers_customerrelationship", sort=page == 1)
    assert "relationship_list_idx" in plan, plan
    assert "Sort" not in plan, plan  # read in the list's order
    # Then only that page's customers are read, by their IDs.
    rows = plan_of(client, path, "customers_customer")
    assert "customers_customer_pkey" in rows, rows


@pytest.mark.parametrize(
    ("path", "table", "index"),
    [
        (
            "/admin/customers/customervalidationrequest/",
            "customers_customervalidationrequest",
            "customervalidationrequest_q",
        ),
        (
            "/admin/partners/partnervalidationrequest/",
            "partners_partnervalidationrequest",
            "partnervalidationrequest_q",
        ),
    ],
)
def test_the_reviewers_queue_reads_open_requests_in_its_order_from_its_index(
    loaded, path, table, index
):
    plan = plan_of(signed_in(loaded.reviewer_email), path, table)
    assert index in plan, plan
    assert "Sort" not in plan.split(index)[0], plan  # no sort above the index scan


@pytest.mark.parametrize(
    ("path", "table", "indexes", "never_read_whole"),
    [
        (
            "/admin/customers/customervalidationrequest/",
            "customers_customervalidationrequest",
            ["cvr_conflict_domain_idx", "cvr_conflict_contact_idx"],
            "customers_customervalidationrequest",
        ),
        # The partner's tenant ID looked up on each index (an OR across a join read all 2,000
        # organizations for each row: 39 ms on the bench data, now 0.3 ms).
        (
            "/admin/partners/partnervalidationrequest/",
            "partners_partnervalidationrequest",
            ["pvr_conflict_tenant_idx"],
            "partners_organization",
        ),
    ],
)
def test_the_queues_conflict_count_reads_its_indexes(
    loaded, path, table, indexes, never_read_whole
):
    plan = plan_of(signed_in(loaded.reviewer_email), path, table)
    # Each rule an EXISTS on an index, never a scan of a whole table.
    for index in indexes:
        assert index in plan, plan
    assert f"Seq Scan on {never_read_whole}" not in plan, plan


def test_the_customer_validation_requests_list_reads_newest_first_from_its_index(loaded):
    plan = plan_of(
        signed_in(loaded.reseller_agent_email),
        "/customers/validations/",
        "customers_customervalidationrequest",
    )
    assert "customervalidationrequest_org" in plan, plan
    assert "Sort" not in plan.split("customervalidationrequest_org")[0], plan


def counts_of(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]


def test_the_customers_list_counts_nothing_and_reads_the_kept_count(loaded):
    client = signed_in(loaded.reseller_agent_email)
    assert counts_of(client, "/customers/") == []
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/customers/")
    [kept] = [q["sql"] for q in queries.captured_queries if "customers_customercount" in q["sql"]]
    assert '"customers_customercount"."organization_id" = ' in kept, kept  # its primary key
    relationships = CustomerRelationship.objects.filter(organization_id=loaded.reseller_id)
    assert response.context["page"].paginator.count == relationships.count() > 0


def test_the_reviewers_queue_counts_only_the_requests_it_shows(loaded):
    counts = counts_of(
        signed_in(loaded.reviewer_email), "/admin/customers/customervalidationrequest/"
    )
    # The open requests (the queue's filter), never the whole table as well.
    assert counts and all("WHERE" in sql for sql in counts), counts


# -- the beat sweeps: one query, from an index, for the rows with work to do ----------------


@pytest.mark.parametrize(
    ("model_label", "index"),
    [
        ("customers.CustomerValidationRequest", "customervalidationrequest_sla"),
        ("partners.PartnerValidationRequest", "partnervalidationrequest_sla"),
    ],
)
def test_the_sla_sweep_selects_the_requests_with_work_to_do_from_their_index(
    loaded, model_label, index
):
    from django.apps import apps

    from benchmarks.sweeps import loaded_at
    from reviews.services import review_sla_sweep

    model = apps.get_model(model_label)
    plan = sweep_plan(
        lambda: review_sla_sweep(
            model=model, remind=lambda r: None, escalate=lambda r: None, now=loaded_at()
        ),
        model._meta.db_table,
    )
    assert index in plan, plan
    assert "Seq Scan" not in plan, plan
