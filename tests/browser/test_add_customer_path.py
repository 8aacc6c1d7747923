"""Add customer in Chromium, where partners lost time or data: a domain already in the portal
is refused as soon as it is typed (with the way forward), and "What's this? → Submit a new
request" keeps what was typed, starts the validation request from it and gives it back.

Every page is screenshotted to test-artifacts/ and passes axe-core (`check_page`).
"""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    ADD_CUSTOMER_PATH,
    CONTACT_EMAIL,
    CUSTOMER_NAME,
    GCC_OPTION,
    check_page,
    field,
    fill_customer_form,
    sign_in,
)
from tests.factories import OrganizationFactory
from tests.helpers import customer_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_taken_domain_is_refused_as_it_is_typed(new_page, gcc_partner):
    _, agent = gcc_partner
    customer_of(OrganizationFactory(), primary_domain="shelbyville.gov")
    page = new_page()
    sign_in(page, agent.email)
    page.goto(ADD_CUSTOMER_PATH)

    domain = field(page, "Primary domain")
    domain.fill("Shelbyville.gov")
    field(page, "Address line 1").focus()  # leaves the field

    check = page.locator("#id_primary_domain_check")
    expect(check).to_contain_text("A new customer can't be created with shelbyville.gov.")
    expect(domain).to_have_attribute("aria-invalid", "true")
    expect(domain).to_have_attribute(
        "aria-describedby", "id_primary_domain_helptext id_primary_domain_check"
    )
    expect(check.get_by_role("link", name="Request a reseller relationship")).to_have_attribute(
        "href", "/customers/relationship-requests/"
    )
    check_page(page, "add-customer-domain-taken")

    # corrected: the message goes
    domain.fill("springfield.gov")
    field(page, "Address line 1").focus()
    expect(check).to_be_empty()
    expect(domain).not_to_have_attribute("aria-invalid", "true")


def test_a_new_validation_request_keeps_what_was_typed(new_page, gcc_partner):
    _, agent = gcc_partner
    page = new_page()
    sign_in(page, agent.email)
    page.goto(ADD_CUSTOMER_PATH)
    fill_customer_form(page)
    page.get_by_label(GCC_OPTION).check()

    # What's this? → Submit a new request
    page.get_by_role("link", name="What's this?").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Your answers on this page are kept")
    dialog.get_by_role("button", name="Submit a new request").click()

    # the request starts from the answers
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer validation request")
    expect(field(page, "Organization legal name")).to_have_value(CUSTOMER_NAME)
    expect(field(page, "Government domain")).to_have_value("springfield.gov")
    expect(field(page, "Customer contact name")).to_have_value("Robin Clerk")
    expect(field(page, "Customer contact email")).to_have_value(CONTACT_EMAIL)
    check_page(page, "add-customer-draft-validation-request")

    # and Back to Add customer gives them back
    page.locator("#add-customer-draft-note").get_by_role(
        "link", name="Back to Add customer"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add customer")
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(
        "Your answers were kept."
    )
    expect(field(page, "Company name")).to_have_value(CUSTOMER_NAME)
    expect(field(page, "City")).to_have_value("Springfield")
    expect(field(page, "Phone")).to_have_value("+1 217 555 0199")
    expect(page.get_by_label(GCC_OPTION)).to_be_checked()
    check_page(page, "add-customer-draft-back")
