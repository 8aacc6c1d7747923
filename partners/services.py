"""State changes of partner organizations and their GCC validation requests.

Every transition: one atomic entry point → lock the row → check the move → save the
changed fields → audit event → emails into the outbox (sent after commit). What every reviewed
request does is in reviews/services.py; partner validation's emails are the shared ones
(reviews/emails.py, with the templates emails/partners/validation_*).
"""

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gccportal.exceptions import ActionNotAllowed
from reviews import emails
from reviews.services import (
    audit_event_record,
    review_audit,
    review_decide,
    review_info_answer,
    review_info_request,
    review_reject,
    review_request_create,
    review_request_lock,
    review_sla_sweep,
    review_start,
    review_withdraw,
)

from .models import Membership, Organization, PartnerValidationRequest, ResellerQualification
from .selectors import (
    partner_validation_answered_with_key,
    partner_validation_block_reason,
    partner_validation_for_idempotency_key,
    tenant_id_problem,
)


def gcc_actor_require(*, user, organization: Organization) -> Membership:
    """The acting user's membership, if it may take GCC actions for `organization`."""
    membership = Membership.objects.filter(user=user, organization=organization).first()
    if membership is None:
        raise ActionNotAllowed(_("You are not a member of this organization."))
    if not membership.can_take_gcc_actions:
        raise ActionNotAllowed(
            _(
                "Your role (%(role)s) can't take GCC actions. Only Admin agents and Sales agents "
                "can; ask one of them."
            )
            % {"role": membership.get_role_display()}
        )
    return membership


@transaction.atomic
def partner_validation_submit(
    *,
    organization: Organization,
    submitted_by,
    commercial_tenant_id: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    government_segments: list[str],
    contract_vehicles: str,
    attested: bool,
    idempotency_key: uuid.UUID,
    now: dt.datetime | None = None,
) -> PartnerValidationRequest:
    """Apply for GCC. The same key → the same request: a replayed form (a retry after a
    timeout) creates nothing and sends no email, even though a request is now under way."""
    # Lock the organization: two agents submitting at once must not both pass the checks, and
    # a replay of the same form waits here until the first post has committed its request.
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    gcc_actor_require(user=submitted_by, organization=organization)
    existing = partner_validation_for_idempotency_key(
        organization=organization, key=idempotency_key
    )
    if existing:
        return existing
    reason = partner_validation_block_reason(organization=organization)
    if reason:
        raise ActionNotAllowed(reason)
    problem = tenant_id_problem(organization=organization, value=commercial_tenant_id)
    if problem:
        raise ValidationError({"commercial_tenant_id": problem})
    if not attested:
        raise ValidationError({"attested": _("Confirm that the information is accurate.")})

    try:
        request = review_request_create(
            model=PartnerValidationRequest,
            submitted_by=submitted_by,
            now=now,
            organization=organization,
            commercial_tenant_id=organization.commercial_tenant_id,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            government_segments=list(government_segments),
            contract_vehicles=contract_vehicles,
            attested=attested,
            idempotency_key=idempotency_key,
        )
    except IntegrityError as exc:
        # The same key inserted meanwhile (the other post won: its request), else the
        # one-open-request constraint.
        existing = partner_validation_for_idempotency_key(
            organization=organization, key=idempotency_key
        )
        if existing:
            return existing
        raise ActionNotAllowed(
            _("Your organization already has a GCC validation request under way.")
        ) from exc
    review_audit(request=request, actor=submitted_by, action="submitted", previous="")
    emails.submitted(request)
    return request


@transaction.atomic
def partner_validation_start_review(
    *, request_id: int, reviewer, note: str = ""
) -> PartnerValidationRequest:
    return review_start(
        model=PartnerValidationRequest, request_id=request_id, reviewer=reviewer, note=note
    )


@transaction.atomic
def partner_validation_request_info(
    *, request_id: int, reviewer, message: str, now: dt.datetime | None = None
) -> PartnerValidationRequest:
    """Ask the partner for more information; it answers on the portal."""
    request = review_info_request(
        model=PartnerValidationRequest,
        request_id=request_id,
        reviewer=reviewer,
        message=message,
        missing_message=_("Say what information the partner must send."),
        now=now,
    )
    emails.info_requested(request)
    return request


@transaction.atomic
def partner_validation_answer_info(
    *,
    request_id: int,
    organization: Organization,
    actor,
    response: str,
    idempotency_key: uuid.UUID,
    now: dt.datetime | None = None,
) -> PartnerValidationRequest:
    """Answer the reviewer's question: back in review, the clock restarted. The same key →
    the same answer: a replayed form (a retry after a timeout) records nothing and sends no
    email; another form's answer once the question is answered is refused."""
    gcc_actor_require(user=actor, organization=organization)
    if not response.strip():
        raise ValidationError({"response": _("Enter the information the reviewer asked for.")})
    request = review_request_lock(
        model=PartnerValidationRequest, request_id=request_id, organization=organization
    )
    if partner_validation_answered_with_key(request=request, key=idempotency_key):
        # This form's answer is recorded: the other post of it won the lock, or was retried.
        return request
    now = now or timezone.now()
    review_info_answer(
        request=request,
        actor=actor,
        response=response,
        now=now,
        extra_fields={"info_answer_key": idempotency_key},
    )
    emails.info_answered(request)
    return request


@transaction.atomic
def partner_validation_approve(
    *, request_id: int, reviewer, note: str = ""
) -> PartnerValidationRequest:
    """Approve: the organization holds the GCC qualification from now on."""
    request = review_decide(
        model=PartnerValidationRequest,
        request_id=request_id,
        reviewer=reviewer,
        move="approve",
        note=note,
    )
    qualification, _created = ResellerQualification.objects.get_or_create(
        organization=request.organization,
        qualification=ResellerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD,
        defaults={"granted_at": request.decided_at, "source_request": request},
    )
    audit_event_record(
        subject=request.organization,
        organization=request.organization,
        actor=reviewer,
        action="qualification_granted",
        note=qualification.qualification,
    )
    emails.decided(request)
    return request


@transaction.atomic
def partner_validation_reject(
    *, request_id: int, reviewer, reason: str
) -> PartnerValidationRequest:
    request = review_reject(
        model=PartnerValidationRequest, request_id=request_id, reviewer=reviewer, reason=reason
    )
    emails.decided(request)
    return request


@transaction.atomic
def partner_validation_withdraw(
    *, request_id: int, organization: Organization, actor
) -> PartnerValidationRequest:
    gcc_actor_require(user=actor, organization=organization)
    return review_withdraw(
        model=PartnerValidationRequest,
        request_id=request_id,
        organization=organization,
        actor=actor,
    )


def partner_validation_sla_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind reviewers when under one business day remains; escalate overdue requests."""
    return review_sla_sweep(model=PartnerValidationRequest, now=now)
