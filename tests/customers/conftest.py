import pytest

from partners.models import Organization
from tests.factories import OrganizationFactory, ResellerQualificationFactory


@pytest.fixture
def provider_and_reseller(db):
    """A GCC-approved indirect provider and one of its indirect resellers."""
    provider = OrganizationFactory(
        legal_name="Fabrikam Distribution", partner_type=Organization.PartnerType.INDIRECT_PROVIDER
    )
    ResellerQualificationFactory(organization=provider)
    reseller = OrganizationFactory(
        legal_name="Northwind Partners",
        partner_type=Organization.PartnerType.INDIRECT_RESELLER,
        indirect_provider=provider,
    )
    return provider, reseller


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded documents land in a temporary directory, never in the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
