"""Shared machinery of review transitions: check the move, record the audit event; the
parts of every kind's review (start, ask for information and its answer, decide, withdraw,
the SLA sweep) that do not differ between kinds."""

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from gccportal.review_clock import business_time_remaining_is_short, review_due_at

from . import emails
from .models import CLOCK_RUNNING_STATUSES, AuditEvent, ReviewableRequest


def review_transition_apply(*, request: models.Model, move: str) -> str:
    """Apply the allowed move `move` to a *locked* row; return the previous status.

    `request` is any model whose `status` is a django-fsm field (a reviewed request, an
    order, an invitation). Raises InvalidTransition, with the model's own
    `transition_refused_message` ("This order is completed; ..."), when the move is not
    allowed from the current status — e.g. a second reviewer deciding a decided request.
    """
    method = getattr(request, move)
    if not can_proceed(method):
        raise InvalidTransition(
            str(request.transition_refused_message)
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


def reviewer_require(*, reviewer, model: type[ReviewableRequest]) -> None:
    if not reviewer.has_perm(model.review_decide_permission()):
        raise ActionNotAllowed(_("Only GCC reviewers can review validation requests."))


def review_request_lock(
    *, model: type[ReviewableRequest], request_id: int, organization=None
) -> ReviewableRequest:
    """The request, locked. With `organization`, only that organization's request: another
    one's is model.DoesNotExist, as if it did not exist."""
    # Lock only the request row (not the joined ones); a second reviewer waits here, then
    # sees the decision and gets InvalidTransition.
    request = (
        model.objects.select_for_update(of=("self",))
        .select_related("organization", "submitted_by")
        .get(pk=request_id)
    )
    if organization is not None and request.organization_id != organization.pk:
        raise model.DoesNotExist
    return request


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


def _review_move(
    request: ReviewableRequest,
    *,
    move: str,
    actor,
    changes: dict,
    note: str = "",
    action: str | None = None,
) -> str:
    """Every shared step's shape, on a *locked* request: make the declared `move`, set and save
    `changes` (field → value, the kind's `extra_fields` included) with the status, audit it as
    `action` (by default the new status) with `note`. Returns the previous status."""
    previous = review_transition_apply(request=request, move=move)
    for name, value in changes.items():
        setattr(request, name, value)
    request.save(update_fields=["status", *changes, "updated_at"])
    review_audit(
        request=request,
        actor=actor,
        action=action or request.status,
        previous=previous,
        note=note,
    )
    return previous


def review_request_create(
    *, model: type[ReviewableRequest], submitted_by, now: dt.datetime | None = None, **fields
) -> ReviewableRequest:
    """A new request of `model` with the kind's `fields`, its clock started: submitted `now`,
    due two business days later. In a savepoint, so that an IntegrityError (the same form key
    inserted meanwhile by the other post, a kind's constraint) leaves the caller's transaction
    usable for finding what won. The caller audits it ("submitted") once its parts are saved."""
    now = now or timezone.now()
    with transaction.atomic():
        return model.objects.create(
            submitted_by=submitted_by, submitted_at=now, due_at=review_due_at(now), **fields
        )


def review_start(
    *, model: type[ReviewableRequest], request_id: int, reviewer, note: str = ""
) -> ReviewableRequest:
    """submitted → in_review, assigned to `reviewer`. Call inside a transaction."""
    reviewer_require(reviewer=reviewer, model=model)
    request = review_request_lock(model=model, request_id=request_id)
    _review_move(
        request,
        move="start_review",
        actor=reviewer,
        action="review_started",
        changes={"assigned_reviewer": reviewer},
        note=note.strip(),
    )
    return request


def review_decide(
    *, model: type[ReviewableRequest], request_id: int, reviewer, move: str, note: str
) -> ReviewableRequest:
    """Approve or reject (`move`): the part both decisions share. Call inside a transaction."""
    reviewer_require(reviewer=reviewer, model=model)
    request = review_request_lock(model=model, request_id=request_id)
    # Audited as the decision made: "approved" or "rejected".
    _review_move(
        request,
        move=move,
        actor=reviewer,
        changes={
            "decided_at": timezone.now(),
            "decided_by": reviewer,
            "decision_note": note.strip(),
            "due_at": None,  # the clock stops for good
        },
        note=note.strip(),
    )
    return request


def review_reject(
    *, model: type[ReviewableRequest], request_id: int, reviewer, reason: str
) -> ReviewableRequest:
    """in_review → rejected, with the reason the partner sees. Call inside a transaction.

    Who first (only a reviewer learns what a rejection needs), then the reason, then the move.
    """
    reviewer_require(reviewer=reviewer, model=model)
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Give the reason for the rejection; the partner sees it.")}
        )
    return review_decide(
        model=model, request_id=request_id, reviewer=reviewer, move="reject", note=reason
    )


def review_withdraw(
    *,
    model: type[ReviewableRequest],
    request_id: int,
    organization,
    actor,
    extra_fields: dict | None = None,
) -> ReviewableRequest:
    """An open request of `organization` → withdrawn, its clock stopped; `extra_fields` are
    set and saved too (e.g. a link cleared). The caller checks that `actor` may act for the
    organization. Call inside a transaction."""
    request = review_request_lock(model=model, request_id=request_id, organization=organization)
    _review_move(
        request, move="withdraw", actor=actor, changes={"due_at": None, **(extra_fields or {})}
    )
    return request


def review_sla_sweep(
    *,
    model: type[ReviewableRequest],
    remind: Callable[[ReviewableRequest], None] = emails.reminder,
    escalate: Callable[[ReviewableRequest], None] = emails.escalation,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Remind reviewers when under one business day remains; escalate overdue requests (by
    default with the kind's reminder and escalation emails).

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
    model: type[ReviewableRequest],
    request_id: int,
    reviewer,
    message: str,
    missing_message: str,
    now: dt.datetime | None = None,
    extra_fields: dict | None = None,
) -> ReviewableRequest:
    """in_review → info_requested: the clock stops. `missing_message` is the error for an
    empty `message` (it says who must answer); `extra_fields` are set and saved too (e.g. a
    new link nonce). Call inside a transaction."""
    reviewer_require(reviewer=reviewer, model=model)
    if not message.strip():
        raise ValidationError({"message": missing_message})
    request = review_request_lock(model=model, request_id=request_id)
    _review_move(
        request,
        move="request_info",
        actor=reviewer,
        action="info_requested",
        changes={
            "info_request_message": message.strip(),
            "info_requested_at": now or timezone.now(),
            "info_response": "",
            "info_responded_at": None,
            "due_at": None,  # the clock stops while the answer is awaited
            **(extra_fields or {}),
        },
        note=message.strip(),
    )
    return request


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
    return _review_move(
        request,
        move="answer_info",
        actor=actor,
        action="info_provided",
        changes={
            "info_response": response.strip(),
            "info_responded_at": now,
            "due_at": review_due_at(now),  # two business days from the answer
            "reminder_sent_at": None,
            "escalated_at": None,
            **(extra_fields or {}),
        },
        note=response.strip(),
    )
