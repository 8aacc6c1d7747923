"""With a real Celery worker process on Redis: an order is provisioned by the worker; an order
whose provisioning kills the worker's child fails after a bounded number of deliveries."""

import re
import uuid

import pytest

from jobs.models import TaskDelivery
from orders import services
from orders.catalogue import catalogue_load
from orders.models import Offer, Order, OrderLineItem, Subscription
from orders.services import OrderLine
from partners.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, ResellerQualificationFactory
from tests.helpers import customer_of
from tests.worker import read_sent_emails, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_real_worker_provisions_the_order_and_emails_the_confirmation(celery_worker_process):
    # Given a GCC-enabled partner, a GCC customer and the catalogue
    catalogue_load(Offer)
    organization = OrganizationFactory()
    ResellerQualificationFactory(organization=organization)
    agent = MembershipFactory(organization=organization, role=Membership.Role.SALES_AGENT).user
    customer = customer_of(organization, gcc=True)

    # When the agent places an order (dispatched to the broker after commit)
    order = services.order_place(
        organization=organization,
        created_by=agent,
        customer_id=customer.pk,
        lines=[OrderLine("gcc-o365-g5", 12, "G5 seats")],
        idempotency_key=uuid.uuid4(),
    )
    assert order.status == Order.Status.SUBMITTED

    # Then the worker provisions it and the confirmation goes out through the outbox
    wait_for(lambda: Order.objects.filter(pk=order.pk, status=Order.Status.COMPLETED).exists())
    subscription = Subscription.objects.get(customer=customer)
    assert (subscription.offer.offer_id, subscription.quantity) == ("gcc-o365-g5", 12)
    sent = wait_for(lambda: read_sent_emails(celery_worker_process.email_dir))
    assert len(sent) == 1
    assert f"Order #{order.pk} for {customer.company_name} is complete" in sent[0]
    assert str(subscription.subscription_id) in sent[0]


def test_an_order_that_kills_its_worker_fails_after_n_deliveries_and_the_next_completes(
    celery_worker_factory,
):
    # Given a prefork worker (one child, replaced when it dies) where provisioning Power BI
    # Pro GCC kills the child, and two deliveries allowed per task message
    catalogue_load(Offer)
    worker = celery_worker_factory(
        pool_args=("--pool=prefork", "--concurrency=1", "--max-tasks-per-child=200"),
        env={
            "ORDERS_SIMULATED_CRASHING_OFFER_IDS": "gcc-powerbi-pro",
            "CELERY_TASK_MAX_DELIVERIES": "2",
            "ORDERS_LINE_MAX_ATTEMPTS": "10",  # the task's delivery guard is what stops it
        },
    )
    organization = OrganizationFactory()
    ResellerQualificationFactory(organization=organization)
    agent = MembershipFactory(organization=organization, role=Membership.Role.SALES_AGENT).user
    customer = customer_of(organization, gcc=True)

    # When the agent orders G5 and Power BI Pro, then G3 alone
    def place(lines):
        return services.order_place(
            organization=organization,
            created_by=agent,
            customer_id=customer.pk,
            lines=lines,
            idempotency_key=uuid.uuid4(),
        )

    poison = place([OrderLine("gcc-o365-g5", 5), OrderLine("gcc-powerbi-pro", 3)])
    normal = place([OrderLine("gcc-o365-g3", 7)])

    # Then the first order fails within a bounded time: the child died twice, the third
    # delivery gave up, and the partner sees why
    settled = [Order.Status.COMPLETED, Order.Status.FAILED]
    wait_for(
        lambda: (
            Order.objects.filter(pk__in=[poison.pk, normal.pk], status__in=settled).count() == 2
        ),
        timeout=90,
        what="both orders settled",
    )
    poison.refresh_from_db()
    assert poison.status == Order.Status.FAILED
    assert poison.failure_reason == (
        "Power BI Pro GCC could not be provisioned: gave up after 2 interrupted attempts."
    )
    g5, power_bi = poison.line_items.order_by("line_item_number")
    assert (g5.status, power_bi.status) == (
        OrderLineItem.Status.PROVISIONED,
        OrderLineItem.Status.FAILED,
    )
    assert power_bi.attempts == 2
    log = worker.log_path.read_text()
    assert len(re.findall(r"WorkerLostError", log)) >= 2, log
    delivery = TaskDelivery.objects.get(task_name="orders.tasks.order_provision_task")
    assert (delivery.args, delivery.deliveries) == ([poison.pk], 3)
    assert delivery.gave_up_at is not None
    assert delivery.reason.startswith("Gave up after 2 deliveries")
    # And the second order completed on the replaced child
    normal.refresh_from_db()
    assert normal.status == Order.Status.COMPLETED
    assert list(Subscription.objects.filter(line_item__order=normal).values_list("quantity")) == [
        (7,)
    ]
    # And each order sent its one email
    sent = wait_for(
        lambda: (m := read_sent_emails(worker.email_dir)) and len(m) >= 2 and m, timeout=30
    )
    subjects = sorted(re.search(r"Subject: (.*)", m).group(1) for m in sent)
    assert subjects == sorted(
        [
            f"Order #{poison.pk} for {customer.company_name} failed",
            f"Order #{normal.pk} for {customer.company_name} is complete",
        ]
    )
