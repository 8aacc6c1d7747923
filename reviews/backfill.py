"""Filling on rows written before they existed (the kinds' data migrations): `sla_action_at`;
the decision clock of the SLA figures (`decision_due_at`, `decided_on_time`,
`business_seconds_to_decision`)."""

from collections import defaultdict

from django.db import models

from gccportal.review_clock import review_due_at

from .models import CLOCK_RUNNING_STATUSES, DECIDED_STATUSES, review_sla_action_at
from .sla import CLOCK_RESTARTS, CLOCK_STOPS, clock_intervals, decision_clock


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


def decision_clock_fill(
    model: type[models.Model],
    *,
    audit_event_model: type[models.Model],
    content_type_model: type[models.Model],
    batch_size: int = 2_000,
) -> int:
    """Record the decision clock (reviews.sla.decision_clock) on every decided request of
    `model` (historical models, as the data migration has them) that has none, in batches by
    primary key. Returns how many rows were filled.

    From what is stored, since `due_at` was cleared at the decision:
    - the due time in force at the decision is the one the clock's last start gave: two
      business days from the last answer to an information request (`info_responded_at`),
      else from the submission — what the services computed then (exact, unless the holidays
      or REVIEW_TIME_ZONE changed since);
    - the clock's stops and restarts come from the audit trail (each information request and
      each answer); a request with none there but an information request on the row (a row
      written without the services) counts only that last round's wait as stopped: earlier
      rounds, if any, are counted as running (an overestimate).
    """
    content_type = content_type_model.objects.filter(
        app_label=model._meta.app_label, model=model._meta.model_name
    ).first()
    decided = model.objects.filter(
        status__in=DECIDED_STATUSES,
        decided_at__isnull=False,
        business_seconds_to_decision__isnull=True,
    ).order_by("pk")
    filled = 0
    last_pk = 0
    while batch := list(
        decided.filter(pk__gt=last_pk).only(
            "pk", "submitted_at", "decided_at", "info_requested_at", "info_responded_at"
        )[:batch_size]
    ):
        last_pk = batch[-1].pk
        events = defaultdict(list)
        if content_type is not None:
            for object_id, action, created_at in (
                audit_event_model.objects.filter(
                    content_type=content_type,
                    object_id__in=[row.pk for row in batch],
                    action__in=[CLOCK_STOPS, CLOCK_RESTARTS],
                )
                .order_by("created_at", "pk")
                .values_list("object_id", "action", "created_at")
            ):
                events[object_id].append((action, created_at))
        for row in batch:
            row_events = events.get(row.pk)
            if not row_events and row.info_requested_at and row.info_responded_at:
                row_events = [
                    (CLOCK_STOPS, row.info_requested_at),
                    (CLOCK_RESTARTS, row.info_responded_at),
                ]
            clock = decision_clock(
                due_at=review_due_at(row.info_responded_at or row.submitted_at),
                decided_at=row.decided_at,
                intervals=clock_intervals(
                    submitted_at=row.submitted_at,
                    decided_at=row.decided_at,
                    events=row_events or [],
                ),
            )
            for name, value in clock.items():
                setattr(row, name, value)
        model.objects.bulk_update(batch, list(clock), batch_size=batch_size)
        filled += len(batch)
    return filled
