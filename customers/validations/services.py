"""State changes of customer validation requests that differ from every reviewed request's
(reviews/services.py, which also starts the review, rejects and sweeps the SLA): submit with
documents, ask the customer contact for information and the contact's answer through the
link, approve (it issues the validation code), withdraw."""

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.codes.models import GccValidation
from customers.links import LinkInvalid
from customers.selectors import transacting_partner_for
from customers.services import gcc_organization_require
from gccportal.exceptions import InvalidTransition
from partners.models import Organization
from partners.services import gcc_actor_require
from reviews import emails as review_emails
from reviews.selectors import review_answered_with_key, review_request_for_key
from reviews.services import (
    audit_event_record,
    review_decide,
    review_info_answer,
    review_info_request,
    review_request_create,
    review_request_lock,
    review_submitted,
    review_withdraw,
)
from webhooks.events import EventType
from webhooks.services import webhook_event_emit

from . import emails
from .eligibility import ANSWER_FIELDS, eligibility_assess
from .links import info_link_nonce_new, info_link_read
from .models import CustomerValidationDocument, CustomerValidationRequest
from .selectors import (
    customer_validation_contact_problem,
    customer_validation_tenant_id_problem,
)
from .uploads import document_check, file_written, files_removed_on_failure


def _documents_save(
    request: CustomerValidationRequest, documents: list[UploadedFile], *, source: str
) -> None:
    if len(documents) > settings.CUSTOMER_DOCUMENT_MAX_FILES:
        raise ValidationError(
            {
                "documents": _("Attach at most %(count)s documents.")
                % {"count": settings.CUSTOMER_DOCUMENT_MAX_FILES}
            }
        )
    # Check every file before storing any: a rollback removes rows, not files already written.
    checked = []
    for upload in documents:
        try:
            checked.append((upload, document_check(upload)))
        except ValidationError as exc:
            raise ValidationError({"documents": exc.messages}) from exc
    for upload, mime in checked:
        document = CustomerValidationDocument.objects.create(
            request=request,
            file=upload,
            original_name=upload.name[:255],
            content_type=mime,
            size=upload.size,
            source=source,
        )
        file_written(storage=document.file.storage, name=document.file.name)


def _eligibility_fields(answers: Mapping[str, object] | None) -> dict:
    if not answers:
        return {"eligibility_answers": {}, "eligibility_outcome": ""}
    answers = {name: answers.get(name) for name in ANSWER_FIELDS}
    # The outcome from the rules, never from the page: the answers are what was signed.
    return {
        "eligibility_answers": answers,
        "eligibility_outcome": eligibility_assess(answers).outcome,
    }


def customer_validation_request_fields(
    *, transacting: Organization, submitted_by, values: Mapping[str, Any]
) -> dict:
    """A new request's own fields from the form's `values` (its cleaned data, or the single
    submit's arguments), as they are stored whether it is submitted alone
    (customer_validation_submit) or in bulk: names trimmed, the domain and email in lower
    case, regulated data only for a private organization, the contact's language the
    submitter's, the tenant ID the transacting partner's."""
    private = (
        values["organization_type"] == CustomerValidationRequest.OrganizationType.PRIVATE_REGULATED
    )
    return {
        "transacting_partner": transacting,
        "organization_legal_name": values["organization_legal_name"].strip(),
        "organization_type": values["organization_type"],
        "regulated_data": list(values["regulated_data"]) if private else [],
        "government_domain": values["government_domain"].strip().lower(),
        "contact_name": values["contact_name"],
        "contact_email": values["contact_email"].strip().lower(),
        "contact_phone": values["contact_phone"],
        "contact_language": submitted_by.language,
        "commercial_tenant_id": transacting.commercial_tenant_id,
    }


@files_removed_on_failure
@transaction.atomic
def customer_validation_submit(
    *,
    organization: Organization,
    submitted_by,
    organization_legal_name: str,
    organization_type: str,
    regulated_data: list[str],
    government_domain: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    commercial_tenant_id: str,
    idempotency_key: uuid.UUID,
    documents: list[UploadedFile] = (),
    eligibility_answers: Mapping[str, object] | None = None,
    now: dt.datetime | None = None,
) -> CustomerValidationRequest:
    """Submit a customer validation request. The same key → the same request: a replayed
    form (a retry after a timeout) creates nothing, stores no document and sends no email.

    `eligibility_answers`: the pre-check's answers the partner gave first (read from their
    signed token), stored with the outcome the rules give them; none when it was skipped."""
    gcc_actor_require(user=submitted_by, organization=organization)
    existing = review_request_for_key(
        model=CustomerValidationRequest, organization=organization, key=idempotency_key
    )
    if existing:
        return existing
    gcc_organization_require(organization=organization)
    transacting = transacting_partner_for(organization=organization)
    problem = customer_validation_tenant_id_problem(
        organization=organization, value=commercial_tenant_id
    )
    if problem:
        raise ValidationError({"commercial_tenant_id": problem})
    government_domain = government_domain.strip().lower()
    errors = {}
    contact_problem = customer_validation_contact_problem(
        contact_email=contact_email, government_domain=government_domain
    )
    if contact_problem:
        errors["contact_email"] = contact_problem
    private = organization_type == CustomerValidationRequest.OrganizationType.PRIVATE_REGULATED
    if private and not regulated_data:
        errors["regulated_data"] = _(
            "Say which regulated government data the organization handles."
        )
    if errors:
        raise ValidationError(errors)
    request, created = review_request_create(
        model=CustomerValidationRequest,
        organization=organization,
        submitted_by=submitted_by,
        idempotency_key=idempotency_key,
        now=now,
        **customer_validation_request_fields(
            transacting=transacting,
            submitted_by=submitted_by,
            values={
                "organization_legal_name": organization_legal_name,
                "organization_type": organization_type,
                "regulated_data": regulated_data,
                "government_domain": government_domain,
                "contact_name": contact_name,
                "contact_email": contact_email,
                "contact_phone": contact_phone,
            },
        ),
        **_eligibility_fields(eligibility_answers),
    )
    if created:
        # Documents come after the row: a post that lost the race on the key stored none.
        _documents_save(request, list(documents), source=CustomerValidationDocument.Source.PARTNER)
        review_submitted(request=request, actor=submitted_by)
    return request


@transaction.atomic
def customer_validation_request_info(
    *, request_id: int, reviewer, message: str, now: dt.datetime | None = None
) -> CustomerValidationRequest:
    """Ask the *customer contact* for more information, through a single-use link."""
    request = review_info_request(
        model=CustomerValidationRequest,
        request_id=request_id,
        reviewer=reviewer,
        message=message,
        missing_message=_("Say what information the customer must send."),
        now=now,
        extra_fields={"info_link_nonce": info_link_nonce_new()},
    )
    emails.info_requested(request)
    return request


@files_removed_on_failure
@transaction.atomic
def customer_validation_answer_info(
    *,
    token: str,
    response: str,
    idempotency_key: uuid.UUID,
    documents: list[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> CustomerValidationRequest:
    """The customer contact answers through the link (no account). The link then dies.

    The same key → the same answer: a replayed form (a retry after a timeout) records
    nothing, stores no document and sends no email. Raises LinkInvalid / LinkExpired for a
    bad link and InvalidTransition for a used one (answered by another form).
    """
    request_id, nonce = info_link_read(token)
    if not response.strip():
        raise ValidationError({"response": _("Enter the information the reviewer asked for.")})
    try:
        request = review_request_lock(model=CustomerValidationRequest, request_id=request_id)
    except CustomerValidationRequest.DoesNotExist as exc:
        raise LinkInvalid from exc
    if review_answered_with_key(request=request, key=idempotency_key):
        # This form's answer is recorded: the other post of it won the lock, or was retried.
        return request
    if not request.info_link_nonce or request.info_link_nonce != nonce:
        raise InvalidTransition(_("This link was already used or replaced by a newer one."))
    review_info_answer(
        request=request,
        actor=None,  # the customer contact, who has no account
        response=response,
        now=now or timezone.now(),
        # The link dies with its use; the form's key finds this answer if it is re-posted.
        extra_fields={"info_link_nonce": "", "info_answer_key": idempotency_key},
    )
    _documents_save(request, list(documents), source=CustomerValidationDocument.Source.CUSTOMER)
    review_emails.info_answered(request)
    return request


@transaction.atomic
def customer_validation_approve(
    *, request_id: int, reviewer, max_creates: int = 1, note: str = ""
) -> CustomerValidationRequest:
    """Approve and issue a validation code to the transacting partner."""
    if max_creates < 1:
        raise ValidationError({"max_creates": _("Allow at least one customer to be created.")})
    request = review_decide(
        model=CustomerValidationRequest,
        request_id=request_id,
        reviewer=reviewer,
        move="approve",
        note=note,
    )
    code = GccValidation.objects.create(
        partner_id=request.transacting_partner_id,
        organization_name=request.organization_legal_name,
        max_creates=max_creates,
        remaining_creates=max_creates,
        source_request=request,
    )
    webhook_event_emit(
        organization_ids={request.organization_id, code.partner_id},
        event_type=EventType.VALIDATION_CODE_ISSUED,
        data=code.webhook_data,
        dedupe_key=f"code-issued:{code.pk}",
    )
    audit_event_record(
        subject=request,
        organization=request.organization,
        actor=reviewer,
        action="code_issued",
        note=_("Validation code %(code)s, %(count)s create(s)")
        % {"code": code.validation_id, "count": max_creates},
    )
    emails.decided(request)
    return request


@transaction.atomic
def customer_validation_withdraw(
    *, request_id: int, organization: Organization, actor
) -> CustomerValidationRequest:
    gcc_actor_require(user=actor, organization=organization)
    return review_withdraw(
        model=CustomerValidationRequest,
        request_id=request_id,
        organization=organization,
        actor=actor,
        extra_fields={"info_link_nonce": ""},  # the contact's link dies with the request
    )
