"""Reads for the customers app. Every partner-facing read takes the organization."""

import uuid

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gccportal.exceptions import InvalidTransition
from partners.models import Organization
from partners.selectors import organization_is_gcc_approved, tenant_id_problem
from reviews.models import OPEN_STATUSES, ReviewStatus

from .links import LinkInvalid, info_link_read
from .models import (
    Customer,
    CustomerQualification,
    CustomerValidationDocument,
    CustomerValidationRequest,
    GccValidation,
    ResellerInvitation,
)


def transacting_partner_for(*, organization: Organization) -> Organization:
    """The partner that transacts for `organization`: its indirect provider, or itself."""
    if organization.partner_type == Organization.PartnerType.INDIRECT_RESELLER:
        return organization.indirect_provider
    return organization


def gcc_block_reason(*, organization: Organization) -> str | None:
    """Why `organization` may not take customer GCC actions yet, or None if it may."""
    transacting = transacting_partner_for(organization=organization)
    if organization_is_gcc_approved(organization=transacting):
        return None
    if transacting.pk != organization.pk:
        return _(
            "Your indirect provider, %(provider)s, is not approved for GCC yet. GCC customers "
            "and orders become available once it is."
        ) % {"provider": transacting.legal_name}
    return _(
        "Your organization is not approved for GCC yet. Apply for GCC approval first; "
        "GCC customers and orders become available once it is approved."
    )


def customer_validation_tenant_id_problem(*, organization: Organization, value: str) -> str | None:
    """The mistake in the tenant ID of a customer validation request, or None.

    The request carries the transacting partner's commercial tenant ID. An indirect reseller
    entering its own tenant ID is told to use its provider's, by name.
    """
    transacting = transacting_partner_for(organization=organization)
    if transacting.pk != organization.pk:
        try:
            entered = uuid.UUID(str(value).strip())
        except ValueError:
            entered = None
        if entered is not None and entered in (
            organization.commercial_tenant_id,
            organization.azure_gcc_tenant_id,
        ):
            return _(
                "This is your own organization's tenant ID. Requests of an indirect reseller "
                "carry its indirect provider's commercial tenant ID: enter %(expected)s "
                "(%(provider)s)."
            ) % {"expected": transacting.commercial_tenant_id, "provider": transacting.legal_name}
    return tenant_id_problem(organization=transacting, value=value)


def _qualifications_prefetch() -> Prefetch:
    return Prefetch(
        "qualifications",
        queryset=CustomerQualification.objects.select_related("validation").order_by("granted_at"),
    )


def customer_list_for_org(*, organization: Organization, search: str = "") -> QuerySet[Customer]:
    customers = Customer.objects.filter(relationships__organization=organization)
    search = search.strip()
    if search:
        customers = customers.filter(
            Q(company_name__icontains=search) | Q(primary_domain__icontains=search)
        )
    return customers.prefetch_related(_qualifications_prefetch()).order_by("company_name", "pk")


def customer_get_for_org(*, organization: Organization, customer_id: int) -> Customer:
    """Raises Customer.DoesNotExist for another organization's customer."""
    return customer_list_for_org(organization=organization).get(pk=customer_id)


def customer_for_idempotency_key(
    *, organization: Organization, key: uuid.UUID | None
) -> Customer | None:
    """The customer `organization` created with this form key (Add customer, or a new
    customer's first order), if any. Keys are scoped to the organization: another
    organization's customer is never found by its key."""
    if key is None:
        return None
    # One filter() on the relationship: the organization and the key of the same row.
    return Customer.objects.filter(
        relationships__organization=organization, relationships__idempotency_key=key
    ).first()


def gcc_validation_list_visible(*, organization: Organization) -> QuerySet[GccValidation]:
    """Codes `organization` may see and use, exhausted ones included.

    Codes are issued to the transacting partner. An indirect provider sees all of its codes;
    an indirect reseller only those from its own requests (never other resellers' customers).
    """
    transacting = transacting_partner_for(organization=organization)
    codes = GccValidation.objects.filter(partner=transacting)
    if transacting.pk != organization.pk:
        codes = codes.filter(source_request__organization=organization)
    return codes.order_by("organization_name", "pk")


def gcc_validation_list_available(*, organization: Organization) -> QuerySet[GccValidation]:
    """Codes `organization` may create GCC customers with now: visible and not exhausted."""
    return gcc_validation_list_visible(organization=organization).filter(remaining_creates__gt=0)


def customer_validation_list_for_org(
    *, organization: Organization
) -> QuerySet[CustomerValidationRequest]:
    return (
        CustomerValidationRequest.objects.filter(organization=organization)
        .select_related("submitted_by", "validation_code")
        .order_by("-submitted_at", "-pk")
    )


def customer_validation_get_for_org(
    *, organization: Organization, request_id: int
) -> CustomerValidationRequest:
    return (
        customer_validation_list_for_org(organization=organization)
        .select_related("transacting_partner")
        .prefetch_related("documents")
        .get(pk=request_id)
    )


def customer_validation_for_idempotency_key(
    *, organization: Organization, key: uuid.UUID | None
) -> CustomerValidationRequest | None:
    """The request `organization` submitted with this form key, if any. Keys are scoped to
    the organization: another organization's request is never found by its key."""
    if key is None:
        return None
    return CustomerValidationRequest.objects.filter(
        organization=organization, idempotency_key=key
    ).first()


def customer_validation_document_for_org(
    *, organization: Organization, request_id: int, document_id: int
) -> CustomerValidationDocument:
    return CustomerValidationDocument.objects.get(
        pk=document_id, request_id=request_id, request__organization=organization
    )


def customer_validation_for_info_link(*, token: str) -> CustomerValidationRequest:
    """The request a customer contact's link answers, while it awaits that answer.

    Raises LinkInvalid (forged, tampered, unknown request), LinkExpired, or InvalidTransition
    when the link was used, replaced by a newer question, or the request no longer waits.
    """
    request_id, nonce = info_link_read(token)
    request = (
        CustomerValidationRequest.objects.select_related("organization")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise LinkInvalid
    if (
        request.status != ReviewStatus.INFO_REQUESTED
        or not request.info_link_nonce
        or request.info_link_nonce != nonce
    ):
        raise InvalidTransition(_("This link was already used or replaced by a newer one."))
    return request


def customer_validation_for_info_answer_key(
    *, token: str, key: uuid.UUID | None
) -> CustomerValidationRequest | None:
    """The request this link's contact already answered with the form of this key (a re-post
    of that answer, e.g. a retry after a timeout), or None.

    Raises LinkInvalid / LinkExpired for a bad link. Only the link's own request is looked
    at: a key never finds another request.
    """
    request_id, _nonce = info_link_read(token)
    if key is None:
        return None
    return (
        CustomerValidationRequest.objects.select_related("organization")
        .filter(pk=request_id, info_answer_key=key)
        .first()
    )


def customer_validation_queue() -> QuerySet[CustomerValidationRequest]:
    return CustomerValidationRequest.objects.filter(status__in=OPEN_STATUSES).select_related(
        "organization", "assigned_reviewer"
    )


def invitation_list_for_org(*, organization: Organization) -> QuerySet[ResellerInvitation]:
    return (
        ResellerInvitation.objects.filter(organization=organization)
        .select_related("created_by", "customer", "on_behalf_of")
        .order_by("-created_at", "-pk")
    )


def invitation_get_for_org(*, organization: Organization, invitation_id: int) -> ResellerInvitation:
    """Raises ResellerInvitation.DoesNotExist for another organization's invitation."""
    return invitation_list_for_org(organization=organization).get(pk=invitation_id)
