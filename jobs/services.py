"""Counting the deliveries of task messages (see `jobs.guard.GuardedTask`)."""

import datetime as dt
import json
from enum import StrEnum

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import TaskDelivery


class Verdict(StrEnum):
    RUN = "run"  # within the limit: run the task
    GIVE_UP = "give_up"  # this delivery is past the limit: give up (once)
    GAVE_UP = "gave_up"  # delivered again after giving up (the give-up itself was cut short)


def _jsonable(value):
    # Task arguments arrive as JSON (CELERY_ACCEPT_CONTENT); anything else is kept as text.
    return json.loads(json.dumps(value, default=repr))


def task_delivery_begin(
    *,
    task_id: str,
    task_name: str,
    args: tuple | list,
    kwargs: dict,
    retries: int,
    worker: str,
    max_deliveries: int,
) -> tuple[TaskDelivery, Verdict]:
    """Count one more delivery of the message `task_id`, and say whether the task may run.

    In a transaction of its own, committed before the task runs (durable: never inside a
    caller's transaction, which a killed worker would take down with it), so a worker that
    dies while running the task leaves the count behind for the next delivery to read.
    """
    now = timezone.now()
    with transaction.atomic(durable=True):
        # Locked: the same message delivered twice at once is counted twice.
        delivery, _created = TaskDelivery.objects.select_for_update().get_or_create(
            task_id=task_id,
            defaults={
                "task_name": task_name,
                "args": _jsonable(list(args)),
                "kwargs": _jsonable(kwargs),
                "retries": retries,
                "first_delivered_at": now,
                "last_delivered_at": now,
            },
        )
        if delivery.gave_up_at is None and retries > delivery.retries:
            delivery.retries, delivery.deliveries, delivery.first_delivered_at = retries, 0, now
        delivery.deliveries += 1
        delivery.last_delivered_at = now
        delivery.worker = worker[:255]
        if delivery.gave_up_at is not None:
            verdict = Verdict.GAVE_UP
        elif delivery.deliveries > max_deliveries:
            verdict = Verdict.GIVE_UP
            delivery.gave_up_at = now
            delivery.reason = _(
                "Gave up after %(count)s deliveries: the worker running this task stopped "
                "(killed, out of memory or crashed) before it finished, every time."
            ) % {"count": max_deliveries}
        else:
            verdict = Verdict.RUN
        delivery.save()
    return delivery, verdict


def task_delivery_end(*, task_id: str, retries: int) -> int:
    """The task returned (done, failed or retrying): forget its count. Rows of tasks that gave
    up stay, for people to see."""
    deleted, _by_model = TaskDelivery.objects.filter(
        task_id=task_id, retries=retries, gave_up_at__isnull=True
    ).delete()
    return deleted


def task_delivery_purge(
    *,
    now: dt.datetime | None = None,
    stale_after: dt.timedelta = dt.timedelta(days=1),
    keep_given_up: dt.timedelta = dt.timedelta(days=30),
) -> int:
    """Delete rows left by tasks that were not delivered again (a task killed by its hard time
    limit is acknowledged, not redelivered), and old rows of tasks that gave up."""
    now = now or timezone.now()
    deleted, _by_model = TaskDelivery.objects.filter(
        gave_up_at__isnull=True, last_delivered_at__lt=now - stale_after
    ).delete()
    given_up, _by_model = TaskDelivery.objects.filter(gave_up_at__lt=now - keep_given_up).delete()
    return deleted + given_up
