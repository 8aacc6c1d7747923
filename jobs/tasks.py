from celery import shared_task

from .guard import GuardedTask
from .services import task_delivery_purge


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=60, time_limit=90)
def task_delivery_purge_task() -> int:
    # Idempotent: deletes only what is stale.
    return task_delivery_purge()
