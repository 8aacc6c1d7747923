"""Bulk submission of customer validation requests: keep an upload, then submit its valid rows
in one transaction.

The submit does for many requests what `customer_validation_submit` does for one, with a
number of queries that does not grow with the rows: the requests inserted together, their
"submitted" audit events inserted together (one per request, as the single submit writes),
their webhook events recorded together, and two emails for the batch (the submitter's and
the reviewers') instead of two per request.
"""

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.selectors import transacting_partner_for
from customers.services import gcc_organization_require
from gccportal.exceptions import ActionNotAllowed
from partners.models import Membership, Organization
from partners.services import gcc_actor_require
from reviews.models import AuditEvent
from reviews.services import review_request_create, review_request_new
from webhooks.services import webhook_events_emit_many

from ..models import CustomerValidationRequest
from ..services import customer_validation_request_fields
from . import emails
from .csvfile import csv_file_read
from .models import BulkSubmission
from .selectors import (
    RowCheck,
    RowStatus,
    bulk_row_checks_stored,
    bulk_rows_check,
    bulk_rows_errors_in_every_language,
)

INSERT_BATCH_SIZE = 500


def bulk_actor_require(*, user, organization: Organization) -> Membership:
    """The user's membership, if it may send requests in bulk: an Admin agent (a Sales agent
    submits one request at a time)."""
    membership = gcc_actor_require(user=user, organization=organization)
    if membership.role != Membership.Role.ADMIN_AGENT:
        raise ActionNotAllowed(
            _(
                "Only an Admin agent can submit customer validation requests in bulk. Submit "
                "them one at a time, or ask an Admin agent of your organization."
            )
        )
    return membership


def bulk_submission_upload(
    *, organization: Organization, uploaded_by, upload: UploadedFile
) -> BulkSubmission:
    """Read and keep an uploaded CSV (nothing is submitted). A file the upload form refuses
    raises ValidationError on `file`. The same file uploaded again before it was submitted
    (a double click, a second try) is the same upload."""
    bulk_actor_require(user=uploaded_by, organization=organization)
    parsed = csv_file_read(upload)
    earlier = BulkSubmission.objects.filter(
        organization=organization, sha256=parsed.sha256, submitted_at__isnull=True
    ).first()
    if earlier is not None:
        return earlier
    return BulkSubmission.objects.create(
        organization=organization,
        uploaded_by=uploaded_by,
        filename=upload.name[:255],
        sha256=parsed.sha256,
        rows_purge_at=timezone.now()
        + dt.timedelta(days=settings.CUSTOMER_VALIDATION_BULK_UNSUBMITTED_DAYS),
        rows=[
            {**row, "check": check}
            for row, check in zip(
                parsed.rows,
                bulk_row_checks_stored(rows=parsed.rows, organization=organization),
                strict=True,
            )
        ],
    )


def _request_fields(check: RowCheck, *, transacting, actor) -> dict:
    """A row's request fields, as customer_validation_submit stores them."""
    return customer_validation_request_fields(
        transacting=transacting, submitted_by=actor, values=check.cleaned
    )


def _requests_insert(
    rows: list[tuple[RowCheck, dict]], *, organization, actor, now
) -> list[tuple[CustomerValidationRequest, bool]]:
    """Insert the rows' requests at once, their clock started `now`; (request, created) for
    each. Inside a savepoint: when another transaction inserted one of the keys since they
    were read (the same rows submitted from another upload at that moment), the batch is
    undone and the rows go one by one through review_request_create, which waits for the
    other insert and returns its request."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            inserted = CustomerValidationRequest.objects.bulk_create(
                [
                    review_request_new(
                        model=CustomerValidationRequest,
                        organization=organization,
                        submitted_by=actor,
                        idempotency_key=check.key,
                        now=now,
                        **fields,
                    )
                    for check, fields in rows
                ],
                batch_size=INSERT_BATCH_SIZE,
            )
        return [(request, True) for request in inserted]
    except IntegrityError:
        pass
    return [
        review_request_create(
            model=CustomerValidationRequest,
            organization=organization,
            submitted_by=actor,
            idempotency_key=check.key,
            now=now,
            **fields,
        )
        for check, fields in rows
    ]


def _submitted_record(
    created: list[tuple[RowCheck, CustomerValidationRequest]], *, bulk, organization, actor, now
) -> None:
    """What review_submitted does for one request, for all: each its "submitted" audit event
    (noting the file and row) and its webhook event; then the batch's two emails."""
    content_type = ContentType.objects.get_for_model(CustomerValidationRequest)
    events = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                content_type=content_type,
                object_id=request.pk,
                organization=organization,
                actor=actor,
                action="submitted",
                from_status="",
                to_status=request.status,
                note=_("Submitted in bulk from %(file)s, row %(line)s.")
                % {"file": bulk.filename, "line": check.line},
                created_at=now,
            )
            for check, request in created
        ],
        batch_size=INSERT_BATCH_SIZE,
    )
    webhook_events_emit_many(
        organization_ids=[organization.pk],
        event_type=created[0][1].webhook_event_type(),
        events=[
            (
                f"audit:{event.pk}",
                lambda request=request: {
                    **request.webhook_data(),
                    "action": "submitted",
                    "previousStatus": None,
                    "status": request.status,
                },
            )
            for event, (_check, request) in zip(events, created, strict=True)
        ],
    )
    emails.bulk_submitted(bulk=bulk, requests=[request for _check, request in created], actor=actor)


@transaction.atomic
def customer_validation_bulk_submit(
    *, organization: Organization, actor, bulk_id: int, now: dt.datetime | None = None
) -> BulkSubmission:
    """Submit every valid row of the upload as a request, in one transaction; rows with
    errors are skipped (they stay listed), rows already submitted (by an earlier upload of
    the same rows, or repeated in the file) make nothing. Submitting the same upload again (a
    re-posted form) does nothing and returns it. Another organization's upload is
    BulkSubmission.DoesNotExist."""
    bulk_actor_require(user=actor, organization=organization)
    # Locked: two posts of the submit wait for each other, and the second finds it done.
    bulk = BulkSubmission.objects.select_for_update().get(pk=bulk_id, organization=organization)
    if bulk.submitted_at is not None:
        return bulk
    gcc_organization_require(organization=organization)
    checks = bulk_rows_check(bulk=bulk, organization=organization)
    now = now or timezone.now()
    transacting = transacting_partner_for(organization=organization)
    ready = [check for check in checks if check.status == RowStatus.READY]
    inserted = _requests_insert(
        [(check, _request_fields(check, transacting=transacting, actor=actor)) for check in ready],
        organization=organization,
        actor=actor,
        now=now,
    )
    errors = bulk_rows_errors_in_every_language(
        rows=bulk.rows, checks=checks, organization=organization
    )
    # What each row became, kept: the page of a submitted upload shows it, not today's rules.
    results = {
        str(check.line): {
            "status": check.status,
            "request": check.request.pk if check.request else None,
            "created": False,
            "repeats_line": check.repeats_line,
            "errors": errors.get(check.line, []),
        }
        for check in checks
    }
    created = []
    for check, (request, was_created) in zip(ready, inserted, strict=True):
        results[str(check.line)].update(
            status=RowStatus.SUBMITTED, request=request.pk, created=was_created
        )
        if was_created:
            created.append((check, request))
    if created:
        _submitted_record(created, bulk=bulk, organization=organization, actor=actor, now=now)
    bulk.results = results
    bulk.submitted_at = now
    bulk.submitted_by = actor
    bulk.rows_purge_at = now + dt.timedelta(days=settings.CUSTOMER_VALIDATION_BULK_SUBMITTED_DAYS)
    bulk.save(update_fields=["results", "submitted_at", "submitted_by", "rows_purge_at"])
    return bulk


# What a submitted upload's rows keep once their contacts are removed: its page's columns.
ROW_VALUES_KEPT = ("organization_legal_name", "government_domain")
PURGE_BATCH_SIZE = 200


def bulk_submission_purge(*, now: dt.datetime | None = None) -> int:
    """Remove the contacts (names, emails, phones) kept in uploads: delete the uploads not
    submitted within CUSTOMER_VALIDATION_BULK_UNSUBMITTED_DAYS, and keep of a submitted
    upload's rows, CUSTOMER_VALIDATION_BULK_SUBMITTED_DAYS after, only what its page shows
    (each row's line, customer name and domain; its results stay). One indexed query selects
    the uploads due, at most PURGE_BATCH_SIZE (the next run takes the rest); idempotent.
    Returns the number of uploads done."""
    now = now or timezone.now()
    due = list(
        BulkSubmission.objects.filter(rows_purge_at__lte=now)
        .order_by("rows_purge_at")
        .only("pk", "submitted_at", "rows")[:PURGE_BATCH_SIZE]
    )
    unsubmitted = [bulk.pk for bulk in due if bulk.submitted_at is None]
    # Not one submitted meanwhile: its submit set another time (and locked the row first).
    deleted, _by_model = BulkSubmission.objects.filter(
        pk__in=unsubmitted, submitted_at__isnull=True, rows_purge_at__lte=now
    ).delete()
    trimmed = [bulk for bulk in due if bulk.submitted_at is not None]
    for bulk in trimmed:
        bulk.rows = [
            {
                "line": row["line"],
                "values": {name: row["values"].get(name, "") for name in ROW_VALUES_KEPT},
            }
            for row in bulk.rows
        ]
        bulk.rows_purge_at = None
    BulkSubmission.objects.bulk_update(trimmed, ["rows", "rows_purge_at"])
    return deleted + len(trimmed)
