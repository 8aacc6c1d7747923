"""The dashboard and the organization profile promise only what the reader can do: GCC
actions to the roles that may take them, and to an indirect reseller its provider's approval
(it never applies itself)."""

import pytest
from django.urls import reverse

from partners.models import Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory, ResellerQualificationFactory
from tests.html import attr, element, elements, page_text, text

pytestmark = pytest.mark.django_db

CAN_ACT = "You can validate customers for GCC and place GCC orders."
APPROVED = "Your organization holds the Government Community Cloud (GCC) reseller qualification."


def _section_labelled(response, heading_id):
    """The <section> labelled by the heading `heading_id` (a dashboard card)."""
    (section,) = [
        node
        for node in elements(response, tag="section")
        if attr(node, "aria-labelledby") == heading_id
    ]
    return section


@pytest.mark.parametrize("role", [Membership.Role.ADMIN_AGENT, Membership.Role.SALES_AGENT])
def test_approved_dashboard_promises_gcc_actions_to_gcc_roles(client, gcc_enabled, role):
    user = MembershipFactory(organization=gcc_enabled, role=role).user
    client.force_login(user)

    response = client.get(reverse("partners:dashboard"))

    card = text(_section_labelled(response, "gcc-heading"))
    assert APPROVED in card
    assert CAN_ACT in card
    customers = text(_section_labelled(response, "customers-heading"))
    assert "Add customers, and validate them for GCC" in customers


@pytest.mark.parametrize(
    ("role", "label"),
    [
        (Membership.Role.HELPDESK_AGENT, "Helpdesk agent"),
        (Membership.Role.BILLING_ADMIN, "Billing admin"),
    ],
)
def test_approved_dashboard_tells_other_roles_who_can(client, gcc_enabled, role, label):
    user = MembershipFactory(organization=gcc_enabled, role=role).user
    client.force_login(user)

    response = client.get(reverse("partners:dashboard"))

    assert CAN_ACT not in page_text(response)
    card = text(_section_labelled(response, "gcc-heading"))
    assert APPROVED in card
    assert (
        f"Your role ({label}) can't take GCC actions: your organization's Admin agents and "
        "Sales agents validate customers for GCC and place GCC orders."
    ) in card
    customers = text(_section_labelled(response, "customers-heading"))
    assert "Add customers, and validate them for GCC" not in customers
    assert "Admin agents and Sales agents add customers and validate them for GCC." in customers


@pytest.fixture
def indirect_reseller(db):
    provider = OrganizationFactory(
        legal_name="Fabrikam Distribution",
        partner_type=Organization.PartnerType.INDIRECT_PROVIDER,
    )
    return OrganizationFactory(
        legal_name="Northwind Traders",
        partner_type=Organization.PartnerType.INDIRECT_RESELLER,
        indirect_provider=provider,
        azure_gcc_tenant_id=None,
    )


@pytest.mark.parametrize("provider_approved", [False, True])
def test_indirect_reseller_profile_names_its_provider_not_an_own_approval(
    client, indirect_reseller, provider_approved
):
    if provider_approved:
        ResellerQualificationFactory(organization=indirect_reseller.indirect_provider)
    user = MembershipFactory(organization=indirect_reseller, role=Membership.Role.SALES_AGENT).user
    client.force_login(user)

    response = client.get(reverse("partners:organization_profile"))

    assert response.status_code == 200
    assert text(element(response, id="reseller-qualifications")) == (
        "None: indirect resellers don't apply for GCC approval. Your indirect provider's "
        "approval covers your organization: you work with Government Community Cloud (GCC) "
        "customers once Fabrikam Distribution is approved for GCC."
    )
    assert "once your GCC validation is approved" not in page_text(response)


def test_direct_reseller_profile_still_waits_for_its_own_approval(client, admin_agent):
    client.force_login(admin_agent)

    response = client.get(reverse("partners:organization_profile"))

    assert text(element(response, id="reseller-qualifications")) == (
        "None yet. The Government Community Cloud (GCC) qualification appears here once your "
        "GCC validation is approved."
    )
