"""Reads for the partners app. Every partner-facing read takes the organization."""

import operator
import uuid
from functools import reduce

from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, Expression, OuterRef, QuerySet, Value, When
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import mfa_status_of
from reviews.conflicts import Conflict
from reviews.models import OPEN_STATUSES, ReviewStatus

from .models import Membership, Organization, PartnerValidationRequest, ResellerQualification
from .qualifications import GOVERNMENT_COMMUNITY_CLOUD


def membership_for_user(*, user) -> Membership | None:
    """`user`'s membership with its organization, and whether the user has a confirmed
    authenticator app (`has_app`): with the organization's requirement, the user's two-step
    verification status (`membership_mfa_status`), in the same query."""
    if not user.is_authenticated:
        return None
    # get(), not first(): a user has one membership (unique), and first() would sort by the
    # model's ordering, joining the user table on every page for nothing.
    try:
        membership = (
            Membership.objects.select_related("organization", "organization__indirect_provider")
            .annotate(
                has_app=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True))
            )
            .get(user=user)
        )
    except Membership.DoesNotExist:
        return None
    return membership


def membership_mfa_status(*, membership: Membership, user) -> tuple[bool, bool]:
    """The two-step verification status (`accounts.mfa.mfa_status`) of `user`, `membership`'s
    member, from what `membership_for_user` read."""
    return mfa_status_of(
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        has_app=membership.has_app,
        organization_requires=membership.organization.mfa_required,
    )


def admin_agent_users(*, organization: Organization) -> QuerySet:
    """The active users who are `organization`'s Admin agents: whom it is told things by."""
    return (
        get_user_model()
        .objects.filter(
            membership__organization=organization,
            membership__role=Membership.Role.ADMIN_AGENT,
            is_active=True,
        )
        .order_by("pk")
    )


def organization_is_gcc_approved(*, organization: Organization) -> bool:
    return organization.reseller_qualifications.filter(
        qualification=GOVERNMENT_COMMUNITY_CLOUD
    ).exists()


def reseller_qualification_list(*, organization: Organization) -> QuerySet[ResellerQualification]:
    return organization.reseller_qualifications.order_by("granted_at")


def partner_validation_list_for_org(
    *, organization: Organization
) -> QuerySet[PartnerValidationRequest]:
    return (
        PartnerValidationRequest.objects.filter(organization=organization)
        .select_related("submitted_by")
        .order_by("-submitted_at", "-pk")
    )


def partner_validation_open_for_org(
    *, organization: Organization
) -> PartnerValidationRequest | None:
    return (
        partner_validation_list_for_org(organization=organization)
        .filter(status__in=OPEN_STATUSES)
        .first()
    )


def partner_validation_block_reason(*, organization: Organization) -> str | None:
    """Why this organization may not submit a partner validation now, or None if it may."""
    if organization.csp_enrollment != Organization.CspEnrollment.ENROLLED:
        return _(
            "Your organization is not enrolled in the Cloud Solution Provider (CSP) program yet. "
            "Complete CSP enrollment first, then apply for GCC."
        )
    if organization.partner_type == Organization.PartnerType.INDIRECT_RESELLER:
        return _(
            "Indirect resellers are not validated for GCC themselves: work with your indirect "
            "provider, %(provider)s, which validates its own organization."
        ) % {"provider": organization.indirect_provider.legal_name}
    if organization_is_gcc_approved(organization=organization):
        return _("Your organization is already approved for GCC. There is nothing to apply for.")
    if partner_validation_open_for_org(organization=organization):
        return _(
            "Your organization already has a GCC validation request under way. Follow it from "
            "its page; you can apply again only once it is decided or withdrawn."
        )
    return None


def tenant_id_problem(
    *, organization: Organization, value: str, requester: Organization | None = None
) -> str | None:
    """The mistake in a commercial tenant ID entered for `organization`, or None.

    Catches the common errors before a reviewer sees them, each with what to enter instead.
    `requester` is the organization typing it when that is not `organization` (an indirect
    reseller entering its provider's ID): the messages then name the provider. A wrong ID is
    only said not to be the expected one, never whether it belongs to someone else.
    """
    expected = organization.commercial_tenant_id
    for_provider = requester is not None and requester.pk != organization.pk
    if for_provider:
        enter = _(
            "Enter the commercial tenant ID of %(provider)s, your indirect provider: %(expected)s."
        ) % {"provider": organization.legal_name, "expected": expected}
    else:
        enter = _(
            "Enter your organization's commercial tenant ID, the Microsoft ID on your "
            "profile: %(expected)s."
        ) % {"expected": expected}
    try:
        tenant_id = uuid.UUID(str(value).strip())
    except ValueError:
        return _(
            "This is not a valid tenant ID. A tenant ID is a GUID of 32 hexadecimal digits, "
            "like %(example)s. %(enter)s"
        ) % {"example": "00000000-0000-0000-0000-000000000000", "enter": enter}
    if organization.azure_gcc_tenant_id and tenant_id == organization.azure_gcc_tenant_id:
        return _("This is an Azure GCC tenant ID, not the commercial (global) one. %(enter)s") % {
            "enter": enter
        }
    if tenant_id != expected:
        return _("This is not the expected tenant ID. %(enter)s") % {"enter": enter}
    return None


def _conflict_sources(*, organization, tenant, submitted_at) -> dict:
    """Each conflict rule's rows, for one request's values or, as OuterRef, for a list's (the
    page's messages and the queue's count read the same rules). The tenant ID is looked up on
    each of its indexes apart: an OR across a join would read every organization."""
    organizations = Organization.objects.exclude(pk=organization)
    return {
        "tenant_elsewhere": [
            organizations.filter(commercial_tenant_id=tenant),
            organizations.filter(azure_gcc_tenant_id=tenant),
            PartnerValidationRequest.objects.filter(commercial_tenant_id=tenant).exclude(
                organization=organization
            ),
        ],
        "rejected_before": PartnerValidationRequest.objects.filter(
            organization=organization, status=ReviewStatus.REJECTED, submitted_at__lt=submitted_at
        ),
    }


def partner_validation_conflicts(*, request: PartnerValidationRequest) -> list[Conflict]:
    """What the reviewer of `request` should weigh (reviews.conflicts): the tenant ID it
    gives is another organization's, or on another organization's request; an earlier
    request of the organization rejected (with its reason)."""
    tenant = request.commercial_tenant_id
    sources = _conflict_sources(
        organization=request.organization_id, tenant=tenant, submitted_at=request.submitted_at
    )
    names = sorted(
        {
            name
            for rows in sources["tenant_elsewhere"]
            for name in rows.values_list(
                "legal_name" if rows.model is Organization else "organization__legal_name",
                flat=True,
            )
        }
    )
    conflicts = [
        Conflict(
            "tenant_elsewhere",
            _("The tenant ID %(tenant)s is also another organization's: %(other)s.")
            % {"tenant": tenant, "other": name},
        )
        for name in names
    ]
    conflicts += [
        Conflict(
            "rejected_before",
            _("An earlier request of this organization (#%(pk)s) was rejected: %(reason)s")
            % {"pk": other.pk, "reason": other.decision_note or "—"},
        )
        for other in sources["rejected_before"].order_by("-submitted_at")[:5]
    ]
    return conflicts


def partner_validation_conflict_count() -> Expression:
    """How many of `partner_validation_conflicts`' rules a request meets, as one expression
    for the reviewers' queue (each rule an EXISTS on an index)."""
    sources = _conflict_sources(
        organization=OuterRef("organization"),
        tenant=OuterRef("commercial_tenant_id"),
        submitted_at=OuterRef("submitted_at"),
    )
    elsewhere = reduce(operator.or_, [Exists(rows) for rows in sources["tenant_elsewhere"]])
    return Case(When(elsewhere, then=Value(1)), default=Value(0)) + Case(
        When(Exists(sources["rejected_before"]), then=Value(1)), default=Value(0)
    )
