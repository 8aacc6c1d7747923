"""The delivery guard: a task whose runs kill the worker gives up after N deliveries."""

import datetime as dt
import logging
import threading

import pytest
from django.db import connections
from django.utils import timezone

from gccportal.celery import app as celery_app
from jobs import services
from jobs.guard import GuardedTask
from jobs.models import TaskDelivery
from tests.worker import WorkerDied, task_deliver

ran: list = []  # every run of the test task's body: (args, kwargs)
given_up: list = []  # every call of its on_give_up: (task ID, args, kwargs)


class RecordingTask(GuardedTask):
    def on_give_up(self, args, kwargs):
        given_up.append((self.request.id, args, kwargs))


@celery_app.task(base=RecordingTask, name="tests.jobs.guarded", acks_late=True)
def guarded(value, *, outcome="return"):
    ran.append(((value,), {"outcome": outcome}))
    if outcome == "die":
        raise WorkerDied
    if outcome == "fail":
        raise ValueError("a plain failure")
    return value


@pytest.fixture(autouse=True)
def _clear():
    ran.clear()
    given_up.clear()


def _die(task_id: str, value=7, *, retries: int = 0) -> None:
    with pytest.raises(WorkerDied):
        task_deliver(guarded, task_id, value, retries=retries, outcome="die")


@pytest.mark.django_db(transaction=True)
def test_each_delivery_is_counted_in_a_committed_transaction_before_the_task_runs(monkeypatch):
    # Given a task body that reads the count from another database connection, then dies
    seen = []

    def body(value, *, outcome="return"):
        def read():
            seen.append(
                TaskDelivery.objects.filter(task_id="t-1")
                .values_list("deliveries", flat=True)
                .first()
            )
            connections.close_all()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
        raise WorkerDied

    monkeypatch.setattr(guarded, "run", body)

    # When the same message is delivered twice, the worker dying each time
    for _ in range(2):
        with pytest.raises(WorkerDied):
            task_deliver(guarded, "t-1", 7)

    # Then each run already saw its own delivery counted and committed
    assert seen == [1, 2]
    delivery = TaskDelivery.objects.get(task_id="t-1")
    assert (delivery.task_name, delivery.args, delivery.kwargs) == ("tests.jobs.guarded", [7], {})
    assert (delivery.deliveries, delivery.gave_up_at) == (2, None)
    assert delivery.worker == "celery@test-worker"


@pytest.mark.django_db
def test_past_the_limit_the_task_gives_up_once_and_its_body_does_not_run(settings, caplog):
    # Given at most 3 deliveries, and a message whose runs killed the worker 3 times
    settings.CELERY_TASK_MAX_DELIVERIES = 3
    for _ in range(3):
        _die("t-2")
    assert len(ran) == 3

    # When it is delivered a fourth time
    with caplog.at_level(logging.ERROR, logger="jobs.guard"):
        trace = task_deliver(guarded, "t-2", 7, outcome="die")

    # Then the body does not run, on_give_up runs once, and the message is acknowledged
    assert len(ran) == 3
    assert given_up == [("t-2", (7,), {"outcome": "die"})]
    assert trace.retval is None
    assert trace.info is None  # succeeded: acknowledged, not delivered again
    delivery = TaskDelivery.objects.get(task_id="t-2")
    assert delivery.deliveries == 4
    assert delivery.gave_up_at is not None
    assert delivery.reason == (
        "Gave up after 3 deliveries: the worker running this task stopped (killed, out of "
        "memory or crashed) before it finished, every time."
    )
    assert "tests.jobs.guarded[t-2] gave up after 3 deliveries" in caplog.text

    # And delivered yet again (its give-up cut short), neither the body nor the hook runs
    task_deliver(guarded, "t-2", 7, outcome="die")
    assert len(ran) == 3
    assert len(given_up) == 1
    assert TaskDelivery.objects.get(task_id="t-2").deliveries == 5


@pytest.mark.django_db
def test_the_limit_may_be_set_per_task(settings, monkeypatch):
    settings.CELERY_TASK_MAX_DELIVERIES = 5
    monkeypatch.setattr(guarded, "max_deliveries", 1)
    _die("t-3")

    task_deliver(guarded, "t-3", 7)

    assert len(ran) == 1
    assert [task_id for task_id, _args, _kwargs in given_up] == ["t-3"]


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["return", "fail"])
def test_a_task_that_returns_leaves_no_row(outcome):
    # Given a message delivered once before, whose worker died
    _die("t-4")
    assert TaskDelivery.objects.filter(task_id="t-4").exists()

    # When it runs again and returns (a value or an exception: either way it is acknowledged)
    trace = task_deliver(guarded, "t-4", 7, outcome=outcome)

    # Then its count is gone, and nothing gave up
    if outcome == "return":
        assert (trace.retval, trace.info) == (7, None)
    else:
        assert (trace.info.state, type(trace.info.retval)) == ("FAILURE", ValueError)
    assert not TaskDelivery.objects.exists()
    assert given_up == []


@pytest.mark.django_db
def test_a_celery_retry_counts_its_deliveries_anew(settings):
    # Given a message delivered 2 times of 2 (a Celery retry is a new message, same task ID)
    settings.CELERY_TASK_MAX_DELIVERIES = 2
    _die("t-5")
    _die("t-5")

    # When its retry is delivered, then delivered again after its worker died
    _die("t-5", retries=1)
    _die("t-5", retries=1)

    # Then the retry ran both times: its count started again
    assert len(ran) == 4
    assert given_up == []
    assert TaskDelivery.objects.values_list("retries", "deliveries").get() == (1, 2)


@pytest.mark.django_db
def test_a_given_up_row_is_kept_when_the_task_returns(settings):
    settings.CELERY_TASK_MAX_DELIVERIES = 1
    _die("t-6")

    task_deliver(guarded, "t-6", 7)

    assert TaskDelivery.objects.get(task_id="t-6").gave_up_at is not None


@pytest.mark.django_db
def test_inline_runs_are_not_counted():
    # Eager, .apply() and a direct call: no broker can deliver these again
    assert guarded.delay(1).get() == 1
    assert guarded.apply(args=(2,)).get() == 2
    assert guarded(3) == 3

    assert len(ran) == 3
    assert not TaskDelivery.objects.exists()


@pytest.mark.django_db
def test_the_purge_deletes_stale_counts_and_old_give_ups():
    now = timezone.now()

    def row(task_id, *, age_days, gave_up):
        at = now - dt.timedelta(days=age_days)
        TaskDelivery.objects.create(
            task_id=task_id,
            task_name="t",
            deliveries=1,
            first_delivered_at=at,
            last_delivered_at=at,
            gave_up_at=at if gave_up else None,
        )

    row("fresh", age_days=0, gave_up=False)
    row("stale", age_days=2, gave_up=False)
    row("given-up", age_days=2, gave_up=True)
    row("old-given-up", age_days=40, gave_up=True)

    assert services.task_delivery_purge(now=now) == 2

    assert set(TaskDelivery.objects.values_list("task_id", flat=True)) == {"fresh", "given-up"}


@pytest.mark.django_db
def test_the_admin_lists_deliveries_read_only_and_filters_those_that_gave_up(admin_client):
    from django.contrib.admin.sites import site

    now = timezone.now()
    for task_id, gave_up_at in (("kept-trying", None), ("gave-up", now)):
        TaskDelivery.objects.create(
            task_id=task_id,
            task_name="orders.tasks.order_provision_task",
            deliveries=6,
            first_delivered_at=now,
            last_delivered_at=now,
            gave_up_at=gave_up_at,
            reason="Gave up after 5 deliveries" if gave_up_at else "",
        )

    page = admin_client.get("/admin/jobs/taskdelivery/?gave_up=yes").content.decode()

    assert "gave-up" in page
    assert "kept-trying" not in page
    model_admin = site._registry[TaskDelivery]
    assert not model_admin.has_add_permission(request=None)
    assert not model_admin.has_change_permission(request=None)
    assert not model_admin.has_delete_permission(request=None)
