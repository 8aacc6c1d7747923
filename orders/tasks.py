from celery import shared_task
from django.db import OperationalError

from jobs.guard import GuardedTask

from .services import order_provision, order_provision_give_up, order_provisioning_sweep


class OrderProvisionTask(GuardedTask):
    def on_give_up(self, args: tuple, kwargs: dict) -> None:
        # Every run stopped its worker: fail the lines this task held, and the order.
        order_provision_give_up(
            order_id=kwargs["order_id"] if "order_id" in kwargs else args[0],
            claim_token=self.request.id,
            deliveries=self.delivery_limit,
        )


# The hard limit stays below ORDERS_LINE_LEASE_SECONDS: a line's claim outlives the task that
# holds it, so a live worker's line is never claimed by another.
@shared_task(
    base=OrderProvisionTask,
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=240,
    time_limit=300,
)
def order_provision_task(self, order_id: int) -> str:
    # Idempotent: a completed or failed order is left as it is; lines provision once. The
    # task's ID is its claim on the lines: redelivered after its worker died, it takes them
    # back at once.
    return order_provision(order_id=order_id, claim_token=self.request.id or "").status


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=240, time_limit=300)
def order_provisioning_sweep_task() -> int:
    return order_provisioning_sweep()
