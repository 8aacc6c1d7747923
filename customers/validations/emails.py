"""The emails of customer validation requests. Each function queues outbox rows; callers are
services."""

from django.urls import reverse

from notifications.services import email_enqueue
from partners.selectors import reviewer_lead_users, reviewer_users, reviewers_of

from .links import info_link_path
from .models import CustomerValidationRequest

# The customer contact has no account: emails to it are in the portal's default language.
CONTACT_LANGUAGE = "en"


def _context(request: CustomerValidationRequest) -> dict:
    return {
        "request": request,
        "organization": request.organization,
        "request_path": reverse("customers:validation_detail", args=[request.pk]),
        "admin_path": reverse(
            "admin:customers_customervalidationrequest_change", args=[request.pk]
        ),
    }


def _key(request: CustomerValidationRequest, event: str) -> str:
    return f"customer_validation:{request.pk}:{event}"


def _contact(request: CustomerValidationRequest) -> list[tuple[str, str]]:
    return [(request.contact_email, CONTACT_LANGUAGE)]


def submitted(request: CustomerValidationRequest) -> None:
    email_enqueue(
        template="emails/customers/validation_submitted",
        recipients=[request.submitted_by],
        context=_context(request),
        dedupe_key=_key(request, "submitted"),
    )
    email_enqueue(
        template="emails/customers/validation_new_for_reviewers",
        recipients=reviewer_users(),
        context=_context(request),
        dedupe_key=_key(request, "submitted-reviewers"),
    )


def info_requested(request: CustomerValidationRequest) -> None:
    round_key = request.info_requested_at.isoformat()
    context = {
        **_context(request),
        "answer_path": info_link_path(request_id=request.pk, nonce=request.info_link_nonce),
    }
    email_enqueue(
        template="emails/customers/validation_info_requested_customer",
        recipients=_contact(request),
        context=context,
        dedupe_key=_key(request, f"info-requested-{round_key}"),
    )
    email_enqueue(
        template="emails/customers/validation_info_requested_partner",
        recipients=[request.submitted_by],
        context=_context(request),
        dedupe_key=_key(request, f"info-requested-partner-{round_key}"),
    )


def info_answered(request: CustomerValidationRequest) -> None:
    recipients = reviewers_of(request)
    email_enqueue(
        template="emails/customers/validation_info_answered",
        recipients=recipients,
        context=_context(request),
        dedupe_key=_key(request, f"info-answered-{request.info_responded_at.isoformat()}"),
    )


def decided(request: CustomerValidationRequest) -> None:
    approved = request.status == CustomerValidationRequest.Status.APPROVED
    email_enqueue(
        template=(
            "emails/customers/validation_approved"
            if approved
            else "emails/customers/validation_rejected"
        ),
        recipients=[request.submitted_by],
        context=_context(request),
        dedupe_key=_key(request, "decided"),
    )
    if approved:
        email_enqueue(
            template="emails/customers/validation_approved_customer",
            recipients=_contact(request),
            context=_context(request),
            dedupe_key=_key(request, "decided-customer"),
        )


def reminder(request: CustomerValidationRequest) -> None:
    recipients = reviewers_of(request)
    email_enqueue(
        template="emails/customers/validation_reminder",
        recipients=recipients,
        context=_context(request),
        dedupe_key=_key(request, f"reminder-{request.due_at.isoformat()}"),
    )


def escalation(request: CustomerValidationRequest) -> None:
    email_enqueue(
        template="emails/customers/validation_escalation",
        recipients=reviewer_lead_users(),
        context=_context(request),
        dedupe_key=_key(request, f"escalation-{request.due_at.isoformat()}"),
    )
