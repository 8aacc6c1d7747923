"""Shared machinery of review transitions: check the move, record the audit event."""

import datetime as dt
from collections.abc import Callable

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from gccportal.review_clock import business_time_remaining_is_short, review_due_at

from .models import CLOCK_RUNNING_STATUSES, AuditEvent, ReviewableRequest


def review_transition_apply(*, request: ReviewableRequest, move: str) -> str:
    """Apply the allowed move `move` to a *locked* request; return the previous status.

    Raises InvalidTransition (with a message for the user) when the move is not allowed
    from the current status — e.g. a second reviewer deciding a decided request.
    """
    method = getattr(request, move)
    if not can_proceed(method):
        raise InvalidTransition(
            _("This request is %(status)s; that action is no longer possible. Nothing was changed.")
            % {"status": request.get_status_display().lower()}
        )
    previous = request.status
    method()
    return previous


def audit_event_record(
    *,
    subject: models.Model,
    actor,
    action: str,
    organization=None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        subject=subject,
        organization=organization,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def reviewer_require(*, reviewer, permission: str) -> None:
    if not reviewer.has_perm(permission):
        raise ActionNotAllowed(_("Only GCC reviewers can review validation requests."))


def review_request_lock(*, model: type[ReviewableRequest], request_id: int) -> ReviewableRequest:
    # Lock only the request row (not the joined ones); a second reviewer waits here, then
    # sees the decision and gets InvalidTransition.
    return (
        model.objects.select_for_update(of=("self",))
        .select_related("organization", "submitted_by")
        .get(pk=request_id)
    )


def review_audit(
    *, request: ReviewableRequest, actor, action: str, previous: str, note: str = ""
) -> AuditEvent:
    return audit_event_record(
        subject=request,
        organization=request.organization,
        actor=actor,
        action=action,
        from_status=previous,
        to_status=request.status,
        note=note,
    )


def review_start(
    *, model: type[ReviewableRequest], permission: str, request_id: int, reviewer, note: str = ""
) -> ReviewableRequest:
    """submitted → in_review, assigned to `reviewer`. Call inside a transaction."""
    reviewer_require(reviewer=reviewer, permission=permission)
    request = review_request_lock(model=model, request_id=request_id)
    previous = review_transition_apply(request=request, move="start_review")
    request.assigned_reviewer = reviewer
    request.save(update_fields=["status", "assigned_reviewer", "updated_at"])
    review_audit(
        request=request,
        actor=reviewer,
        action="review_started",
        previous=previous,
        note=note.strip(),
    )
    return request


def review_decide(
    *,
    model: type[ReviewableRequest],
    permission: str,
    request_id: int,
    reviewer,
    move: str,
    note: str,
) -> ReviewableRequest:
    """Approve or reject (`move`): the part both decisions share. Call inside a transaction."""
    reviewer_require(reviewer=reviewer, permission=permission)
    request = review_request_lock(model=model, request_id=request_id)
    previous = review_transition_apply(request=request, move=move)
    request.decided_at = timezone.now()
    request.decided_by = reviewer
    request.decision_note = note.strip()
    request.due_at = None
    request.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "decision_note",
            "due_at",
            "updated_at",
        ]
    )
    review_audit(
        request=request,
        actor=reviewer,
        action=request.status,
        previous=previous,
        note=request.decision_note,
    )
    return request


def review_sla_sweep(
    *,
    model: type[ReviewableRequest],
    remind: Callable[[ReviewableRequest], None],
    escalate: Callable[[ReviewableRequest], None],
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Remind reviewers when under one business day remains; escalate overdue requests.

    Each request is handled in its own transaction, locked with skip_locked so that two
    sweeps never send the same reminder; reminder_sent_at / escalated_at record what was done.
    """
    now = now or timezone.now()
    counts = {"reminders": 0, "escalations": 0}
    candidate_ids = list(
        model.objects.filter(
            Q(reminder_sent_at__isnull=True) | Q(due_at__lt=now, escalated_at__isnull=True),
            status__in=CLOCK_RUNNING_STATUSES,
            due_at__isnull=False,
        ).values_list("pk", flat=True)
    )
    for request_id in candidate_ids:
        with transaction.atomic():
            # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
            request = (
                model.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("organization", "assigned_reviewer")
                .filter(pk=request_id, status__in=CLOCK_RUNNING_STATUSES, due_at__isnull=False)
                .first()
            )
            if request is None:
                continue
            if request.due_at < now and request.escalated_at is None:
                request.escalated_at = now
                request.save(update_fields=["escalated_at"])
                escalate(request)
                counts["escalations"] += 1
            elif (
                request.reminder_sent_at is None
                and request.due_at >= now
                and business_time_remaining_is_short(request.due_at, now)
            ):
                request.reminder_sent_at = now
                request.save(update_fields=["reminder_sent_at"])
                remind(request)
                counts["reminders"] += 1
    return counts


def review_info_request(
    *,
    request: ReviewableRequest,
    reviewer,
    message: str,
    now: dt.datetime | None = None,
    extra_fields: dict | None = None,
) -> str:
    """in_review → info_requested on a *locked* request: the clock stops. Returns the
    previous status. `extra_fields` are set and saved too (e.g. a new link nonce)."""
    previous = review_transition_apply(request=request, move="request_info")
    request.info_request_message = message.strip()
    request.info_requested_at = now or timezone.now()
    request.info_response = ""
    request.info_responded_at = None
    request.due_at = None  # the clock stops while the answer is awaited
    for name, value in (extra_fields or {}).items():
        setattr(request, name, value)
    request.save(
        update_fields=[
            "status",
            "info_request_message",
            "info_requested_at",
            "info_response",
            "info_responded_at",
            "due_at",
            "updated_at",
            *(extra_fields or {}),
        ]
    )
    review_audit(
        request=request,
        actor=reviewer,
        action="info_requested",
        previous=previous,
        note=request.info_request_message,
    )
    return previous


def review_info_answer(
    *,
    request: ReviewableRequest,
    actor,
    response: str,
    now: dt.datetime,
    extra_fields: dict | None = None,
) -> str:
    """info_requested → in_review on a *locked* request: the clock restarts with a new
    two-business-day due time from the answer. Returns the previous status."""
    previous = review_transition_apply(request=request, move="answer_info")
    request.info_response = response.strip()
    request.info_responded_at = now
    request.due_at = review_due_at(now)
    request.reminder_sent_at = None
    request.escalated_at = None
    for name, value in (extra_fields or {}).items():
        setattr(request, name, value)
    request.save(
        update_fields=[
            "status",
            "info_response",
            "info_responded_at",
            "due_at",
            "reminder_sent_at",
            "escalated_at",
            "updated_at",
            *(extra_fields or {}),
        ]
    )
    review_audit(
        request=request,
        actor=actor,
        action="info_provided",
        previous=previous,
        note=request.info_response,
    )
    return previous
