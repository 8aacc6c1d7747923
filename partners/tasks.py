from celery import shared_task

from jobs.guard import GuardedTask

from .services import partner_validation_sla_sweep


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=240, time_limit=300)
def partner_validation_sla_sweep_task() -> dict[str, int]:
    # Idempotent: reminder_sent_at / escalated_at mark what was already done.
    return partner_validation_sla_sweep()
