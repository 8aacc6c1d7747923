"""The customers app's periodic task (named in CELERY_BEAT_SCHEDULE as customers.tasks.*): the
expiry sweep of invitations. (The SLA sweep of validation requests is reviews.tasks'.)"""

from celery import shared_task

from jobs.guard import GuardedTask

from .invitations.services import invitation_expire_sweep


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=240, time_limit=300)
def invitation_expire_sweep_task() -> int:
    # Idempotent: only invitations still "sent" past their expiry change.
    return invitation_expire_sweep()
