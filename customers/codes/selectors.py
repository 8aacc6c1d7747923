"""Reads of GCC validation codes: the codes an organization may see, and may use now."""

import uuid

from django.db.models import QuerySet

from customers.selectors import transacting_partner_for
from partners.models import Organization

from .models import GccValidation


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


def gcc_validation_visible_by_id(
    *, organization: Organization, validation_id: str
) -> GccValidation | None:
    """The code `organization` may use whose validation ID this is (as the API names it),
    else None: another partner's code is not found, like one that does not exist."""
    try:
        key = uuid.UUID(str(validation_id))
    except ValueError:
        return None
    return gcc_validation_list_visible(organization=organization).filter(validation_id=key).first()
