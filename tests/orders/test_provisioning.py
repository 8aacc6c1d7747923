"""Provisioning one line at a time: no lock or transaction across the call-out, leases, the
attempts cap, two workers at once, and the provisioning task giving up after N deliveries."""

import datetime as dt
import threading
import uuid

import pytest
import time_machine
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from jobs.models import TaskDelivery
from notifications.models import OutboxMessage
from orders import provisioning, services
from orders.models import Order, OrderLineItem, Subscription
from orders.services import OrderLine
from orders.tasks import order_provision_task
from reviews.models import AuditEvent
from tests.worker import WorkerDied, task_deliver

G3 = "gcc-o365-g3"
POWER_BI = "gcc-powerbi-pro"
EMS = "gcc-ems-e3"
Line = OrderLineItem.Status


@pytest.fixture
def order_of(monkeypatch, catalogue, gcc_enabled, gcc_customer, sales_agent):
    """Place an order of these offers, not provisioned yet (the test provisions it)."""
    monkeypatch.setattr(services, "order_provisioning_dispatch", lambda *, order_id: True)

    def place(*offer_ids: str) -> Order:
        return services.order_place(
            organization=gcc_enabled,
            created_by=sales_agent,
            customer_id=gcc_customer.pk,
            lines=[OrderLine(offer_id, 2) for offer_id in offer_ids],
            idempotency_key=uuid.uuid4(),
        )

    return place


@pytest.fixture
def call_outs(monkeypatch):
    """The line numbers provisioning called out for, in order."""
    calls: list[int] = []
    real = services.line_item_provision

    def call_out(line):
        calls.append(line.line_item_number)
        return real(line)

    monkeypatch.setattr(services, "line_item_provision", call_out)
    return calls


@pytest.fixture
def crashing(settings, monkeypatch):
    """Provisioning Power BI Pro GCC kills the process (os._exit; here WorkerDied)."""
    settings.ORDERS_SIMULATED_CRASHING_OFFER_IDS = [POWER_BI]

    def exit_now():
        raise WorkerDied

    monkeypatch.setattr(provisioning, "process_exit", exit_now)


def _lines(order: Order) -> list[OrderLineItem]:
    return list(OrderLineItem.objects.filter(order=order).order_by("line_item_number"))


def _emails(order: Order) -> list[str]:
    return list(
        OutboxMessage.objects.filter(dedupe_key__startswith=f"order:{order.pk}:")
        .order_by("pk")
        .values_list("subject", flat=True)
    )


def _actions(order: Order) -> list[str]:
    return [event.action for event in AuditEvent.objects.for_subject(order)]


@pytest.mark.django_db(transaction=True)
def test_the_call_out_runs_with_no_transaction_and_no_row_lock(order_of, monkeypatch):
    # Given an order of two lines, and a call-out that looks at the database while it runs
    order = order_of(G3, POWER_BI)
    real = services.line_item_provision
    seen = []

    def call_out(line):
        def lock_from_another_connection():
            try:
                with transaction.atomic():
                    Order.objects.select_for_update(nowait=True).get(pk=order.pk)
                    list(OrderLineItem.objects.select_for_update(nowait=True).filter(order=order))
                seen.append((line.line_item_number, in_transaction, "free"))
            except DatabaseError:
                seen.append((line.line_item_number, in_transaction, "locked"))
            finally:
                connections.close_all()

        in_transaction = connection.in_atomic_block
        other = threading.Thread(target=lock_from_another_connection)
        other.start()
        other.join()
        return real(line)

    monkeypatch.setattr(services, "line_item_provision", call_out)

    # When it is provisioned
    services.order_provision(order_id=order.pk)

    # Then each call-out ran outside any transaction, the order and its lines unlocked
    assert seen == [(0, False, "free"), (1, False, "free")]
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_two_workers_provision_lines_side_by_side_and_the_order_completes_once(
    order_of, monkeypatch
):
    # Given an order of two lines, and a call-out for line 0 that lasts until another worker
    # is calling out for line 1
    order = order_of(G3, POWER_BI)
    real = services.line_item_provision
    calls, overlapped = [], []
    first_calling_out, second_calling_out = threading.Event(), threading.Event()

    def call_out(line):
        calls.append(line.line_item_number)
        if line.line_item_number == 0:
            first_calling_out.set()
            overlapped.append(second_calling_out.wait(timeout=5))
        else:
            second_calling_out.set()
        return real(line)

    monkeypatch.setattr(services, "line_item_provision", call_out)
    errors = []

    def worker():
        try:
            services.order_provision(order_id=order.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    # When two workers provision it at once
    first = threading.Thread(target=worker)
    first.start()
    assert first_calling_out.wait(timeout=10)
    second = threading.Thread(target=worker)
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)

    # Then they called out for different lines at the same time, each line once
    assert errors == []
    assert overlapped == [True]
    assert sorted(calls) == [0, 1]
    # And the order completed once: one subscription per line, one audit event, one email
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert [line.status for line in _lines(order)] == [Line.PROVISIONED, Line.PROVISIONED]
    assert sorted(
        Subscription.objects.filter(line_item__order=order).values_list(
            "line_item__line_item_number", flat=True
        )
    ) == [0, 1]
    assert _actions(order) == ["order_submitted", "provisioning_started", "order_completed"]
    assert len(_emails(order)) == 1


@pytest.mark.django_db
def test_a_line_whose_worker_died_is_claimed_again_when_its_lease_runs_out(
    order_of, crashing, settings, call_outs
):
    # Given the worker provisioning an order died calling out for Power BI (task-1)
    order = order_of(G3, POWER_BI)
    before = timezone.now()
    with pytest.raises(WorkerDied):
        services.order_provision(order_id=order.pk, claim_token="task-1")
    g3, power_bi = _lines(order)
    assert g3.status == Line.PROVISIONED
    assert (power_bi.status, power_bi.attempts, power_bi.claimed_by) == (
        Line.PROVISIONING,
        1,
        "task-1",
    )
    lease = dt.timedelta(seconds=settings.ORDERS_LINE_LEASE_SECONDS)
    assert before + lease <= power_bi.claimed_until <= timezone.now() + lease
    settings.ORDERS_SIMULATED_CRASHING_OFFER_IDS = []
    call_outs.clear()

    # When another task (the sweep's) provisions the order while the claim lasts
    services.order_provision(order_id=order.pk, claim_token="task-2")

    # Then it leaves the line alone: it may still be someone's
    assert call_outs == []
    power_bi.refresh_from_db()
    assert (power_bi.status, power_bi.attempts) == (Line.PROVISIONING, 1)
    order.refresh_from_db()
    assert order.status == Order.Status.PROVISIONING
    assert _emails(order) == []

    # When it runs again once the lease ran out
    with time_machine.travel(power_bi.claimed_until + dt.timedelta(seconds=1), tick=False):
        services.order_provision(order_id=order.pk, claim_token="task-2")

    # Then it claims the line again and provisions it, and the order completes once
    assert call_outs == [1]
    power_bi.refresh_from_db()
    assert (power_bi.status, power_bi.attempts, power_bi.claimed_by) == (
        Line.PROVISIONED,
        2,
        "",
    )
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert Subscription.objects.filter(line_item__order=order).count() == 2
    assert _actions(order) == ["order_submitted", "provisioning_started", "order_completed"]
    assert len(_emails(order)) == 1


@pytest.mark.django_db
def test_the_redelivered_task_takes_its_line_back_at_once(order_of, crashing, settings):
    # Given task-1's worker died calling out for the order's line
    order = order_of(POWER_BI)
    with pytest.raises(WorkerDied):
        services.order_provision(order_id=order.pk, claim_token="task-1")
    settings.ORDERS_SIMULATED_CRASHING_OFFER_IDS = []

    # When the broker delivers task-1 again, long before the lease runs out
    services.order_provision(order_id=order.pk, claim_token="task-1")

    # Then it claims its line again at once: it is the one that died
    [line] = _lines(order)
    assert (line.status, line.attempts) == (Line.PROVISIONED, 2)
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


@pytest.mark.django_db
def test_a_line_claimed_n_times_without_an_outcome_fails_and_the_order_fails_once(
    order_of, crashing, settings, call_outs, gcc_enabled, sales_agent
):
    # Given at most 2 attempts per line, and Power BI's call-out killed its worker twice
    settings.ORDERS_LINE_MAX_ATTEMPTS = 2
    order = order_of(G3, POWER_BI)
    for _ in range(2):
        with pytest.raises(WorkerDied):
            services.order_provision(order_id=order.pk, claim_token="task-1")

    # When the order is provisioned once more
    order = services.order_provision(order_id=order.pk, claim_token="task-1")

    # Then Power BI is not called out a third time: the line fails, saying why, and the order
    reason = "Power BI Pro GCC could not be provisioned: gave up after 2 attempts."
    assert call_outs == [0, 1, 1]
    assert [(line.status, line.error) for line in _lines(order)] == [
        (Line.PROVISIONED, ""),
        (Line.FAILED, reason),
    ]
    order.refresh_from_db()
    assert (order.status, order.failure_reason) == (Order.Status.FAILED, reason)
    assert _actions(order) == ["order_submitted", "provisioning_started", "order_failed"]
    assert _emails(order) == [f"Order #{order.pk} for {order.customer.company_name} failed"]

    # And provisioning it again changes nothing and sends nothing
    services.order_provision(order_id=order.pk, claim_token="task-2")
    assert call_outs == [0, 1, 1]
    assert len(_emails(order)) == 1

    # When the cause is fixed and the partner retries, the line has its attempts again
    settings.ORDERS_SIMULATED_CRASHING_OFFER_IDS = []
    services.order_retry(order_id=order.pk, organization=gcc_enabled, actor=sales_agent)
    services.order_provision(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert [(line.status, line.attempts) for line in _lines(order)] == [
        (Line.PROVISIONED, 1),
        (Line.PROVISIONED, 1),
    ]


@pytest.mark.django_db
def test_the_provisioning_task_gives_up_after_n_deliveries_and_fails_the_order(
    order_of, crashing, settings, call_outs
):
    # Given 2 deliveries allowed per message, and a task whose worker died on both
    settings.CELERY_TASK_MAX_DELIVERIES = 2
    settings.ORDERS_LINE_MAX_ATTEMPTS = 10
    order = order_of(G3, POWER_BI, EMS)
    for _ in range(2):
        with pytest.raises(WorkerDied):
            task_deliver(order_provision_task, "task-1", order.pk)

    # When the broker delivers the message a third time
    task_deliver(order_provision_task, "task-1", order.pk)

    # Then provisioning does not run again; the line the task held fails, saying why, and
    # the order with it; the line never tried stays pending (a retry provisions it)
    assert call_outs == [0, 1, 1]
    reason = "Power BI Pro GCC could not be provisioned: gave up after 2 interrupted attempts."
    assert [(line.status, line.error) for line in _lines(order)] == [
        (Line.PROVISIONED, ""),
        (Line.FAILED, reason),
        (Line.PENDING, ""),
    ]
    order.refresh_from_db()
    assert (order.status, order.failure_reason) == (Order.Status.FAILED, reason)
    assert _actions(order) == ["order_submitted", "provisioning_started", "order_failed"]
    assert _emails(order) == [f"Order #{order.pk} for {order.customer.company_name} failed"]
    delivery = TaskDelivery.objects.get(task_id="task-1")
    assert (delivery.task_name, delivery.args, delivery.deliveries) == (
        "orders.tasks.order_provision_task",
        [order.pk],
        3,
    )
    assert delivery.gave_up_at is not None


@pytest.mark.django_db
def test_a_task_that_returns_leaves_no_delivery_row(order_of):
    order = order_of(G3)

    task_deliver(order_provision_task, "task-1", order.pk)

    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert not TaskDelivery.objects.exists()
