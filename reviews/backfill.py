"""Filling `sla_action_at` on rows written before it existed (the kinds' data migrations)."""

from django.db import models

from .models import CLOCK_RUNNING_STATUSES, review_sla_action_at


def sla_action_at_fill(model: type[models.Model], *, batch_size: int = 2_000) -> int:
    """Set `sla_action_at` on every request of `model` (a historical model: no save() of its
    own) whose clock runs, in batches by primary key; the others keep NULL, which is right
    for them. Returns how many rows were given a time."""
    filled = 0
    last_pk = 0
    running = model.objects.filter(
        status__in=CLOCK_RUNNING_STATUSES, due_at__isnull=False
    ).order_by("pk")
    while batch := list(
        running.filter(pk__gt=last_pk).only(
            "pk", "status", "due_at", "reminder_sent_at", "escalated_at"
        )[:batch_size]
    ):
        last_pk = batch[-1].pk
        for row in batch:
            row.sla_action_at = review_sla_action_at(
                status=row.status,
                due_at=row.due_at,
                reminder_sent_at=row.reminder_sent_at,
                escalated_at=row.escalated_at,
            )
        changed = [row for row in batch if row.sla_action_at is not None]
        model.objects.bulk_update(changed, ["sla_action_at"], batch_size=batch_size)
        filled += len(changed)
    return filled
