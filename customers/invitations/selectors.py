"""Reads of reseller-relationship invitations, scoped to the organization."""

from django.db.models import QuerySet

from partners.models import Organization

from .models import ResellerInvitation


def invitation_list_for_org(*, organization: Organization) -> QuerySet[ResellerInvitation]:
    return (
        ResellerInvitation.objects.filter(organization=organization)
        .select_related("created_by", "customer", "on_behalf_of")
        .order_by("-created_at", "-pk")
    )


def invitation_get_for_org(*, organization: Organization, invitation_id: int) -> ResellerInvitation:
    """Raises ResellerInvitation.DoesNotExist for another organization's invitation."""
    return invitation_list_for_org(organization=organization).get(pk=invitation_id)


def invitation_draft_for(*, organization: Organization, created_by) -> ResellerInvitation | None:
    """The most recent draft `created_by` started for `organization`, if one is still open."""
    return (
        ResellerInvitation.objects.filter(
            organization=organization,
            created_by=created_by,
            status=ResellerInvitation.Status.DRAFT,
        )
        .select_related("on_behalf_of")
        .order_by("-created_at", "-pk")
        .first()
    )
