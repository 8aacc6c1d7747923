from celery import shared_task

from .services import TRANSIENT_SEND_ERRORS, outbox_message_send, outbox_sweep


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_SEND_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def outbox_message_send_task(message_id: int) -> bool:
    # Idempotent: a message already sent (or being sent by another worker) is skipped.
    return outbox_message_send(message_id=message_id)


@shared_task(acks_late=True)
def outbox_sweep_task() -> int:
    return outbox_sweep()
