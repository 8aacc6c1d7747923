from celery import shared_task

from jobs.guard import GuardedTask

from .problems import problem
from .services import webhook_delivery_give_up, webhook_delivery_send, webhook_sweep


def _give_up(task, args, kwargs) -> None:
    webhook_delivery_give_up(
        delivery_id=args[0],
        reason=problem("worker_gave_up", task.delivery_limit),
    )


# As the outbox: no Celery retries, the delivery's `next_attempt_at` is the one schedule and
# the sweep the one scheduler. The hard limit stays below WEBHOOK_SEND_LEASE_SECONDS.
@shared_task(
    base=GuardedTask, on_give_up=_give_up, acks_late=True, soft_time_limit=60, time_limit=90
)
def webhook_delivery_send_task(delivery_id: int) -> str:
    # Idempotent: a delivery already settled, not yet due or held by another worker is skipped.
    return webhook_delivery_send(delivery_id=delivery_id).value


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=240, time_limit=300)
def webhook_sweep_task() -> int:
    return webhook_sweep()
