"""Plans on data of the test's own: a search on a bigger data set, and the sweeps on
small tables (test_plans.py's data set loaded for its whole module would be in the way)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.dataset import load
from tests.benchmarks.plans import plan_of, signed_in, sweep_plan

pytestmark = pytest.mark.django_db


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
