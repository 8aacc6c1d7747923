"""What every reviewed request's review does, for any kind (`model`): the services that are the
same for every kind (start the review, reject, the SLA sweep) and the shared steps of those a
kind completes with its own checks and effects in its services module (submit, ask for
information and its answer, approve, withdraw). Also the move-and-audit pieces orders and
invitations use for their own state machines (review_transition_apply, transition_audit)."""

import datetime as dt
import uuid
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from gccportal.review_clock import business_time_remaining_is_short, review_due_at
from webhooks.services import webhook_event_emit

from . import emails
from .models import CLOCK_RUNNING_STATUSES, AuditEvent, ReviewableRequest, ReviewStatus
from .selectors import review_clock_events, review_request_for_key
from .sla import clock_intervals, decision_clock


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


def _lock_for_reviewer(
    *, model: type[ReviewableRequest], request_id: int, reviewer
) -> ReviewableRequest:
    """The request, locked, if `reviewer` may review its kind."""
    reviewer_require(reviewer=reviewer, model=model)
    return review_request_lock(model=model, request_id=request_id)


def transition_audit(
    *, subject: models.Model, actor, action: str, previous: str, note: str = ""
) -> AuditEvent:
    """The audit event of a move of `subject` (any model with a `status` and an
    `organization`: a reviewed request, an order, an invitation) from `previous` to its status
    now; `previous` is "" for a creation. A subject whose model declares
    `webhook_event_type()` (the event this move is, or None) and `webhook_data()` (what
    identifies it) has the move's webhook recorded in the same transaction, for its
    organization's subscribed endpoints."""
    event = audit_event_record(
        subject=subject,
        organization=subject.organization,
        actor=actor,
        action=action,
        from_status=previous,
        to_status=subject.status,
        note=note,
    )
    event_type = subject.webhook_event_type() if hasattr(subject, "webhook_event_type") else None
    if event_type is not None:
        webhook_event_emit(
            organization_ids=[subject.organization_id],
            event_type=event_type,
            data=lambda: {
                **subject.webhook_data(),
                "action": action,
                "previousStatus": previous or None,
                "status": subject.status,
            },
            dedupe_key=f"audit:{event.pk}",
        )
    return event


def transition_make(
    subject: models.Model,
    *,
    move: str,
    actor,
    changes: dict | None = None,
    note: str = "",
    action: str | None = None,
) -> str:
    """Every move's shape, on a *locked* `subject` (a reviewed request, an order, an
    invitation): make the declared `move`, set and save `changes` (field → value) with the
    status (and any auto_now field), audit it as `action` (by default the new status) by
    `actor` with `note`. Returns the previous status."""
    changes = changes or {}
    previous = review_transition_apply(request=subject, move=move)
    for name, value in changes.items():
        setattr(subject, name, value)
    stamped = [f.name for f in subject._meta.concrete_fields if getattr(f, "auto_now", False)]
    subject.save(update_fields=["status", *changes, *stamped])
    transition_audit(
        subject=subject, actor=actor, action=action or subject.status, previous=previous, note=note
    )
    return previous


def review_request_new(
    *,
    model: type[ReviewableRequest],
    organization,
    submitted_by,
    idempotency_key: uuid.UUID,
    now: dt.datetime | None = None,
    **fields,
) -> ReviewableRequest:
    """A new request of `model`, not saved, its clock started: submitted `now`, due two
    business days later, its next review clock action set (as save() sets it: a bulk insert,
    which calls no save(), inserts it whole). review_request_create saves one; the bulk
    submission inserts many at once."""
    now = now or timezone.now()
    request = model(
        organization=organization,
        submitted_by=submitted_by,
        submitted_at=now,
        due_at=review_due_at(now),
        idempotency_key=idempotency_key,
        **fields,
    )
    request.sla_action_refresh()
    return request


def review_request_create(
    *,
    model: type[ReviewableRequest],
    organization,
    submitted_by,
    idempotency_key: uuid.UUID,
    now: dt.datetime | None = None,
    **fields,
) -> tuple[ReviewableRequest, bool]:
    """A new request of `model` from `organization`'s form with this key, with the kind's
    `fields`, its clock started: submitted `now`, due two business days later. Returns
    (request, True).

    When the same form's other post inserted its request meanwhile (this insert waited for it
    on the unique key), returns (that request, False): the caller adds nothing to it. Any
    other IntegrityError (a kind's constraint) propagates, with the caller's transaction still
    usable (the insert runs in a savepoint). The caller audits and announces a new request
    (review_submitted) once its parts are saved.
    """
    request = review_request_new(
        model=model,
        organization=organization,
        submitted_by=submitted_by,
        idempotency_key=idempotency_key,
        now=now,
        **fields,
    )
    try:
        with transaction.atomic():
            request.save(force_insert=True)
    except IntegrityError:
        existing = review_request_for_key(
            model=model, organization=organization, key=idempotency_key
        )
        if existing is None:
            raise
        return existing, False
    return request, True


def review_submitted(*, request: ReviewableRequest, actor) -> None:
    """A new request is complete: audited, and announced to its submitter and the reviewers."""
    transition_audit(subject=request, actor=actor, action="submitted", previous="")
    emails.submitted(request)


@transaction.atomic
def review_start(
    *, model: type[ReviewableRequest], request_id: int, reviewer, note: str = ""
) -> ReviewableRequest:
    """submitted → in_review, assigned to `reviewer`: the same for every kind."""
    request = _lock_for_reviewer(model=model, request_id=request_id, reviewer=reviewer)
    transition_make(
        request,
        move="start_review",
        actor=reviewer,
        action="review_started",
        changes={"assigned_reviewer": reviewer},
        note=note.strip(),
    )
    return request


@transaction.atomic
def review_assign(
    *, model: type[ReviewableRequest], request_id: int, actor, assignee
) -> ReviewableRequest:
    """Give an open request to `assignee`, who then hears of it (reminders): a reviewer takes
    one that nobody has, or that is already theirs ("Assign to me"); a review lead gives any
    open request to any reviewer. Audited ("assigned", the assignee named in the note); giving
    it to whom it already has records nothing."""
    reviewer_require(reviewer=actor, model=model)
    request = review_request_lock(model=model, request_id=request_id)
    if not request.is_open:
        raise InvalidTransition(
            _("This request is %(status)s; it can no longer be assigned.")
            % {"status": request.get_status_display().lower()}
        )
    may_reassign = actor.has_perm(model.review_reassign_permission())
    if assignee.pk != actor.pk and not may_reassign:
        raise ActionNotAllowed(_("Only a review lead gives a request to another reviewer."))
    if request.assigned_reviewer_id not in (None, actor.pk) and not may_reassign:
        raise ActionNotAllowed(
            _("This request is assigned to %(name)s; only a review lead can reassign it.")
            % {"name": request.assigned_reviewer}
        )
    if not (assignee.is_active and assignee.has_perm(model.review_decide_permission())):
        raise ValidationError({"assignee": _("Choose a GCC reviewer.")})
    if request.assigned_reviewer_id == assignee.pk:
        return request
    request.assigned_reviewer = assignee
    request.save(update_fields=["assigned_reviewer", "updated_at"])
    audit_event_record(
        subject=request,
        actor=actor,
        action="assigned",
        organization=request.organization,
        from_status=request.status,
        to_status=request.status,
        note=str(assignee),
    )
    return request


def review_decide(
    *, model: type[ReviewableRequest], request_id: int, reviewer, move: str, note: str
) -> ReviewableRequest:
    """Approve or reject (`move`): the part both decisions share. Call inside a transaction."""
    request = _lock_for_reviewer(model=model, request_id=request_id, reviewer=reviewer)
    now = timezone.now()
    # What the SLA figures need, read now: the decision clears the due time.
    clock = decision_clock(
        due_at=request.due_at,
        decided_at=now,
        intervals=clock_intervals(
            submitted_at=request.submitted_at,
            decided_at=now,
            events=review_clock_events(request=request),
        ),
    )
    # Audited as the decision made: "approved" or "rejected".
    transition_make(
        request,
        move=move,
        actor=reviewer,
        changes={
            **clock,
            "decided_at": now,
            "decided_by": reviewer,
            "decision_note": note.strip(),
            "due_at": None,  # the clock stops for good
            # What the reviewer was shown to weigh: the rules the request meets now.
            "conflicts_seen": sorted({conflict.code for conflict in request.review_conflicts()}),
        },
        note=note.strip(),
    )
    return request


@transaction.atomic
def review_reject(
    *, model: type[ReviewableRequest], request_id: int, reviewer, reason: str
) -> ReviewableRequest:
    """in_review → rejected, with the reason the partner sees, who is told: the same for every
    kind.

    Who first (only a reviewer learns what a rejection needs), then the reason, then the move.
    """
    reviewer_require(reviewer=reviewer, model=model)
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Give the reason for the rejection; the partner sees it.")}
        )
    request = review_decide(
        model=model, request_id=request_id, reviewer=reviewer, move="reject", note=reason
    )
    emails.decided(request)
    return request


def review_withdraw(
    *,
    model: type[ReviewableRequest],
    request_id: int,
    organization,
    actor,
    extra_fields: dict | None = None,
) -> ReviewableRequest:
    """An open request of `organization` → withdrawn, its clock stopped; `extra_fields` are
    set and saved too (e.g. a link cleared). A reviewer working on it (in review, or waiting
    for an answer) is told by email. The caller checks that `actor` may act for the
    organization. Call inside a transaction."""
    request = review_request_lock(model=model, request_id=request_id, organization=organization)
    previous = transition_make(
        request, move="withdraw", actor=actor, changes={"due_at": None, **(extra_fields or {})}
    )
    if previous in (ReviewStatus.IN_REVIEW, ReviewStatus.INFO_REQUESTED):
        emails.withdrawn(request)
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

    One query finds the requests with something to do: those whose `sla_action_at` (their
    reminder's time, else their due time; empty when nothing is left, or the clock is
    stopped) has come, from its partial index `<kind>_sla`. Each is then handled in its own
    transaction, locked with skip_locked so that two sweeps never send the same reminder,
    and checked again; reminder_sent_at / escalated_at record what was done (and move
    `sla_action_at` on).
    """
    now = now or timezone.now()
    counts = {"reminders": 0, "escalations": 0}
    candidate_ids = list(model.objects.filter(sla_action_at__lte=now).values_list("pk", flat=True))
    for request_id in candidate_ids:
        with transaction.atomic():
            # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
            request = (
                model.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("organization", "assigned_reviewer")
                .filter(
                    pk=request_id,
                    status__in=CLOCK_RUNNING_STATUSES,
                    due_at__isnull=False,
                    sla_action_at__lte=now,
                )
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
    transition_make(
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
    return transition_make(
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
