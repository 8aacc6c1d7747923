from celery import shared_task
from django.db import OperationalError

from .services import order_provision, order_provisioning_sweep


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def order_provision_task(order_id: int) -> str:
    # Idempotent: a completed or failed order is left as it is; lines provision once.
    return order_provision(order_id=order_id).status


@shared_task(acks_late=True)
def order_provisioning_sweep_task() -> int:
    return order_provisioning_sweep()
