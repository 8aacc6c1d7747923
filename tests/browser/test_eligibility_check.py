"""The eligibility pre-check in Chromium: Submit a new request → the questions (errors next to
the fields, the private questions shown only for a private organization) → the result → the
request form filled in from the answers → submitted, with the check on the request's page and
on the reviewer's. At desktop width and at a phone's; every new page passes axe-core."""

import re

import pytest
from playwright.sync_api import Page, expect

from customers.validations.models import CustomerValidationRequest
from tests.browser.helpers import (
    assert_fits_the_width,
    check_page,
    phone_page,
    screenshot,
    sign_in,
)
from tests.factories import ReviewerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST_PATH = "/customers/validations/"
CHECK_PATH = "/customers/validations/eligibility/"
KIND = "Kind of organization"


def _to_the_questions(page: Page) -> None:
    page.goto(LIST_PATH)
    page.get_by_role("link", name="Submit a new request").click()
    expect(page).to_have_url(re.compile(re.escape(CHECK_PATH) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the customer's eligibility")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_check_result_prefilled_request_submitted(new_page, gcc_partner, width):
    organization, agent = gcc_partner
    page = phone_page(new_page) if width == "phone" else new_page()
    shot = f"eligibility-{width}"
    sign_in(page, agent.email)

    # -- the questions: the private ones hidden until a private organization is chosen --------
    _to_the_questions(page)
    private_questions = page.locator("#private-questions")
    expect(private_questions).to_be_hidden()
    check_page(page, f"{shot}-01-questions")
    if width == "phone":
        assert_fits_the_width(page)

    page.get_by_role("button", name="See the result").click()
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.locator("#id_customer_kind_error")).to_have_text(
        "Choose the kind of organization the customer is."
    )
    check_page(page, f"{shot}-02-questions-errors")

    page.get_by_label("Customer's legal name").fill("Acme Defense Systems")
    page.get_by_label("Customer's domain").fill("acme-defense.com")
    page.get_by_role("group", name=KIND).get_by_label(
        "Private organization, for example a government contractor"
    ).check()
    expect(private_questions).to_be_visible()
    page.get_by_label("ITAR (International Traffic in Arms Regulations)").check()
    page.get_by_label("CUI (Controlled Unclassified Information)").check()
    page.get_by_label("In the United States").check()
    page.get_by_role(
        "group", name="Contract or agreement with a US government agency"
    ).get_by_label("Yes").check()
    check_page(page, f"{shot}-03-questions-private")
    page.get_by_role("button", name="See the result").click()

    # -- the result ---------------------------------------------------------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Eligibility check: result")
    expect(page.locator("#eligibility-outcome")).to_contain_text(
        "The customer is likely eligible for GCC."
    )
    documents = page.locator("#eligibility-documents li")
    expect(documents).to_have_count(2)
    expect(documents.first).to_contain_text("ITAR registration")
    check_page(page, f"{shot}-04-result")
    if width == "phone":
        assert_fits_the_width(page)

    # -- the request form, filled in from the answers ----------------------------------------
    page.get_by_role("link", name="Continue to the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer validation request")
    expect(page.get_by_label("Organization legal name")).to_have_value("Acme Defense Systems")
    expect(page.get_by_label("Government domain")).to_have_value("acme-defense.com")
    expect(
        page.get_by_label("Private organization that handles regulated government data")
    ).to_be_checked()
    expect(page.locator("#regulated-data-group")).to_be_visible()
    expect(page.get_by_label("ITAR (International Traffic in Arms Regulations)")).to_be_checked()
    expect(page.locator("#eligibility-check")).to_contain_text("Your eligibility check")
    page.get_by_label("Customer contact name").fill("Robin Officer")
    page.get_by_label("Customer contact email").fill("robin@acme-defense.com")
    page.get_by_label("Customer contact phone").fill("+1 703 555 0101")
    check_page(page, f"{shot}-05-request-form")
    if width == "phone":
        assert_fits_the_width(page)
    page.get_by_role("button", name="Submit request").click()

    # -- submitted: the check is on the request's page ---------------------------------------
    expect(page).to_have_url(re.compile(r"/customers/validations/\d+/$"))
    request = CustomerValidationRequest.objects.get(organization=organization)
    assert request.eligibility_outcome == "likely_eligible"
    assert request.eligibility_answers["regulated_data"] == ["itar", "cui"]
    panel = page.locator("#eligibility-check")
    expect(panel).to_contain_text("The customer is likely eligible for GCC.")
    expect(panel.locator("#eligibility-answers")).to_contain_text("Acme Defense Systems")
    check_page(page, f"{shot}-06-request-detail")

    # -- the reviewer sees it -----------------------------------------------------------------
    if width == "desktop":
        reviewer = ReviewerFactory()
        admin = new_page()
        sign_in(admin, reviewer.email, admin=True)
        admin.goto(f"/admin/customers/customervalidationrequest/{request.pk}/change/")
        shown = admin.locator(".field-eligibility_display")
        expect(shown).to_contain_text("Likely eligible")
        expect(shown).to_contain_text("ITAR registration")
        check_page(admin, f"{shot}-07-admin")


def test_likely_ineligible_is_explained_and_still_submits(new_page, gcc_partner):
    organization, agent = gcc_partner
    page = new_page()
    sign_in(page, agent.email)
    _to_the_questions(page)

    page.get_by_label("Customer's legal name").fill("Ministry of Digital Affairs")
    page.get_by_label("Customer's domain").fill("digital.example")
    page.get_by_label("Government entity outside the United States").check()
    expect(page.locator("#private-questions")).to_be_hidden()
    page.get_by_role("button", name="See the result").click()

    expect(page.locator("#eligibility-outcome")).to_contain_text(
        "The customer is likely not eligible for GCC."
    )
    expect(page.locator("#eligibility-outcome")).to_contain_text(
        "Government entities outside the United States are not eligible for GCC"
    )
    expect(page.locator("#still-submit")).to_contain_text("You can still submit the request.")
    check_page(page, "eligibility-desktop-08-result-ineligible")

    page.get_by_role("link", name="Continue to the request").click()
    expect(page.get_by_label("Organization legal name")).to_have_value(
        "Ministry of Digital Affairs"
    )
    page.get_by_label("US federal government entity").check()
    page.get_by_label("Customer contact name").fill("Ana Official")
    page.get_by_label("Customer contact email").fill("ana@digital.example")
    page.get_by_label("Customer contact phone").fill("+1 202 555 0143")
    page.get_by_role("button", name="Submit request").click()

    expect(page).to_have_url(re.compile(r"/customers/validations/\d+/$"))
    assert (
        CustomerValidationRequest.objects.get(organization=organization).eligibility_outcome
        == "likely_ineligible"
    )
    expect(page.locator("#eligibility-check")).to_contain_text(
        "The customer is likely not eligible for GCC."
    )


def test_the_check_works_without_javascript(new_page, gcc_partner):
    _, agent = gcc_partner
    page = new_page(java_script_enabled=False)
    sign_in(page, agent.email)
    _to_the_questions(page)

    # Every question is shown; those of a private organization say so in their legend.
    expect(page.locator("#private-questions")).to_be_visible()
    page.get_by_label("Customer's legal name").fill("Springfield County")
    page.get_by_label("Customer's domain").fill("springfield-county.org")
    page.get_by_label("US local government entity").check()
    page.get_by_label("DoD UCNI").check()  # ignored: a government entity
    page.get_by_role("button", name="See the result").click()

    expect(page.locator("#eligibility-outcome")).to_contain_text(
        "Its domain, springfield-county.org, is not a US government domain"
    )
    # (axe-core is a script: the pages were checked with JavaScript above)
    screenshot(page, "eligibility-desktop-09-result-no-js")
