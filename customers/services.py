"""State changes of customers, customer GCC validation requests and validation codes."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gccportal.exceptions import ActionNotAllowed, InvalidTransition, ServiceError
from gccportal.review_clock import review_due_at
from partners.models import Organization
from partners.services import gcc_actor_require
from reviews.services import (
    audit_event_record,
    review_audit,
    review_decide,
    review_info_answer,
    review_info_request,
    review_request_lock,
    review_sla_sweep,
    review_start,
    review_transition_apply,
    reviewer_require,
)

from . import emails
from .links import (
    LinkInvalid,
    acceptance_confirmation_path,
    acceptance_confirmation_read,
    info_link_nonce_new,
    info_link_read,
    invitation_nonce_new,
    invitation_read,
    invitation_token,
    invitation_url,
)
from .models import (
    Customer,
    CustomerQualification,
    CustomerRelationship,
    CustomerValidationDocument,
    CustomerValidationRequest,
    GccValidation,
    ResellerInvitation,
)
from .selectors import (
    customer_for_idempotency_key,
    customer_validation_for_idempotency_key,
    customer_validation_tenant_id_problem,
    gcc_block_reason,
    gcc_validation_list_visible,
    transacting_partner_for,
)
from .uploads import document_check, file_written, files_removed_on_failure

DECIDE_PERMISSION = "customers.decide_customervalidationrequest"
GCC = CustomerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD
NO_QUALIFICATION = "none"


class CodeExhausted(ActionNotAllowed):
    """The validation code has no creates left (another customer took the last one)."""


def _gcc_require(organization: Organization) -> None:
    reason = gcc_block_reason(organization=organization)
    if reason:
        raise ActionNotAllowed(reason)


# -- customers -------------------------------------------------------------------------------


def _gcc_validation_take(visible, gcc_validation: GccValidation) -> None:
    """Consume one create of the code (`visible`: the code, if this organization may use it)."""
    # Conditional decrement: the row lock of the UPDATE serializes racing agents, and the
    # second one finds no create left instead of going below zero.
    taken = visible.filter(remaining_creates__gt=0).update(
        remaining_creates=F("remaining_creates") - 1
    )
    if not taken:
        raise CodeExhausted(
            _(
                "The validation code for %(name)s has no creates left: another customer used "
                "the last one. Nothing was created. Choose another code or submit a new "
                "validation request."
            )
            % {"name": gcc_validation.organization_name}
        )


@transaction.atomic
def customer_create(
    *,
    organization: Organization,
    created_by,
    idempotency_key: uuid.UUID,
    company_name: str,
    primary_domain: str,
    address_line1: str,
    city: str,
    state: str,
    postal_code: str,
    contact_first_name: str,
    contact_last_name: str,
    contact_email: str,
    contact_phone: str,
    address_line2: str = "",
    country: str = "US",
    special_qualification: str = NO_QUALIFICATION,
    gcc_validation: GccValidation | None = None,
) -> Customer:
    """Create a customer managed by `organization`, with at most one special qualification.

    With GCC, one create of the validation code is consumed by a conditional decrement in
    the same transaction: two agents racing for the last create get exactly one customer.
    The same key → the same customer: a replayed form (a retry after a timeout) creates
    nothing and takes no second create of the code, although its domain is now a customer.
    """
    gcc_actor_require(user=created_by, organization=organization)
    existing = customer_for_idempotency_key(organization=organization, key=idempotency_key)
    if existing:
        return existing
    domain = primary_domain.strip().lower()
    if Customer.objects.filter(primary_domain=domain).exists():
        raise ValidationError(
            {
                "primary_domain": _(
                    "%(domain)s is already a customer in the portal. If it is not yours, ask it "
                    "for a reseller relationship instead."
                )
                % {"domain": domain}
            }
        )
    if special_qualification not in (NO_QUALIFICATION, *CustomerQualification.Qualification.values):
        raise ValidationError(
            {"special_qualification": _("Choose one of the special qualifications offered.")}
        )
    visible = None
    if special_qualification == GCC:
        _gcc_require(organization)
        if gcc_validation is None:
            raise ValidationError(
                {"gcc_validation": _("Choose the GCC validation code for this customer.")}
            )
        visible = gcc_validation_list_visible(organization=organization).filter(
            pk=gcc_validation.pk
        )
        if not visible.exists():
            raise ActionNotAllowed(
                _(
                    "This validation code is not available to your organization. Nothing was "
                    "created."
                )
            )
    try:
        # One savepoint for the code's create, the customer and its relationship: when the
        # same form's other post won meanwhile (this one waited for it on the code's row or on
        # a unique index), all three are undone here and that post's customer is returned.
        with transaction.atomic():
            if visible is not None:
                _gcc_validation_take(visible, gcc_validation)
            customer = Customer.objects.create(
                company_name=company_name.strip(),
                primary_domain=domain,
                address_line1=address_line1,
                address_line2=address_line2,
                city=city,
                state=state.upper(),
                postal_code=postal_code,
                country=country.upper(),
                contact_first_name=contact_first_name,
                contact_last_name=contact_last_name,
                contact_email=contact_email,
                contact_phone=contact_phone,
                created_by=created_by,
            )
            CustomerRelationship.objects.create(
                organization=organization, customer=customer, idempotency_key=idempotency_key
            )
    except (IntegrityError, CodeExhausted) as exc:
        replayed = customer_for_idempotency_key(organization=organization, key=idempotency_key)
        if replayed:
            return replayed
        if isinstance(exc, CodeExhausted):
            raise
        # The same domain created a moment ago by someone else.
        raise ValidationError(
            {
                "primary_domain": _("%(domain)s is already a customer in the portal.")
                % {"domain": domain}
            }
        ) from exc
    audit_event_record(
        subject=customer, organization=organization, actor=created_by, action="customer_created"
    )
    if special_qualification != NO_QUALIFICATION:
        qualification = CustomerQualification.objects.create(
            customer=customer,
            qualification=special_qualification,
            vetting_status=(
                CustomerQualification.VettingStatus.APPROVED
                if special_qualification == GCC
                else CustomerQualification.VettingStatus.IN_REVIEW
            ),
            validation=gcc_validation if special_qualification == GCC else None,
            granted_at=timezone.now(),
            granted_by=created_by,
        )
        audit_event_record(
            subject=customer,
            organization=organization,
            actor=created_by,
            action="qualification_granted",
            note=qualification.qualification
            + (f" ({gcc_validation.validation_id})" if gcc_validation else ""),
        )
    return customer


# -- customer validation requests --------------------------------------------------------


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


def _lock(request_id: int) -> CustomerValidationRequest:
    return review_request_lock(model=CustomerValidationRequest, request_id=request_id)


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
    now: dt.datetime | None = None,
) -> CustomerValidationRequest:
    """Submit a customer validation request. The same key → the same request: a replayed
    form (a retry after a timeout) creates nothing, stores no document and sends no email."""
    gcc_actor_require(user=submitted_by, organization=organization)
    existing = customer_validation_for_idempotency_key(
        organization=organization, key=idempotency_key
    )
    if existing:
        return existing
    _gcc_require(organization)
    transacting = transacting_partner_for(organization=organization)
    problem = customer_validation_tenant_id_problem(
        organization=organization, value=commercial_tenant_id
    )
    if problem:
        raise ValidationError({"commercial_tenant_id": problem})
    private = organization_type == CustomerValidationRequest.OrganizationType.PRIVATE_REGULATED
    if private and not regulated_data:
        raise ValidationError(
            {"regulated_data": _("Say which regulated government data the organization handles.")}
        )
    now = now or timezone.now()
    try:
        with transaction.atomic():
            request = CustomerValidationRequest.objects.create(
                organization=organization,
                transacting_partner=transacting,
                submitted_by=submitted_by,
                submitted_at=now,
                due_at=review_due_at(now),
                organization_legal_name=organization_legal_name.strip(),
                organization_type=organization_type,
                regulated_data=list(regulated_data) if private else [],
                government_domain=government_domain.strip().lower(),
                contact_name=contact_name,
                contact_email=contact_email,
                contact_phone=contact_phone,
                commercial_tenant_id=transacting.commercial_tenant_id,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # The same key submitted twice at once: the other post won (its insert committed while
        # this one waited on the unique index). Its request, its documents, its emails; this
        # post has stored no document yet (they come after the row).
        existing = customer_validation_for_idempotency_key(
            organization=organization, key=idempotency_key
        )
        if existing is None:
            raise
        return existing
    _documents_save(request, list(documents), source=CustomerValidationDocument.Source.PARTNER)
    review_audit(request=request, actor=submitted_by, action="submitted", previous="")
    emails.submitted(request)
    return request


@transaction.atomic
def customer_validation_start_review(
    *, request_id: int, reviewer, note: str = ""
) -> CustomerValidationRequest:
    return review_start(
        model=CustomerValidationRequest,
        permission=DECIDE_PERMISSION,
        request_id=request_id,
        reviewer=reviewer,
        note=note,
    )


@transaction.atomic
def customer_validation_request_info(
    *, request_id: int, reviewer, message: str, now: dt.datetime | None = None
) -> CustomerValidationRequest:
    """Ask the *customer contact* for more information, through a single-use link."""
    reviewer_require(reviewer=reviewer, permission=DECIDE_PERMISSION)
    if not message.strip():
        raise ValidationError({"message": _("Say what information the customer must send.")})
    request = _lock(request_id)
    review_info_request(
        request=request,
        reviewer=reviewer,
        message=message,
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
        request = _lock(request_id)
    except CustomerValidationRequest.DoesNotExist as exc:
        raise LinkInvalid from exc
    if idempotency_key is not None and request.info_answer_key == idempotency_key:
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
    emails.info_answered(request)
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
        permission=DECIDE_PERMISSION,
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
def customer_validation_reject(
    *, request_id: int, reviewer, reason: str
) -> CustomerValidationRequest:
    reviewer_require(reviewer=reviewer, permission=DECIDE_PERMISSION)
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Give the reason for the rejection; the partner sees it.")}
        )
    request = review_decide(
        model=CustomerValidationRequest,
        permission=DECIDE_PERMISSION,
        request_id=request_id,
        reviewer=reviewer,
        move="reject",
        note=reason,
    )
    emails.decided(request)
    return request


@transaction.atomic
def customer_validation_withdraw(
    *, request_id: int, organization: Organization, actor
) -> CustomerValidationRequest:
    gcc_actor_require(user=actor, organization=organization)
    request = _lock(request_id)
    if request.organization_id != organization.pk:
        raise CustomerValidationRequest.DoesNotExist
    previous = review_transition_apply(request=request, move="withdraw")
    request.due_at = None
    request.info_link_nonce = ""
    request.save(update_fields=["status", "due_at", "info_link_nonce", "updated_at"])
    review_audit(request=request, actor=actor, action="withdrawn", previous=previous)
    return request


def customer_validation_sla_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    return review_sla_sweep(
        model=CustomerValidationRequest,
        remind=emails.reminder,
        escalate=emails.escalation,
        now=now,
    )


# -- reseller-relationship invitations -------------------------------------------------------


def _invitation_lock(*, invitation_id: int) -> ResellerInvitation:
    return (
        ResellerInvitation.objects.select_for_update(of=("self",))
        .select_related("organization", "on_behalf_of", "created_by")
        .get(pk=invitation_id)
    )


def _invitation_transition(invitation: ResellerInvitation, move: str) -> str:
    return review_transition_apply(request=invitation, move=move)


def _invitation_audit(invitation, *, actor, action: str, previous: str, note: str = "") -> None:
    audit_event_record(
        subject=invitation,
        organization=invitation.organization,
        actor=actor,
        action=action,
        from_status=previous,
        to_status=invitation.status,
        note=note,
    )


@transaction.atomic
def invitation_create(*, organization: Organization, created_by) -> ResellerInvitation:
    """A draft email, in the partner's language, holding the personalized link."""
    gcc_actor_require(user=created_by, organization=organization)
    transacting = transacting_partner_for(organization=organization)
    invitation = ResellerInvitation.objects.create(
        organization=organization,
        on_behalf_of=transacting if transacting.pk != organization.pk else None,
        nonce=invitation_nonce_new(),
        subject="-",
        body="-",
        language=created_by.language,
        created_by=created_by,
    )
    context = {
        "partner_name": organization.legal_name,
        "provider_name": invitation.on_behalf_of.legal_name if invitation.on_behalf_of else "",
        "sender_name": created_by.get_full_name() or created_by.email,
        "link": invitation_link(invitation),
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    with translation.override(invitation.language):
        invitation.subject = " ".join(
            render_to_string("customers/invitation/draft.subject.txt", context).split()
        )[:200]
        invitation.body = render_to_string("customers/invitation/draft.body.txt", context).strip()
    invitation.save(update_fields=["subject", "body"])
    _invitation_audit(invitation, actor=created_by, action="invitation_drafted", previous="")
    return invitation


def invitation_link(invitation: ResellerInvitation) -> str:
    return invitation_url(invitation_id=invitation.pk, nonce=invitation.nonce)


@transaction.atomic
def invitation_send(
    *, invitation_id: int, organization: Organization, actor, subject: str, body: str
) -> ResellerInvitation:
    """Done: the partner sent the (possibly edited) email. The link must still be in it."""
    gcc_actor_require(user=actor, organization=organization)
    invitation = _invitation_lock(invitation_id=invitation_id)
    if invitation.organization_id != organization.pk:
        raise ResellerInvitation.DoesNotExist
    link = invitation_link(invitation)
    errors = {}
    if not subject.strip():
        errors["subject"] = _("Enter a subject for the email.")
    if link not in body:
        errors["body"] = _(
            "The personalized link was removed from the message. The customer needs it to "
            "accept: put this link back into the message: %(link)s"
        ) % {"link": link}
    if errors:
        raise ValidationError(errors)
    previous = _invitation_transition(invitation, "send")
    now = timezone.now()
    invitation.subject = subject.strip()[:200]
    invitation.body = body.strip()
    invitation.sent_at = now
    invitation.expires_at = now + dt.timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save(update_fields=["status", "subject", "body", "sent_at", "expires_at"])
    _invitation_audit(invitation, actor=actor, action="invitation_sent", previous=previous)
    return invitation


@transaction.atomic
def invitation_revoke(
    *, invitation_id: int, organization: Organization, actor
) -> ResellerInvitation:
    gcc_actor_require(user=actor, organization=organization)
    invitation = _invitation_lock(invitation_id=invitation_id)
    if invitation.organization_id != organization.pk:
        raise ResellerInvitation.DoesNotExist
    previous = _invitation_transition(invitation, "revoke")
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = actor
    invitation.save(update_fields=["status", "revoked_at", "revoked_by"])
    _invitation_audit(invitation, actor=actor, action="invitation_revoked", previous=previous)
    return invitation


class InvitationUnavailable(ServiceError):
    """The link can't be used: revoked, expired, already used, or not sent."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def invitation_for_token(*, token: str, now: dt.datetime | None = None) -> ResellerInvitation:
    """The invitation a customer's link opens, if it may still be accepted.

    Raises LinkInvalid (forged, tampered, unknown) or InvitationUnavailable (with a reason:
    accepted, revoked, expired, not_sent). Reads only; changes nothing.
    """
    invitation_id, nonce = invitation_read(token)
    invitation = (
        ResellerInvitation.objects.select_related("organization", "on_behalf_of", "customer")
        .filter(pk=invitation_id, nonce=nonce)
        .first()
    )
    if invitation is None:
        raise LinkInvalid
    _invitation_usable_require(invitation, now=now or timezone.now())
    return invitation


def _invitation_usable_require(invitation: ResellerInvitation, *, now: dt.datetime) -> None:
    Status = ResellerInvitation.Status
    if invitation.status == Status.ACCEPTED:
        raise InvitationUnavailable(
            _("This invitation was already accepted. The link works only once."), reason="accepted"
        )
    if invitation.status == Status.REVOKED:
        raise InvitationUnavailable(
            _("The partner withdrew this invitation. Ask it for a new one if needed."),
            reason="revoked",
        )
    if invitation.status == Status.EXPIRED or (
        invitation.status == Status.SENT and invitation.expires_at <= now
    ):
        raise InvitationUnavailable(
            _("This invitation has expired. Ask the partner to send you a new one."),
            reason="expired",
        )
    if invitation.status != Status.SENT:
        raise InvitationUnavailable(_("This invitation has not been sent yet."), reason="not_sent")


def email_is_on_domain(email: str, domain: str) -> bool:
    """True when `email` is an address of `domain` or of one of its subdomains."""
    host = email.rsplit("@", 1)[-1].strip().lower()
    domain = domain.strip().lower()
    return bool(domain) and (host == domain or host.endswith("." + domain))


def invitation_confirmation_send(
    *,
    token: str,
    company_name: str,
    primary_domain: str,
    accepted_by_name: str,
    accepted_by_email: str,
    now: dt.datetime | None = None,
) -> ResellerInvitation:
    """First step of acceptance: prove the person controls a mailbox of the domain.

    Nothing is accepted yet: a link holding the answers is emailed to `accepted_by_email`,
    which must be an address of the confirmed domain. Whoever holds the invitation link (the
    partner included) can't claim another organization's domain without that mailbox.
    """
    invitation = invitation_for_token(token=token, now=now)
    domain = primary_domain.strip().lower()
    email = accepted_by_email.strip().lower()
    errors = {}
    if not company_name.strip():
        errors["company_name"] = _("Enter your organization's name.")
    if not domain:
        errors["primary_domain"] = _("Enter your organization's primary domain.")
    elif not email_is_on_domain(email, domain):
        errors["accepted_by_email"] = _(
            "Enter your work email address at %(domain)s: we send the confirmation link there."
        ) % {"domain": domain}
    if errors:
        raise ValidationError(errors)
    answers = {
        "company_name": company_name.strip(),
        "primary_domain": domain,
        "accepted_by_name": accepted_by_name.strip(),
        "accepted_by_email": email,
    }
    with transaction.atomic():
        emails.invitation_confirmation(
            invitation,
            answers=answers,
            confirm_path=acceptance_confirmation_path(
                invitation_id=invitation.pk, nonce=invitation.nonce, answers=answers
            ),
        )
    return invitation


def invitation_confirmation_read(*, token: str) -> tuple[str, dict]:
    """(invitation token, answers) of a confirmation link, for invitation_accept.

    Raises LinkInvalid / LinkExpired for a bad or old confirmation link.
    """
    invitation_id, nonce, answers = acceptance_confirmation_read(token)
    return invitation_token(invitation_id=invitation_id, nonce=nonce), answers


@dataclass(frozen=True)
class InvitationAcceptance:
    invitation: ResellerInvitation
    customer: Customer
    already_reseller: bool


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    company_name: str,
    primary_domain: str,
    accepted_by_name: str,
    accepted_by_email: str,
    now: dt.datetime | None = None,
) -> InvitationAcceptance:
    """The customer accepts: the partner now manages it. One transaction, single use.

    The customer is matched by primary domain (its GCC qualification kept) or created. If the
    partner already manages it, nothing is duplicated and the result says so.
    """
    now = now or timezone.now()
    invitation_id, nonce = invitation_read(token)
    try:
        # Lock: two acceptances of one link at once — the second sees "accepted".
        invitation = _invitation_lock(invitation_id=invitation_id)
    except ResellerInvitation.DoesNotExist as exc:
        raise LinkInvalid from exc
    if invitation.nonce != nonce:
        raise LinkInvalid
    _invitation_usable_require(invitation, now=now)
    domain = primary_domain.strip().lower()
    errors = {}
    if not company_name.strip():
        errors["company_name"] = _("Enter your organization's name.")
    if not domain:
        errors["primary_domain"] = _("Enter your organization's primary domain.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            customer, _created = Customer.objects.get_or_create(
                primary_domain=domain, defaults={"company_name": company_name.strip()}
            )
    except IntegrityError:  # created by a concurrent acceptance a moment ago
        customer = Customer.objects.get(primary_domain=domain)
    _relationship, created = CustomerRelationship.objects.get_or_create(
        organization=invitation.organization, customer=customer
    )
    previous = _invitation_transition(invitation, "accept")
    invitation.accepted_at = now
    invitation.accepted_by_name = accepted_by_name.strip()[:100]
    invitation.accepted_by_email = accepted_by_email.strip()
    invitation.customer = customer
    invitation.save(
        update_fields=["status", "accepted_at", "accepted_by_name", "accepted_by_email", "customer"]
    )
    _invitation_audit(
        invitation,
        actor=None,
        action="invitation_accepted",
        previous=previous,
        note=f"{invitation.accepted_by_name} <{invitation.accepted_by_email}>",
    )
    if created:
        audit_event_record(
            subject=customer,
            organization=invitation.organization,
            actor=None,
            action="relationship_created",
            note=str(invitation),
        )
    emails.invitation_accepted(invitation, already_reseller=not created)
    return InvitationAcceptance(
        invitation=invitation, customer=customer, already_reseller=not created
    )


def invitation_expire_sweep(*, now: dt.datetime | None = None) -> int:
    """Mark sent invitations past their expiry as expired (idempotent)."""
    now = now or timezone.now()
    expired = 0
    for invitation_id in ResellerInvitation.objects.filter(
        status=ResellerInvitation.Status.SENT, expires_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            invitation = (
                ResellerInvitation.objects.select_for_update(skip_locked=True)
                .filter(pk=invitation_id, status=ResellerInvitation.Status.SENT)
                .first()
            )
            if invitation is None:
                continue
            previous = _invitation_transition(invitation, "expire")
            invitation.save(update_fields=["status"])
            _invitation_audit(
                invitation, actor=None, action="invitation_expired", previous=previous
            )
            expired += 1
    return expired
