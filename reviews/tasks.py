"""The reviews app's periodic task (named in CELERY_BEAT_SCHEDULE as reviews.tasks.*): the SLA
sweep of every kind of reviewed request."""

from celery import shared_task

from jobs.guard import GuardedTask

from .selectors import review_kinds
from .services import review_sla_sweep


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=240, time_limit=300)
def review_sla_sweep_task() -> dict[str, dict[str, int]]:
    """Remind reviewers when under one business day remains; escalate overdue requests.
    Idempotent: reminder_sent_at / escalated_at mark what was already done."""
    return {model._meta.label: review_sla_sweep(model=model) for model in review_kinds()}
