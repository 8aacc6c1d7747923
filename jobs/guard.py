"""`GuardedTask`: a Celery task base that stops a task whose runs kill the worker.

With `acks_late` and `task_reject_on_worker_lost`, a message is acknowledged only once its task
returns, and put back in the queue when the worker running it dies. That loses no work, but a
task that kills its worker every time (os._exit, SIGKILL, the kernel's OOM killer) would be
delivered forever, taking a worker child down each time.

Before the task runs, the guard counts the delivery of its message in the database (the one
store every broker shares, the embedded filesystem broker too), in a committed transaction
of its own. When the task returns the count is deleted. A count that survives belongs to a
run that never returned; once a message has been delivered more than
`CELERY_TASK_MAX_DELIVERIES` times, the task does not run again: the delivery is recorded as
given up (the admin's *Task deliveries*), `on_give_up` marks the task's record failed, an
error is logged and the message is acknowledged.

    class OrderProvisionTask(GuardedTask):
        def on_give_up(self, args, kwargs):
            order_provision_give_up(order_id=args[0], ...)

    @shared_task(base=OrderProvisionTask, acks_late=True, soft_time_limit=..., time_limit=...)
    def order_provision_task(order_id): ...

Or, without a subclass: `@shared_task(base=GuardedTask, on_give_up=function)`, where
`function(task, args, kwargs)`; `max_deliveries=` sets a limit for one task.

Tasks run inline (`task_always_eager`, `.apply()`, a direct call) are not counted: no broker
can deliver them again.
"""

import logging

from celery import Task
from django.conf import settings

from .services import Verdict, task_delivery_begin, task_delivery_end

logger = logging.getLogger(__name__)


class GuardedTask(Task):
    #: Deliveries allowed before giving up; None: settings.CELERY_TASK_MAX_DELIVERIES.
    max_deliveries: int | None = None

    @property
    def delivery_limit(self) -> int:
        return self.max_deliveries or settings.CELERY_TASK_MAX_DELIVERIES

    def _counted(self) -> bool:
        request = self.request
        return bool(request.id) and not request.is_eager and not request.called_directly

    def __call__(self, *args, **kwargs):
        if not self._counted():
            return super().__call__(*args, **kwargs)
        request = self.request
        delivery, verdict = task_delivery_begin(
            task_id=request.id,
            task_name=self.name,
            args=args,
            kwargs=kwargs,
            retries=request.retries or 0,
            worker=request.hostname or "",
            max_deliveries=self.delivery_limit,
        )
        if verdict is Verdict.RUN:
            return super().__call__(*args, **kwargs)
        if verdict is Verdict.GIVE_UP:
            logger.error(
                "Task %s[%s] gave up after %s deliveries, each of which stopped its worker; "
                "not run again. Arguments: %r %r",
                self.name,
                request.id,
                self.delivery_limit,
                args,
                kwargs,
            )
            self.on_give_up(args, kwargs)
        else:
            # The give-up itself was cut short (on_give_up killed the worker): acknowledge.
            logger.error(
                "Task %s[%s] delivered again (%s) after giving up; acknowledged, not run.",
                self.name,
                request.id,
                delivery.deliveries,
            )
        return None

    def on_give_up(self, args: tuple, kwargs: dict) -> None:
        """Mark the task's own record failed (an order, an outbox message...).

        Called once, in the worker, in place of the task's body, after the message was
        delivered `delivery_limit` times without the task returning. `self.request` is the
        given-up delivery's (its `id` is the task ID). Keep it short and safe: it must not
        do what killed the worker.
        """

    def after_return(self, status, retval, task_id, args, kwargs, einfo) -> None:
        # The task returned in this process (succeeded, failed or is retrying): its message
        # will be acknowledged, so its count is no longer needed.
        if self._counted():
            task_delivery_end(task_id=task_id, retries=self.request.retries or 0)
        super().after_return(status, retval, task_id, args, kwargs, einfo)
