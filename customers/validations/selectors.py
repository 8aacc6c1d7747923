"""Reads of customer validation requests and their documents. Every partner-facing read takes
the organization; the customer contact's reads take the signed link."""

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from customers.links import LinkInvalid
from customers.selectors import transacting_partner_for
from gccportal.exceptions import InvalidTransition
from partners.models import Organization
from partners.selectors import tenant_id_problem
from reviews.models import ReviewStatus

from .links import info_link_read
from .models import CustomerValidationDocument, CustomerValidationRequest


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
                "carry its indirect provider's: enter the commercial tenant ID of "
                "%(provider)s, your indirect provider: %(expected)s."
            ) % {"expected": transacting.commercial_tenant_id, "provider": transacting.legal_name}
    return tenant_id_problem(organization=transacting, value=value, requester=organization)


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
