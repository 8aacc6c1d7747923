from celery import shared_task

from .services import customer_validation_sla_sweep, invitation_expire_sweep


@shared_task(acks_late=True)
def customer_validation_sla_sweep_task() -> dict[str, int]:
    # Idempotent: reminder_sent_at / escalated_at mark what was already done.
    return customer_validation_sla_sweep()


@shared_task(acks_late=True)
def invitation_expire_sweep_task() -> int:
    # Idempotent: only invitations still "sent" past their expiry change.
    return invitation_expire_sweep()
