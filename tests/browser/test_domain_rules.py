"""The domain rules as the partner meets them in Chromium: the customer contact outside the
government domain, and Add customer for a domain already in the portal. Each page is
screenshotted at desktop and phone widths and must pass axe-core."""

import pytest
from playwright.sync_api import expect

from customers.validations.models import CustomerValidationRequest
from tests.browser.helpers import ADD_CUSTOMER_PATH, check_page, fill_customer_form, sign_in
from tests.helpers import customer_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_contact_outside_the_government_domain_is_refused_next_to_its_field(
    new_page, gcc_partner
):
    _organization, agent = gcc_partner
    page = new_page()
    sign_in(page, agent.email)
    page.goto("/customers/validations/new/")
    page.get_by_label("Organization legal name").fill("City of Springfield")
    page.get_by_label("US local government entity").check()
    page.get_by_label("Government domain").fill("springfield.gov")
    page.get_by_label("Customer contact name").fill("Robin Clerk")
    page.get_by_label("Customer contact email").fill("sales@northwind.example")
    page.get_by_label("Customer contact phone").fill("+1 217 555 0199")

    page.get_by_role("button", name="Submit request").click()

    email = page.get_by_label("Customer contact email")
    expect(email).to_have_value("sales@northwind.example")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error_1_id_contact_email")).to_have_text(
        "Enter the customer contact's address at springfield.gov: the review team's questions "
        "and the link to answer them go there."
    )
    assert not CustomerValidationRequest.objects.exists()
    check_page(page, "domain-01-contact-outside-domain")
    page.set_viewport_size(PHONE)
    check_page(page, "domain-02-contact-outside-domain-phone")


def test_add_customer_for_a_domain_in_the_portal_says_what_to_do_instead(new_page, gcc_partner):
    # Given springfield.gov in the portal, another partner's customer
    _organization, agent = gcc_partner
    customer_of(primary_domain="springfield.gov")
    page = new_page()
    sign_in(page, agent.email)
    page.goto(ADD_CUSTOMER_PATH)
    fill_customer_form(page)

    page.get_by_role("button", name="Add customer").click()

    expect(page.locator("#error_1_id_primary_domain")).to_have_text(
        "A new customer can't be created with springfield.gov. If the organization already "
        "works with Microsoft, send it a reseller relationship request instead. Request a "
        "reseller relationship"
    )
    # the way forward, in the error and in the field's help
    error_link = page.locator("#error_1_id_primary_domain").get_by_role(
        "link", name="Request a reseller relationship"
    )
    expect(error_link).to_have_attribute("href", "/customers/relationship-requests/")
    link = page.get_by_role("link", name="Send it a reseller relationship request.")
    expect(link).to_be_visible()
    check_page(page, "domain-03-add-customer-domain-unavailable")
    page.set_viewport_size(PHONE)
    check_page(page, "domain-04-add-customer-domain-unavailable-phone")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reseller relationship requests")
