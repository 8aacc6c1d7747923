"""The emails of customer validation requests that differ from every reviewed request's
(reviews/emails.py): the question goes to the customer contact, through a link, and the
partner is told; an approval is told to the customer contact too. Each function queues outbox
rows; callers are services."""

from reviews import emails as review_emails
from reviews.emails import review_email_context, review_email_enqueue

from .links import info_link_path
from .models import CustomerValidationRequest


def _contact(request: CustomerValidationRequest) -> list[tuple[str, str]]:
    # The customer contact has no account: the language it is asked in (the submitter's).
    return [(request.contact_email, request.contact_language)]


def info_requested(request: CustomerValidationRequest) -> None:
    review_email_enqueue(
        request,
        name="info_requested_customer",
        recipients=_contact(request),
        event=f"info-requested-{request.info_requested_at.isoformat()}",
        context={
            **review_email_context(request),
            "answer_path": info_link_path(request_id=request.pk, nonce=request.info_link_nonce),
        },
    )
    review_emails.info_requested(request, name="info_requested_partner")


def decided(request: CustomerValidationRequest) -> None:
    review_emails.decided(request)
    if request.status == CustomerValidationRequest.Status.APPROVED:
        review_email_enqueue(
            request,
            name="approved_customer",
            recipients=_contact(request),
            event="decided-customer",
        )
