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

from accounts.mfa import mfa_enabled
from gccportal.exceptions import ActionNotAllowed
from reviews import emails
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

from .models import Membership, Organization, PartnerValidationRequest, ResellerQualification
from .selectors import (
    partner_validation_block_reason,
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
    existing = review_request_for_key(
        model=PartnerValidationRequest, organization=organization, key=idempotency_key
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
        request, created = review_request_create(
            model=PartnerValidationRequest,
            organization=organization,
            submitted_by=submitted_by,
            idempotency_key=idempotency_key,
            now=now,
            commercial_tenant_id=organization.commercial_tenant_id,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            government_segments=list(government_segments),
            contract_vehicles=contract_vehicles,
            attested=attested,
        )
    except IntegrityError as exc:  # not the key: the one-open-request constraint
        raise ActionNotAllowed(
            _("Your organization already has a GCC validation request under way.")
        ) from exc
    if created:
        review_submitted(request=request, actor=submitted_by)
    return request


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
    if review_answered_with_key(request=request, key=idempotency_key):
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


def admin_agent_require(*, organization: Organization, actor, message: str) -> None:
    """ActionNotAllowed(`message`) unless `actor` is `organization`'s Admin agent."""
    if not Membership.objects.filter(
        user=actor, organization=organization, role=Membership.Role.ADMIN_AGENT
    ).exists():
        raise ActionNotAllowed(message)


@transaction.atomic
def organization_mfa_requirement_set(
    *, organization: Organization, actor, required: bool
) -> Organization:
    """Require two-step verification of every member (or no longer). The organization's Admin
    agent only, who must have set it up first: they would otherwise lock themselves out.
    Audited; the organization's history records it too."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    admin_agent_require(
        organization=organization,
        actor=actor,
        message=_(
            "Only your organization's Admin agent can change whether two-step "
            "verification is required."
        ),
    )
    if required and not mfa_enabled(actor):
        raise ActionNotAllowed(
            _(
                "Set up two-step verification for your own account first: once it is "
                "required, nobody in your organization can sign in without it."
            )
        )
    if organization.mfa_required == required:
        return organization
    organization.mfa_required = required
    organization.save(update_fields=["mfa_required", "updated_at"])
    audit_event_record(
        subject=organization,
        organization=organization,
        actor=actor,
        action="mfa_requirement_changed",
        note="required" if required else "not required",
    )
    return organization
