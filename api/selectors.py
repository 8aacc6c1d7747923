"""API clients, as the organization's Admin agent sees them."""

from django.db.models import QuerySet

from partners.models import Organization

from .models import ApiClient


def api_client_list_for_org(*, organization: Organization) -> QuerySet[ApiClient]:
    return ApiClient.objects.filter(organization=organization).select_related("created_by")


def api_client_get_for_org(*, organization: Organization, pk: int) -> ApiClient:
    """Raises ApiClient.DoesNotExist for another organization's client."""
    return ApiClient.objects.get(organization=organization, pk=pk)
