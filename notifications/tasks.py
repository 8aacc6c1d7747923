from celery import shared_task
from django.utils.translation import gettext as _

from jobs.guard import GuardedTask

from .services import (
    SWEEP_PUBLISH_DEADLINE_SECONDS,
    outbox_message_give_up,
    outbox_message_send,
    outbox_messages_dispatch,
    outbox_sweep,
)


def _give_up(task, args, kwargs) -> None:
    # The message's sends kept killing the worker: fail the row, for a lead to look at.
    outbox_message_give_up(
        message_id=args[0],
        reason=_("Gave up: sending it stopped the worker %(count)s times.")
        % {"count": task.delivery_limit},
    )


# No Celery retries: the row's `next_attempt_at` is the only schedule and the sweep the only
# scheduler, so a retry is never both waiting in the broker and due in the database.
# The hard limit stays below OUTBOX_SEND_LEASE_SECONDS: a stuck send is killed before its
# claim runs out, and the row is claimed again by a later sweep.
@shared_task(
    base=GuardedTask, on_give_up=_give_up, acks_late=True, soft_time_limit=120, time_limit=150
)
def outbox_message_send_task(message_id: int) -> str:
    # Idempotent: a row already sent, failed, not yet due or held by another worker is skipped.
    return outbox_message_send(message_id=message_id).value


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=90, time_limit=120)
def outbox_messages_dispatch_task(message_ids: list[int]) -> int:
    # One email's recipients, queued by the request in one publish: their send tasks, from
    # here. Run twice (a worker lost), the second send task of a row finds nothing to claim.
    return outbox_messages_dispatch(
        message_ids=message_ids, deadline=SWEEP_PUBLISH_DEADLINE_SECONDS
    )


@shared_task(base=GuardedTask, acks_late=True, soft_time_limit=240, time_limit=300)
def outbox_sweep_task() -> int:
    return outbox_sweep()
