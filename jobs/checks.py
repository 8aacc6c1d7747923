"""System checks: the leases that make a claim someone's outlive the tasks that hold them.

A claim (an outbox row being sent, an order line being provisioned) must not run out while
its task can still be running, or a second worker would take it and do the work twice. The
leases come from the environment; the hard time limits are on the tasks.
"""

from django.conf import settings
from django.core.checks import Error, register


@register()
def leases_outlive_their_tasks(app_configs=None, **kwargs) -> list[Error]:
    # The task modules themselves (not Celery's loader, which runs the checks in turn).
    from notifications.tasks import outbox_message_send_task
    from orders.tasks import order_provision_task
    from webhooks.tasks import webhook_delivery_send_task

    pairs = [
        ("OUTBOX_SEND_LEASE_SECONDS", outbox_message_send_task),
        ("ORDERS_LINE_LEASE_SECONDS", order_provision_task),
        ("WEBHOOK_SEND_LEASE_SECONDS", webhook_delivery_send_task),
    ]
    errors = []
    for setting, task in pairs:
        task_name = task.name
        lease = getattr(settings, setting)
        limit = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        if lease <= limit:
            errors.append(
                Error(
                    f"{setting} ({lease} s) must be longer than the hard time limit of "
                    f"{task_name} ({limit} s): a claim would run out while its task still runs.",
                    id="jobs.E001",
                )
            )
    return errors
