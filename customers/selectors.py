"""Reads of customers and their relationships, and the organization's GCC standing for
customer actions (its transacting partner, what blocks it). Every partner-facing read takes
the organization."""

import uuid
from dataclasses import dataclass, field

from django.db.models import F, FilteredRelation, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from partners.models import Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD
from partners.selectors import organization_is_gcc_approved

from .models import Customer, CustomerCount, CustomerQualification, CustomerRelationship


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


def customer_domain_taken(*, domain: str) -> bool:
    """Whether a customer of the portal (any partner's) has this primary domain."""
    return Customer.objects.filter(primary_domain=domain.strip().lower()).exists()


def customer_is_gcc_validated(*, customer: Customer) -> bool:
    """Whether `customer` holds the GCC qualification (approved: it came with a code)."""
    return customer.qualifications.filter(
        qualification=GOVERNMENT_COMMUNITY_CLOUD,
        vetting_status=CustomerQualification.VettingStatus.APPROVED,
    ).exists()


def _qualifications_prefetch() -> Prefetch:
    return Prefetch(
        "qualifications",
        queryset=CustomerQualification.objects.select_related("validation").order_by("granted_at"),
    )


def customer_list_for_org(*, organization: Organization, search: str = "") -> QuerySet[Customer]:
    """Every customer `organization` sees: those it manages and, for an indirect provider,
    its resellers' (each annotated with `indirect_reseller_id` and `indirect_reseller_name`:
    the reseller that acts for it, or None when `organization` itself does)."""
    # One join on this organization's own relationship: it selects the customers and tells
    # through which reseller, if any, the organization sees each.
    # A search is a condition of that join: its copies of the customer's name and domain.
    condition = Q(relationships__organization=organization)
    if search := search.strip():
        condition &= _search_q(search, prefix="relationships__")
    customers = Customer.objects.annotate(
        own=FilteredRelation("relationships", condition=condition)
    ).filter(own__isnull=False)
    return (
        customers.annotate(
            indirect_reseller_id=F("own__indirect_reseller"),
            indirect_reseller_name=F("own__indirect_reseller__legal_name"),
            indirect_reseller_partner_id=F("own__indirect_reseller__partner_id"),
        )
        .prefetch_related(_qualifications_prefetch())
        # In the order of the relationships' list index (organization, name, customer): a
        # page at any depth is read from this organization's index entries.
        .order_by("own__customer_name", "own__customer_id")
    )


def _search_q(search: str, *, prefix: str = "") -> Q:
    """A search in the relationship's copy of the customer's name and domain, in capitals
    (`search_key`): a plain LIKE, no conversion of each row."""
    return Q(**{f"{prefix}customer_search__contains": search.upper()})


def _relationships_listed(*, organization: Organization, search: str) -> QuerySet:
    relationships = CustomerRelationship.objects.filter(organization=organization)
    if search := search.strip():
        relationships = relationships.filter(_search_q(search))
    return relationships


def customer_count_for_org(*, organization: Organization, search: str = "") -> int:
    """How many customers `customer_list_for_org` lists: the organization's relationships
    (one a customer). Without a search, the count kept as they are made (`CustomerCount`, one
    row read); a search's are counted on the list index."""
    if search.strip():
        return _relationships_listed(organization=organization, search=search).count()
    kept = CustomerCount.objects.filter(organization=organization).values_list("count", flat=True)
    return kept.first() or 0


# A search counts its matches up to this many: past it, the list says "more than" and the
# partner narrows the search (a common word would otherwise count a large share of the list).
SEARCH_COUNT_LIMIT = 1000


@dataclass
class CustomerPages:
    """`customer_list_for_org` for a paginator, a page read in two steps: its customers' IDs
    from the organization's relationship index (at any depth, no customer read; past the
    middle of an exactly counted list, from its end), then those customers. Counted by the
    kept count (`customer_count_for_org`); a search's matches on the same index, up to
    SEARCH_COUNT_LIMIT (`more`: there are more, and only the first are paged), their IDs read
    once, with the count."""

    organization: Organization
    search: str = ""
    more: bool = field(default=False, init=False)
    total: int | None = field(default=None, init=False)  # the exact count, once counted
    matches: list[int] | None = field(default=None, init=False)  # a search's, once counted
    ordered = True  # (for the paginator: in the list's order)

    def count(self) -> int:
        if not self.search.strip():
            self.total = customer_count_for_org(organization=self.organization)
            return self.total
        # A search's matches are counted and paged in one read: the IDs of the first
        # SEARCH_COUNT_LIMIT + 1, in the list's order (the index's: it stops there), which
        # every page of the search is a slice of.
        self.matches = list(
            _relationships_listed(organization=self.organization, search=self.search)
            .order_by("customer_name", "customer_id")
            .values_list("customer_id", flat=True)[: SEARCH_COUNT_LIMIT + 1]
        )
        counted = len(self.matches)
        self.more = counted > SEARCH_COUNT_LIMIT
        if not self.more:
            self.total = counted
        return min(counted, SEARCH_COUNT_LIMIT)

    def __getitem__(self, window: slice) -> list[Customer]:
        relationships = _relationships_listed(organization=self.organization, search=self.search)
        start, stop = window.start or 0, window.stop
        if self.matches is not None and stop is not None and stop <= SEARCH_COUNT_LIMIT:
            ids = self.matches[window]
        elif self.total is not None and stop is not None and start > self.total // 2:
            # Past the middle, from the end: the index is walked backwards, and a page at any
            # depth skips at most half the list's entries (the last page, none).
            backwards = relationships.order_by("-customer_name", "-customer_id")
            ids = list(
                backwards.values_list("customer_id", flat=True)[
                    max(self.total - stop, 0) : self.total - start
                ]
            )[::-1]
        else:
            ids = list(
                relationships.order_by("customer_name", "customer_id").values_list(
                    "customer_id", flat=True
                )[window]
            )
        if not ids:
            return []
        return list(customer_list_for_org(organization=self.organization).filter(pk__in=ids))


def customer_get_visible_for_org(
    *, organization: Organization, customer_id: int | None = None, tenant_id=None
) -> Customer:
    """A customer `organization` sees (its own, or one of its resellers' for an indirect
    provider: `indirect_reseller_name` says which), by its ID or (the API's) its tenant ID.
    Raises Customer.DoesNotExist for any other."""
    found = {"pk": customer_id} if tenant_id is None else {"tenant_id": tenant_id}
    return customer_list_for_org(organization=organization).get(**found)


def customer_get_for_org(*, organization: Organization, customer_id: int) -> Customer:
    """A customer `organization` manages and acts for (orders): not one it only sees through
    an indirect reseller. Raises Customer.DoesNotExist for any other."""
    return customer_list_for_org(organization=organization).get(
        pk=customer_id, indirect_reseller_id__isnull=True
    )


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
