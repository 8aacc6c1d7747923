"""The customers app's periodic tasks (named in CELERY_BEAT_SCHEDULE as customers.tasks.*):
the SLA sweep of customer validation requests and the expiry sweep of invitations."""

from celery import shared_task

from jobs.guard import GuardedTask

from .invitations.services import invitation_expire_sweep
from .validations.services import customer_validation_sla_sweep


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=240, time_limit=300)
def customer_validation_sla_sweep_task() -> dict[str, int]:
    # Idempotent: reminder_sent_at / escalated_at mark what was already done.
    return customer_validation_sla_sweep()


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=240, time_limit=300)
def invitation_expire_sweep_task() -> int:
    # Idempotent: only invitations still "sent" past their expiry change.
    return invitation_expire_sweep()
