"""The emails of a bulk submission: one to the Admin agent who sent it, listing the requests,
and one to the reviewers for the whole batch (a request submitted alone sends each its own
two; a batch of hundreds would fill the reviewers' mailboxes with one email per request)."""

from django.urls import reverse

from notifications.services import email_enqueue
from reviews.selectors import reviewer_users

from ..models import CustomerValidationRequest
from .models import BulkSubmission

# Requests named in an email; the page of the upload lists them all.
LISTED_IN_EMAIL = 50


def bulk_submitted(
    *, bulk: BulkSubmission, requests: list[CustomerValidationRequest], actor
) -> None:
    if not requests:
        return
    opts = CustomerValidationRequest._meta
    context = {
        "organization": bulk.organization,
        "submitter": actor,
        "bulk": bulk,
        "count": len(requests),
        "due_at": requests[0].due_at,
        "requests": [
            (request, reverse(request.review_url_name, args=[request.pk]))
            for request in requests[:LISTED_IN_EMAIL]
        ],
        "more": max(len(requests) - LISTED_IN_EMAIL, 0),
        "bulk_path": reverse("customers:validation_bulk_detail", args=[bulk.pk]),
        "queue_path": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
    }
    key = f"{CustomerValidationRequest.review_key}:bulk:{bulk.pk}"
    email_enqueue(
        template="emails/customers/validation_bulk_submitted",
        recipients=[actor],
        context=context,
        dedupe_key=f"{key}:submitted",
    )
    email_enqueue(
        template="emails/customers/validation_bulk_new_for_reviewers",
        recipients=reviewer_users(),
        context=context,
        dedupe_key=f"{key}:submitted-reviewers",
    )
