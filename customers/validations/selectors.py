"""Reads of customer validation requests and their documents. Every partner-facing read takes
the organization; the customer contact's reads take the signed link."""

import operator
import uuid
from functools import reduce

from django.db.models import Case, Exists, Expression, F, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from customers.domains import email_is_at_domain
from customers.links import LinkInvalid
from customers.models import CustomerQualification, CustomerRelationship
from customers.selectors import transacting_partner_for
from gccportal.exceptions import InvalidTransition
from partners.models import Organization
from partners.selectors import tenant_id_problem
from reviews.conflicts import Conflict
from reviews.models import OPEN_STATUSES, ReviewStatus

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


def customer_validation_contact_problem(
    *, contact_email: str, government_domain: str
) -> str | None:
    """What is wrong with the customer contact's address for this domain, or None (the
    single submit and the bulk one check it alike)."""
    # The contact's answer link proves nothing unless it reaches the customer itself: a
    # mailbox at exactly its domain (customers/domains.py), never one the partner chooses.
    if email_is_at_domain(contact_email, government_domain):
        return None
    return _(
        "Enter the customer contact's address at %(domain)s: the review team's questions "
        "and the link to answer them go there."
    ) % {"domain": government_domain}


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


CONFLICTS_SHOWN = 5  # of each rule, the most recent


def _conflict_sources(*, organization, transacting_partner, domain, contact_email, submitted_at):
    """Each conflict rule's rows, for one request's values or, as OuterRef, for a list's (the
    page's messages and the queue's count read the same rules). Domains and contacts are
    stored in lower case: compared as they are, on their indexes."""
    others = CustomerValidationRequest.objects.exclude(organization=organization)
    return {
        "domain_elsewhere": others.filter(
            government_domain=domain, status__in=[*OPEN_STATUSES, ReviewStatus.APPROVED]
        ),
        "customer_elsewhere": CustomerRelationship.objects.filter(
            customer__primary_domain=domain,
            customer__qualifications__qualification=(
                CustomerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD
            ),
        )
        .exclude(organization=organization)
        .exclude(organization=transacting_partner),
        "contact_elsewhere": others.filter(contact_email=contact_email),
        "rejected_before": CustomerValidationRequest.objects.filter(
            government_domain=domain, status=ReviewStatus.REJECTED, submitted_at__lt=submitted_at
        ),
    }


def customer_validation_conflicts(*, request: CustomerValidationRequest) -> list[Conflict]:
    """What the reviewer of `request` should weigh (reviews.conflicts): the same government
    domain pending or validated under another partner, or already a GCC customer of another
    partner; the same contact on another partner's request; an earlier request for the domain
    rejected (with its reason); a transacting tenant ID that is not the transacting partner's."""
    domain = request.government_domain
    sources = _conflict_sources(
        organization=request.organization_id,
        transacting_partner=request.transacting_partner_id,
        domain=domain,
        contact_email=request.contact_email,
        submitted_at=request.submitted_at,
    )

    def latest(rule: str):
        return (
            sources[rule].select_related("organization").order_by("-submitted_at")[:CONFLICTS_SHOWN]
        )

    conflicts = [
        Conflict(
            "domain_elsewhere",
            _("%(domain)s is %(status)s for another partner, %(partner)s (request #%(pk)s).")
            % {
                "domain": domain,
                "status": other.get_status_display().lower(),
                "partner": other.organization.legal_name,
                "pk": other.pk,
            },
        )
        for other in latest("domain_elsewhere")
    ]
    partners = sorted(
        set(sources["customer_elsewhere"].values_list("organization__legal_name", flat=True))
    )
    if partners:
        conflicts.append(
            Conflict(
                "customer_elsewhere",
                _("%(domain)s is already a GCC customer of another partner: %(partners)s.")
                % {"domain": domain, "partners": ", ".join(partners)},
            )
        )
    conflicts += [
        Conflict(
            "contact_elsewhere",
            _("The contact %(email)s is also on request #%(pk)s of %(partner)s.")
            % {
                "email": request.contact_email,
                "pk": other.pk,
                "partner": other.organization.legal_name,
            },
        )
        for other in latest("contact_elsewhere")
    ]
    conflicts += [
        Conflict(
            "rejected_before",
            _("An earlier request for %(domain)s (#%(pk)s, %(partner)s) was rejected: %(reason)s")
            % {
                "domain": domain,
                "pk": other.pk,
                "partner": other.organization.legal_name,
                "reason": other.decision_note or "—",
            },
        )
        for other in latest("rejected_before")
    ]
    expected = request.transacting_partner.commercial_tenant_id
    if request.commercial_tenant_id != expected:
        conflicts.append(
            Conflict(
                "tenant_mismatch",
                _(
                    "The transacting tenant ID %(entered)s is not the transacting partner's "
                    "(%(partner)s: %(expected)s)."
                )
                % {
                    "entered": request.commercial_tenant_id,
                    "partner": request.transacting_partner.legal_name,
                    "expected": expected,
                },
            )
        )
    return conflicts


def customer_validation_conflict_count() -> Expression:
    """How many of `customer_validation_conflicts`' rules a request meets, as one expression
    for a list of requests (the reviewers' queue): each rule an EXISTS on an index, the same
    number of queries whatever the number of rows."""
    sources = _conflict_sources(
        organization=OuterRef("organization"),
        transacting_partner=OuterRef("transacting_partner"),
        domain=OuterRef("government_domain"),
        contact_email=OuterRef("contact_email"),
        submitted_at=OuterRef("submitted_at"),
    )
    rules = [
        *(Exists(rows) for rows in sources.values()),
        ~Q(commercial_tenant_id=F("transacting_partner__commercial_tenant_id")),
    ]
    return reduce(
        operator.add, [Case(When(rule, then=Value(1)), default=Value(0)) for rule in rules]
    )
