"""The emails of partner validation. Each function queues outbox rows; callers are services."""

from django.urls import reverse

from notifications.services import email_enqueue

from .models import PartnerValidationRequest
from .selectors import reviewer_lead_users, reviewer_users, reviewers_of


def _context(request: PartnerValidationRequest) -> dict:
    return {
        "request": request,
        "organization": request.organization,
        "request_path": reverse("partners:validation_detail", args=[request.pk]),
        "admin_path": reverse("admin:partners_partnervalidationrequest_change", args=[request.pk]),
    }


def _key(request: PartnerValidationRequest, event: str) -> str:
    return f"partner_validation:{request.pk}:{event}"


def submitted(request: PartnerValidationRequest) -> None:
    email_enqueue(
        template="emails/partners/validation_submitted",
        recipients=[request.submitted_by],
        context=_context(request),
        dedupe_key=_key(request, "submitted"),
    )
    email_enqueue(
        template="emails/partners/validation_new_for_reviewers",
        recipients=reviewer_users(),
        context=_context(request),
        dedupe_key=_key(request, "submitted-reviewers"),
    )


def info_requested(request: PartnerValidationRequest, *, round_key: str) -> None:
    email_enqueue(
        template="emails/partners/validation_info_requested",
        recipients=[request.submitted_by],
        context=_context(request),
        dedupe_key=_key(request, f"info-requested-{round_key}"),
    )


def info_answered(request: PartnerValidationRequest, *, round_key: str) -> None:
    recipients = reviewers_of(request)
    email_enqueue(
        template="emails/partners/validation_info_answered",
        recipients=recipients,
        context=_context(request),
        dedupe_key=_key(request, f"info-answered-{round_key}"),
    )


def decided(request: PartnerValidationRequest) -> None:
    template = {
        PartnerValidationRequest.Status.APPROVED: "emails/partners/validation_approved",
        PartnerValidationRequest.Status.REJECTED: "emails/partners/validation_rejected",
    }[request.status]
    email_enqueue(
        template=template,
        recipients=[request.submitted_by],
        context=_context(request),
        dedupe_key=_key(request, "decided"),
    )


def reminder(request: PartnerValidationRequest) -> None:
    recipients = reviewers_of(request)
    email_enqueue(
        template="emails/partners/validation_reminder",
        recipients=recipients,
        context=_context(request),
        dedupe_key=_key(request, f"reminder-{request.due_at.isoformat()}"),
    )


def escalation(request: PartnerValidationRequest) -> None:
    email_enqueue(
        template="emails/partners/validation_escalation",
        recipients=reviewer_lead_users(),
        context=_context(request),
        dedupe_key=_key(request, f"escalation-{request.due_at.isoformat()}"),
    )
