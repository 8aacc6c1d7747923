"""The emails every reviewed request sends. Each function queues outbox rows; callers are
services.

Each kind says on its model which templates (`review_templates`), dedupe keys (`review_key`)
and page (`review_url_name`) are its own; a kind whose emails differ (other recipients, more
emails) keeps only those in its own emails module, built with `review_email_enqueue`.
"""

from django.urls import reverse

from notifications.services import email_enqueue

from .models import ReviewableRequest, ReviewStatus
from .selectors import reviewer_lead_users, reviewer_users, reviewers_of


def review_email_context(request: ReviewableRequest) -> dict:
    opts = request._meta
    admin_url_name = f"admin:{opts.app_label}_{opts.model_name}_change"
    return {
        "request": request,
        "organization": request.organization,
        "request_path": reverse(request.review_url_name, args=[request.pk]),
        "admin_path": reverse(admin_url_name, args=[request.pk]),
    }


def review_email_enqueue(
    request: ReviewableRequest, *, name: str, recipients, event: str, context: dict | None = None
) -> None:
    """Queue the kind's email `name` (its template `<review_templates>_<name>`) about
    `request`; `event` makes the dedupe key, so that a repeated call queues nothing."""
    email_enqueue(
        template=f"{request.review_templates}_{name}",
        recipients=recipients,
        context=context or review_email_context(request),
        dedupe_key=f"{request.review_key}:{request.pk}:{event}",
    )


def submitted(request: ReviewableRequest) -> None:
    review_email_enqueue(
        request, name="submitted", recipients=[request.submitted_by], event="submitted"
    )
    review_email_enqueue(
        request,
        name="new_for_reviewers",
        recipients=reviewer_users(),
        event="submitted-reviewers",
    )


def info_requested(request: ReviewableRequest, *, name: str = "info_requested") -> None:
    """The question, to the submitter, who answers it on the portal (by default), or is told
    who must answer it (a kind's own template `name`)."""
    review_email_enqueue(
        request,
        name=name,
        recipients=[request.submitted_by],
        event=f"{name.replace('_', '-')}-{request.info_requested_at.isoformat()}",
    )


def info_answered(request: ReviewableRequest) -> None:
    review_email_enqueue(
        request,
        name="info_answered",
        recipients=reviewers_of(request),
        event=f"info-answered-{request.info_responded_at.isoformat()}",
    )


def decided(request: ReviewableRequest) -> None:
    name = {ReviewStatus.APPROVED: "approved", ReviewStatus.REJECTED: "rejected"}[request.status]
    review_email_enqueue(request, name=name, recipients=[request.submitted_by], event="decided")


def withdrawn(request: ReviewableRequest) -> None:
    """The organization withdrew a request a reviewer was working on: that reviewer is told,
    once. A request nobody is assigned to tells nobody."""
    if request.assigned_reviewer is None:
        return
    review_email_enqueue(
        request, name="withdrawn", recipients=[request.assigned_reviewer], event="withdrawn"
    )


def _clock_email(request: ReviewableRequest, *, name: str, recipients) -> None:
    """Once per due time: a new due time (the clock restarted by an answer) is a new email."""
    review_email_enqueue(
        request, name=name, recipients=recipients, event=f"{name}-{request.due_at.isoformat()}"
    )


def reminder(request: ReviewableRequest) -> None:
    _clock_email(request, name="reminder", recipients=reviewers_of(request))


def escalation(request: ReviewableRequest) -> None:
    _clock_email(request, name="escalation", recipients=reviewer_lead_users())
