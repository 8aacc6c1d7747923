"""The indirect provider's pages in Chromium: its reseller's customer on its Customers page
and that customer's Account page, read-only, at 1280 px and at 390 px (no horizontal
scrolling); both pass axe-core and are screenshotted to test-artifacts/."""

import uuid

import pytest
from playwright.sync_api import expect

from customers import services
from orders.catalogue import catalogue_load
from orders.models import Offer, Order
from partners.models import Membership, Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD as GCC
from tests.browser.helpers import PHONE, assert_fits_the_width, check_page, sign_in
from tests.factories import GccValidationFactory, OrganizationFactory, ResellerQualificationFactory
from tests.helpers import agent_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider_agent_and_customer(db):
    provider = OrganizationFactory(
        legal_name="Fabrikam Distribution", partner_type=Organization.PartnerType.INDIRECT_PROVIDER
    )
    ResellerQualificationFactory(organization=provider)
    reseller = OrganizationFactory(
        legal_name="Northwind Government Partners",
        partner_type=Organization.PartnerType.INDIRECT_RESELLER,
        indirect_provider=provider,
    )
    reseller_agent = agent_of(reseller)
    code = GccValidationFactory(
        partner=provider, source_request__organization=reseller, organization_name="Springfield"
    )
    customer = services.customer_create(
        organization=reseller,
        created_by=reseller_agent,
        idempotency_key=uuid.uuid4(),
        company_name="Springfield County",
        primary_domain="springfield-county.gov",
        address_line1="800 East Monroe Street",
        city="Springfield",
        state="IL",
        postal_code="62701",
        contact_first_name="Robin",
        contact_last_name="Clerk",
        contact_email="robin@springfield-county.gov",
        contact_phone="+1 217 555 0199",
        special_qualification=GCC,
        gcc_validation=code,
    )
    catalogue_load(Offer)  # transactional tests flush what the data migration loaded
    order = Order.objects.create(
        organization=reseller,
        customer=customer,
        idempotency_key=uuid.uuid4(),
        partner_id_on_record=reseller.partner_id,
        created_by=reseller_agent,
        status=Order.Status.COMPLETED,
    )
    offer = Offer.objects.get(offer_id="gcc-o365-g3")
    order.line_items.create(line_item_number=0, offer=offer, quantity=25, unit_price=20)
    return agent_of(provider, Membership.Role.ADMIN_AGENT), customer, order


@pytest.mark.parametrize("width", [1280, PHONE["width"]])
def test_the_provider_sees_its_resellers_customer_read_only(
    new_page, provider_agent_and_customer, width
):
    agent, _, order = provider_agent_and_customer
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, agent.email)

    page.goto("/customers/")
    row = page.locator("#customer-table tbody tr")
    expect(row).to_contain_text("Springfield County")
    expect(row).to_contain_text(
        "Managed by Northwind Government Partners, your indirect reseller (read-only)"
    )
    if width == PHONE["width"]:
        assert_fits_the_width(page)
    check_page(page, f"provider-customers-{width}")

    row.get_by_role("link", name="Springfield County").click()
    expect(page.locator("#managed-by-reseller")).to_contain_text(
        "Northwind Government Partners, your indirect reseller, manages this customer."
    )
    orders = page.locator("#orders-and-subscriptions")
    expect(orders).to_contain_text(f"Order #{order.pk}")
    expect(orders.get_by_role("link")).to_have_count(0)
    expect(page.get_by_role("link", name="Add subscriptions")).to_have_count(0)
    if width == PHONE["width"]:
        assert_fits_the_width(page)
    check_page(page, f"provider-customer-account-{width}")
