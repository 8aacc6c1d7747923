"""The delivery count of task messages: how a task that kills its worker is stopped."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gccportal.fields import optional_timestamp


class TaskDelivery(models.Model):
    """One task message being worked on, and how many times the broker handed it to a worker.

    Written by `jobs.guard.GuardedTask` before the task runs, deleted when the task returns.
    A row that stays behind belongs to a task whose worker died while running it; past
    `CELERY_TASK_MAX_DELIVERIES` the task gives up: `gave_up_at` and `reason` say so, and the
    row is kept for people to see in the admin.
    """

    task_id = models.CharField(_("task ID"), max_length=255, unique=True)
    task_name = models.CharField(_("task"), max_length=255)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    # A Celery retry is a new message with the same task ID: it gets a count of its own.
    retries = models.PositiveIntegerField(_("retry number"), default=0)
    deliveries = models.PositiveIntegerField(_("deliveries"), default=0)
    worker = models.CharField(_("last worker"), max_length=255, blank=True)
    first_delivered_at = models.DateTimeField(_("first delivered at"))
    last_delivered_at = models.DateTimeField(_("last delivered at"))
    gave_up_at = optional_timestamp(_("gave up at"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("task delivery")
        verbose_name_plural = _("task deliveries")
        ordering = ["-last_delivered_at", "-pk"]
        indexes = [models.Index(fields=["gave_up_at", "last_delivered_at"])]

    def __str__(self) -> str:
        return f"{self.task_name}[{self.task_id}]"
