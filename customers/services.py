"""State changes of customers: Add customer (with its special qualification, consuming a
validation code for GCC), and the GCC precondition every customer GCC action shares."""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gccportal.exceptions import ActionNotAllowed
from partners.models import Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD
from partners.services import gcc_actor_require
from reviews.services import audit_event_record
from webhooks.events import EventType
from webhooks.services import webhook_event_emit

from .codes import emails as code_emails
from .codes.models import GccValidation
from .codes.selectors import gcc_validation_list_visible
from .codes.services import CodeExhausted, gcc_validation_take
from .domains import domain_unavailable_message
from .models import Customer, CustomerQualification, CustomerRelationship
from .selectors import (
    customer_domain_taken,
    customer_for_idempotency_key,
    customer_get_for_org,
    gcc_block_reason,
    transacting_partner_for,
)

NO_QUALIFICATION = "none"


class PartnerNotQualified(ActionNotAllowed):
    """The organization may not take customer GCC actions (not approved for GCC, say)."""


def gcc_organization_require(*, organization: Organization) -> None:
    """PartnerNotQualified, saying why, unless `organization` may take customer GCC actions."""
    reason = gcc_block_reason(organization=organization)
    if reason:
        raise PartnerNotQualified(reason)


def customer_qualification_check(
    *,
    organization: Organization,
    special_qualification: str,
    gcc_validation: GccValidation | None,
) -> None:
    """Whether `organization` may create a customer with this special qualification: one of
    those offered; for GCC, the organization approved for GCC and a code it may use."""
    if special_qualification not in (NO_QUALIFICATION, *CustomerQualification.Qualification.values):
        raise ValidationError(
            {"special_qualification": _("Choose one of the special qualifications offered.")}
        )
    if special_qualification != GOVERNMENT_COMMUNITY_CLOUD:
        return
    gcc_organization_require(organization=organization)
    if gcc_validation is None:
        raise ValidationError(
            {"gcc_validation": _("Choose the GCC validation code for this customer.")}
        )
    if not _code_visible(organization, gcc_validation).exists():
        raise ActionNotAllowed(
            _("This validation code is not available to your organization. Nothing was created.")
        )


def _associated_reseller(*, organization: Organization, partner_id: str) -> Organization | None:
    """The indirect reseller `partner_id` names, if it is one of `organization`'s (an
    indirect provider's); None when no partner ID is given."""
    partner_id = (partner_id or "").strip()
    if not partner_id:
        return None
    if organization.partner_type != Organization.PartnerType.INDIRECT_PROVIDER:
        raise ValidationError(
            {
                "associated_partner_id": _(
                    "Only an indirect provider creates a customer for an associated partner."
                )
            }
        )
    reseller = Organization.objects.filter(
        indirect_provider=organization, partner_id=partner_id
    ).first()
    if reseller is None:
        raise ValidationError(
            {
                "associated_partner_id": _("%(partner_id)s is not one of your indirect resellers.")
                % {"partner_id": partner_id}
            }
        )
    return reseller


def _code_visible(organization: Organization, gcc_validation: GccValidation):
    """The code, if `organization` may use it (else nothing)."""
    return gcc_validation_list_visible(organization=organization).filter(pk=gcc_validation.pk)


def _domain_unavailable(domain: str) -> ValidationError:
    return ValidationError({"primary_domain": domain_unavailable_message(domain)})


def provider_relationship_create(*, reseller: Organization, customer: Customer) -> bool:
    """For an indirect reseller's new customer: its indirect provider's relationship too,
    through the reseller (the provider sees the customer; the reseller acts). Nothing for
    another kind of partner, nor when the provider already has one. True when created."""
    provider = transacting_partner_for(organization=reseller)
    if provider.pk == reseller.pk:
        return False
    _relationship, created = CustomerRelationship.objects.get_or_create(
        organization=provider, customer=customer, defaults={"indirect_reseller": reseller}
    )
    if created:
        audit_event_record(
            subject=customer,
            organization=provider,
            actor=None,
            action="provider_relationship_created",
            note=reseller.legal_name,
        )
    return created


@transaction.atomic
def customer_create(
    *,
    organization: Organization,
    created_by,
    idempotency_key: uuid.UUID,
    **answers,
) -> Customer:
    """Create a customer managed by `organization`, with at most one special qualification
    (the answers: `customer_insert`'s).

    The same key → the same customer: a replayed form (a retry after a timeout) creates
    nothing and takes no second create of the code, although its domain is now a customer.
    """
    gcc_actor_require(user=created_by, organization=organization)
    existing = customer_for_idempotency_key(organization=organization, key=idempotency_key)
    if existing:
        return existing
    return customer_insert(
        organization=organization,
        created_by=created_by,
        idempotency_key=idempotency_key,
        **answers,
    )


@transaction.atomic
def customer_insert(
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
    associated_partner_id: str = "",
) -> Customer:
    """Add customer's checks and rows, in the caller's transaction: for a service that has
    checked the actor (`gcc_actor_require`) and looked for its key (`customer_create`, and
    orders' new customer with its first order).

    `associated_partner_id` (Partner Center's `associatedPartnerId`): an indirect provider
    creates the customer for one of its own indirect resellers, which manages it; the
    provider sees it through the reseller, as it sees the customers its resellers add.

    With GCC, one create of the validation code is consumed by a conditional decrement in
    the same transaction: two agents racing for the last create get exactly one customer.
    """
    reseller = _associated_reseller(organization=organization, partner_id=associated_partner_id)
    domain = primary_domain.strip().lower()
    if customer_domain_taken(domain=domain):
        raise _domain_unavailable(domain)
    customer_qualification_check(
        organization=organization,
        special_qualification=special_qualification,
        gcc_validation=gcc_validation,
    )
    gcc = special_qualification == GOVERNMENT_COMMUNITY_CLOUD
    try:
        # One savepoint for the code's create, the customer and its relationship: when the
        # same form's other post won meanwhile (this one waited for it on the code's row or on
        # a unique index), all three are undone here and that post's customer is returned.
        with transaction.atomic():
            if gcc:
                gcc_validation_take(
                    visible=_code_visible(organization, gcc_validation),
                    gcc_validation=gcc_validation,
                )
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
                organization=organization,
                customer=customer,
                idempotency_key=idempotency_key,
                indirect_reseller=reseller,
            )
            if reseller is not None:
                CustomerRelationship.objects.create(organization=reseller, customer=customer)
            else:
                provider_relationship_create(reseller=organization, customer=customer)
    except (IntegrityError, CodeExhausted) as exc:
        replayed = customer_for_idempotency_key(organization=organization, key=idempotency_key)
        if replayed:
            return replayed
        if isinstance(exc, CodeExhausted):
            raise
        # The same domain created a moment ago by someone else.
        raise _domain_unavailable(domain) from exc
    audit_event_record(
        subject=customer, organization=organization, actor=created_by, action="customer_created"
    )
    if special_qualification != NO_QUALIFICATION:
        _qualification_record(
            customer=customer,
            organization=organization,
            actor=created_by,
            qualification=special_qualification,
            gcc_validation=gcc_validation if gcc else None,
        )
    return customer


def _qualification_record(
    *,
    customer: Customer,
    organization: Organization,
    actor,
    qualification: str,
    gcc_validation: GccValidation | None,
) -> CustomerQualification:
    """The qualification's row and audit event, once its checks passed (and, for GCC, its
    code's create was taken in this transaction). GCC is approved at once: its validation
    code is the approval. An indirect reseller that used its provider's code has the
    provider, the code's holder and the partner of record, told."""
    if gcc_validation is not None and gcc_validation.partner_id != organization.pk:
        gcc_validation.refresh_from_db(fields=["remaining_creates"])
        code_emails.code_used_by_reseller(
            code=gcc_validation, customer=customer, reseller=organization
        )
    granted = CustomerQualification.objects.create(
        customer=customer,
        qualification=qualification,
        vetting_status=(
            CustomerQualification.VettingStatus.APPROVED
            if gcc_validation is not None
            else CustomerQualification.VettingStatus.IN_REVIEW
        ),
        validation=gcc_validation,
        granted_at=timezone.now(),
        granted_by=actor,
    )
    if gcc_validation is not None:

        def code_used() -> dict:
            gcc_validation.refresh_from_db(fields=["remaining_creates"])
            return {
                **gcc_validation.webhook_data(),
                "customerId": str(customer.tenant_id),
                "usedBy": str(organization.commercial_tenant_id),
            }

        webhook_event_emit(
            organization_ids={organization.pk, gcc_validation.partner_id},
            event_type=EventType.VALIDATION_CODE_USED,
            data=code_used,
            dedupe_key=f"code-used:{gcc_validation.pk}:{customer.pk}",
        )
    audit_event_record(
        subject=customer,
        organization=organization,
        actor=actor,
        action="qualification_granted",
        note=qualification + (f" ({gcc_validation.validation_id})" if gcc_validation else ""),
    )
    return granted


class AlreadyQualified(ActionNotAllowed):
    """The customer holds a special qualification already: they are irreversible."""


@transaction.atomic
def customer_qualification_add(
    *,
    organization: Organization,
    actor,
    customer_id: int,
    qualification: str,
    gcc_validation: GccValidation | None,
) -> CustomerQualification:
    """A special qualification for an existing customer `organization` acts for (Partner
    Center's POST …/qualifications): one per customer, irreversible; GCC takes one create of
    a code `organization` may use, in this transaction.

    Raises Customer.DoesNotExist for a customer the organization does not act for,
    AlreadyQualified, CodeExhausted, ActionNotAllowed or ValidationError.
    """
    gcc_actor_require(user=actor, organization=organization)
    customer = customer_get_for_org(organization=organization, customer_id=customer_id)
    if qualification == NO_QUALIFICATION:
        raise ValidationError(
            {"special_qualification": _("Choose one of the special qualifications offered.")}
        )
    customer_qualification_check(
        organization=organization,
        special_qualification=qualification,
        gcc_validation=gcc_validation,
    )
    # The customer's row lock serializes two grants for the same customer: the second finds
    # the first's qualification (the unique constraint backs this).
    Customer.objects.select_for_update().filter(pk=customer.pk).get()
    if CustomerQualification.objects.filter(customer=customer).exists():
        raise AlreadyQualified(
            _(
                "%(name)s already holds a special qualification. Qualifications are "
                "irreversible: it can't be changed or replaced."
            )
            % {"name": customer.company_name}
        )
    gcc = qualification == GOVERNMENT_COMMUNITY_CLOUD
    if gcc:
        gcc_validation_take(
            visible=_code_visible(organization, gcc_validation), gcc_validation=gcc_validation
        )
    return _qualification_record(
        customer=customer,
        organization=organization,
        actor=actor,
        qualification=qualification,
        gcc_validation=gcc_validation if gcc else None,
    )
