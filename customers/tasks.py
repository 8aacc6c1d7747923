"""The customers app's periodic tasks (named in CELERY_BEAT_SCHEDULE as customers.tasks.*): the
expiry sweep of invitations and the purge of bulk uploads' contacts. (The SLA sweep of
validation requests is reviews.tasks'.)"""

from celery import shared_task

from jobs.guard import GuardedTask

from .invitations.services import invitation_expire_sweep
from .validations.bulk.services import bulk_submission_purge


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=240, time_limit=300)
def invitation_expire_sweep_task() -> int:
    # Idempotent: only invitations still "sent" past their expiry change.
    return invitation_expire_sweep()


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=240, time_limit=300)
def bulk_submission_purge_task() -> int:
    # Idempotent: only uploads whose rows are due are read, and each is done once.
    return bulk_submission_purge()
