"""Shared machinery of review transitions: check the move, record the audit event."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from gccportal.exceptions import ActionNotAllowed, InvalidTransition

from .models import AuditEvent, ReviewableRequest


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
