"""The indexes that serve the long lists, proven on PostgreSQL's plans: each page's query,
as the page runs it, on the benchmark's data set (at a twentieth of its scale: enough rows
for the planner to prefer an index to a scan), explained."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.dataset import load
from customers.models import CustomerRelationship
from tests.mfa import PortalClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    # All the organizations (one partner validation request each), a twentieth of the rest.
    return load(scale=0.05, organizations=2_000)


def plan_of(client, path: str, table: str, *, sort: bool = True) -> str:
    """PostgreSQL's plan of the page's query that reads `table`'s rows (its ORDER BY one);
    `sort=False`: the plan when sorting is the planner's last resort (does an index give the
    order?)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    [sql] = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT")
        and f'FROM "{table}"' in q["sql"]
        and "ORDER BY" in q["sql"]
    ]
    with connection.cursor() as cursor:
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def signed_in(email: str) -> PortalClient:
    client = PortalClient()
    client.force_login(get_user_model().objects.get(email=email))
    return client


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


def test_a_customers_search_reads_the_matching_relationships_from_the_trigram_index():
    # Enough of the organization's customers that reading them all costs more than the
    # index: 20,000 (of 100,000).
    loaded = load(scale=0.05, customers=100_000, reseller_customers=20_000)
    from customers.selectors import customer_list_for_org
    from partners.models import Organization

    reseller = Organization.objects.get(pk=loaded.reseller_id)
    client = signed_in(loaded.reseller_agent_email)
    word = customer_list_for_org(organization=reseller).first().company_name.split()[-2]
    plan = plan_of(client, f"/customers/?q={word}", "customers_customerrelationship")
    assert "relationship_search_trgm" in plan, plan
    # A word a fifth of all customers share: the organization's own relationships are
    # searched, never every organization's customers.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/customers/?q=county").status_code == 200
    searched = [q["sql"] for q in queries.captured_queries if "LIKE" in q["sql"]]
    assert len(searched) == 1, searched  # the matches' keys: counted and paged in one read
    assert all('FROM "customers_customerrelationship"' in sql for sql in searched), searched
    assert not any('"customers_customer"' in sql for sql in searched), searched


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


def sweep_plan(sweep, table: str, *, seqscan: bool = True) -> str:
    """PostgreSQL's plan of the sweep's first query of `table` (its selecting query)."""
    with CaptureQueriesContext(connection) as queries:
        sweep()
    sql = next(
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("SELECT", "DELETE")) and f'FROM "{table}"' in q["sql"]
    )
    with connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


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


def _other_sweeps():
    import datetime as dt

    from django.utils import timezone

    from customers.invitations.models import ResellerInvitation
    from customers.invitations.services import invitation_expire_sweep
    from customers.validations.bulk.models import BulkSubmission
    from customers.validations.bulk.services import bulk_submission_purge
    from jobs.models import TaskDelivery
    from jobs.services import task_delivery_purge
    from notifications.models import OutboxMessage
    from notifications.services import outbox_sweep
    from orders.models import Order
    from orders.services import order_provisioning_sweep
    from webhooks.models import WebhookDelivery
    from webhooks.services import webhook_sweep

    now = timezone.now() + dt.timedelta(days=60)
    return [
        (outbox_sweep, OutboxMessage, "outbox_due_idx"),
        (webhook_sweep, WebhookDelivery, "webhook_delivery_due_idx"),
        (order_provisioning_sweep, Order, Order._meta.indexes[0].name),
        (invitation_expire_sweep, ResellerInvitation, ResellerInvitation._meta.indexes[0].name),
        (task_delivery_purge, TaskDelivery, TaskDelivery._meta.indexes[0].name),
        (bulk_submission_purge, BulkSubmission, "cvr_bulk_purge_idx"),
    ], now


@pytest.mark.parametrize(
    "number",
    range(6),
    ids=["outbox", "webhooks", "orders", "invitations", "jobs", "bulk-uploads"],
)
def test_every_other_sweep_selects_its_rows_with_one_query_an_index_serves(number):
    # The table is small here: the planner is told not to scan it, to show an index can serve
    # the whole filter (the status and the time), as it does on the full tables.
    sweeps, now = _other_sweeps()
    sweep, model, index = sweeps[number]
    plan = sweep_plan(lambda: sweep(now=now), model._meta.db_table, seqscan=False)
    assert index in plan, plan
    assert "Filter" not in plan, plan  # all of the filter in the index's condition
