"""Customers and customer GCC validation in Chromium: from the validation request to a GCC
customer, the "What's this?" dialog (mouse, keyboard, no JavaScript) and the customer
contact's answer page.

Every page visited is screenshotted to test-artifacts/ and must pass axe-core with no
violation (`check_page`), the admin's pages and the open dialog included.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from customers.codes.models import GccValidation
from customers.models import Customer
from customers.validations import services
from customers.validations.models import CustomerValidationRequest
from reviews.services import review_start
from tests.browser.helpers import (
    ADD_CUSTOMER_PATH,
    CODE_LABEL,
    CONTACT_EMAIL,
    CUSTOMER_NAME,
    GCC_OPTION,
    check_page,
    field,
    fill_customer_form,
    screenshot,
    sign_in,
)
from tests.factories import (
    ReviewerFactory,
    customer_validation_answers,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELP_PATH = "/customers/gcc-validation-codes/help/"
TENANT_LABEL = "Transacting partner's commercial tenant ID"
# The smallest file the upload check takes for a PDF: its content starts with %PDF-.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
INFO_LINK = re.compile(r"/customer-information/[^/\s]+/")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded documents land in the test's own directory, never in the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"


def nav_link(page: Page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def focus_is_inside(page: Page, selector: str) -> bool:
    return page.evaluate(
        "(selector) => document.querySelector(selector).contains(document.activeElement)",
        selector,
    )


def test_partner_gets_a_validation_code_and_adds_a_gcc_customer(new_page, gcc_partner):
    organization, agent = gcc_partner
    reviewer = ReviewerFactory()

    # -- Customers: none yet -----------------------------------------------------------------
    partner = new_page()
    sign_in(partner, agent.email, check_as="customer-01-partner-login")
    nav_link(partner, "Customers").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Customers")
    expect(partner.locator("#customers-empty")).to_contain_text("No customer yet.")
    check_page(partner, "customer-02-list-empty")

    # -- Add customer: the code menu appears with GCC, empty, and says what to do -----------
    partner.get_by_role("link", name="Add customer").first.click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Add customer")
    code_group = partner.locator("#gcc-validation-group")
    expect(code_group).to_be_hidden()
    check_page(partner, "customer-03-add-customer")

    fill_customer_form(partner)
    partner.get_by_label(GCC_OPTION).check()
    expect(code_group).to_be_visible()
    expect(code_group.locator("#gcc-no-code")).to_contain_text(
        "No validation code is available yet."
    )
    expect(
        code_group.get_by_role("button", name="Submit a customer validation request")
    ).to_be_visible()
    check_page(partner, "customer-04-add-customer-gcc-no-code")

    # -- "What's this?": the help dialog, focus inside, axe with it open -------------------
    partner.get_by_role("link", name="What's this?").click()
    dialog = partner.get_by_role("dialog", name="GCC validation codes")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("A GCC validation code shows that")
    assert focus_is_inside(partner, "#gcc-help-dialog")
    check_page(partner, "customer-05-help-dialog", full_page=False)

    # -- Submit a new request: the customer validation form --------------------------------
    dialog.get_by_role("button", name="Submit a new request").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Customer validation request")
    expect(partner.get_by_label(TENANT_LABEL)).to_have_value(str(organization.commercial_tenant_id))
    # Regulated data is only for private organizations: hidden until one is chosen.
    expect(partner.locator("#regulated-data-group")).to_be_hidden()
    partner.get_by_label("Organization legal name").fill(CUSTOMER_NAME)
    partner.get_by_label("US local government entity").check()
    partner.get_by_label("Government domain").fill("springfield.gov")
    partner.get_by_label("Customer contact name").fill("Robin Clerk")
    partner.get_by_label("Customer contact email").fill(CONTACT_EMAIL)
    partner.get_by_label("Customer contact phone").fill("+1 217 555 0199")
    partner.get_by_label("Documents (optional)").set_input_files(
        files=[{"name": "charter.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    check_page(partner, "customer-06-validation-form")

    partner.get_by_role("button", name="Submit request").click()
    expect(partner).to_have_url(re.compile(r"/customers/validations/\d+/$"))
    validation = CustomerValidationRequest.objects.get(organization=organization)
    expect(partner.get_by_role("status").first).to_contain_text("request was submitted")
    expect(partner.locator("#request-status")).to_contain_text("Submitted")
    due = timezone.localtime(validation.due_at)
    expect(partner.locator("#due-at")).to_have_text(
        f"{date_format(due, 'DATETIME_FORMAT')} ({due.tzname()})"
    )
    timeline = partner.get_by_role("list", name="Timeline")
    expect(timeline.get_by_role("listitem")).to_have_count(1)
    expect(timeline).to_contain_text("Request submitted")
    expect(timeline).to_contain_text("Sam Sales")
    expect(partner.locator("#documents").get_by_role("link", name="charter.pdf")).to_have_attribute(
        "href", f"/customers/validations/{validation.pk}/documents/{validation.documents.get().pk}/"
    )
    check_page(partner, "customer-07-validation-submitted")

    # -- A reviewer approves it in the admin, with two creates ----------------------------
    admin = new_page()
    sign_in(admin, reviewer.email, admin=True, check_as="customer-08-admin-login")
    admin.get_by_role("link", name="Customer validation requests").first.click()
    expect(admin.locator("#result_list")).to_contain_text(CUSTOMER_NAME)
    check_page(admin, "customer-09-admin-queue")

    admin.locator("#result_list").get_by_role("link", name=CUSTOMER_NAME).click()
    expect(admin.locator("#decision-heading")).to_be_visible()
    # The partner's document is viewable from the request.
    expect(admin.get_by_role("link", name="charter.pdf")).to_be_visible()
    check_page(admin, "customer-10-admin-request-submitted")

    admin.get_by_role("button", name="Start review").click()
    expect(admin.locator(".messagelist")).to_contain_text("Review started")
    check_page(admin, "customer-11-admin-request-in-review")
    admin.get_by_role("link", name="Approve…").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Approve")
    expect(admin.get_by_label("Max creates")).to_have_value("1")
    admin.get_by_label("Max creates").fill("2")
    check_page(admin, "customer-12-admin-approve")
    admin.get_by_role("button", name="Approve").click()
    expect(admin.locator(".messagelist")).to_contain_text(
        "Approved. A validation code was issued to the transacting partner."
    )
    check_page(admin, "customer-13-admin-request-approved")
    code = GccValidation.objects.get(partner=organization)
    assert (code.max_creates, code.remaining_creates) == (2, 2)

    # -- The partner adds the customer with the code ---------------------------------------
    partner.goto(ADD_CUSTOMER_PATH)
    fill_customer_form(partner)
    partner.get_by_label(GCC_OPTION).check()
    menu = field(partner, CODE_LABEL)
    expect(menu).to_be_visible()
    option_text = f"{CUSTOMER_NAME} — 2 creates left"
    expect(menu.get_by_role("option", name=option_text)).to_have_count(1)
    menu.select_option(label=option_text)
    check_page(partner, "customer-14-add-customer-with-code")

    partner.get_by_role("button", name="Add customer").click()
    expect(partner).to_have_url(re.compile(r"/customers/\d+/account/$"))
    customer = Customer.objects.get(primary_domain="springfield.gov")
    expect(partner.get_by_role("status").first).to_contain_text(
        f"{CUSTOMER_NAME} was added with the Government Community Cloud (GCC) qualification."
    )
    section = partner.get_by_role("region", name="Special qualifications")
    expect(section).to_contain_text("Government Community Cloud (GCC)")
    granted = timezone.localtime(customer.qualifications.get().granted_at)
    expect(section).to_contain_text(date_format(granted, "DATE_FORMAT"))
    expect(section).to_contain_text(str(code.validation_id))
    check_page(partner, "customer-15-account-gcc")
    code.refresh_from_db()
    assert code.remaining_creates == 1

    nav_link(partner, "Customers").click()
    row = partner.locator("#customer-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(CUSTOMER_NAME)
    expect(row.locator(".badge")).to_have_text("Government Community Cloud (GCC)")
    check_page(partner, "customer-16-list-with-gcc-customer")


def test_help_dialog_works_with_the_keyboard_alone(new_page, gcc_partner):
    _, agent = gcc_partner
    # No transitions: the screenshot shows the buttons' settled focus style.
    page = new_page(reduced_motion="reduce")
    sign_in(page, agent.email)
    page.goto(ADD_CUSTOMER_PATH)

    # Choose GCC with the arrow keys (None → Education → Nonprofit → GCC), then Tab.
    page.get_by_label("None", exact=True).focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label(GCC_OPTION)).to_be_checked()
    help_link = page.get_by_role("link", name="What's this?")
    page.keyboard.press("Tab")
    expect(help_link).to_be_focused()

    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="GCC validation codes")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="GCC validation codes")).to_be_focused()
    assert focus_is_inside(page, "#gcc-help-dialog")

    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Submit a new request")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    screenshot(page, "customer-17-help-dialog-keyboard", full_page=False)

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(help_link).to_be_focused()

    # The help page, where the link leads without JavaScript, passes axe too.
    page.goto(HELP_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("GCC validation codes")
    check_page(page, "customer-18-help-page")


def test_customer_contact_answers_through_the_emailed_link(new_page, gcc_partner, settings):
    organization, agent = gcc_partner
    reviewer = ReviewerFactory()
    validation = services.customer_validation_submit(
        organization=organization, submitted_by=agent, **customer_validation_answers(organization)
    )
    review_start(model=CustomerValidationRequest, request_id=validation.pk, reviewer=reviewer)

    # -- The reviewer asks the customer contact for information ----------------------------
    admin = new_page()
    sign_in(admin, reviewer.email, admin=True)
    admin.goto(f"/admin/customers/customervalidationrequest/{validation.pk}/change/")
    admin.get_by_role("link", name="Request information from the customer…").click()
    admin.get_by_label("What the customer must send").fill(
        "Send the county ordinance that created your IT department."
    )
    check_page(admin, "customer-19-admin-request-info")
    admin.get_by_role("button", name="Request information from the customer").click()
    expect(admin.locator(".messagelist")).to_contain_text("Information requested")
    check_page(admin, "customer-20-admin-request-info-requested")

    email = next(message for message in mail.outbox if message.to == [CONTACT_EMAIL])
    assert f"{settings.PORTAL_BASE_URL}/customer-information/" in email.body
    link = INFO_LINK.search(email.body).group()

    # -- The contact opens it: no account, a fresh browser --------------------------------
    contact = new_page()
    contact.goto(link)
    expect(contact.get_by_role("heading", level=1)).to_have_text(
        "Information for your GCC validation"
    )
    expect(contact.locator("#info-context")).to_contain_text(organization.legal_name)
    expect(contact.locator("#info-context")).to_contain_text(CUSTOMER_NAME)
    expect(contact.locator("#info-question")).to_have_text(
        "Send the county ordinance that created your IT department."
    )
    # Only the brand: no partner navigation for someone who isn't signed in.
    expect(contact.get_by_role("link", name="Customers")).to_have_count(0)
    check_page(contact, "customer-21-contact-answer")

    contact.get_by_role("button", name="Submit").click()
    answer = contact.get_by_label("Your answer")
    expect(answer).to_have_attribute("aria-invalid", "true")
    expect(answer).to_have_accessible_description(
        re.compile(r"^Enter the information the reviewer asked for\.")
    )
    check_page(contact, "customer-22-contact-answer-error")

    answer.fill("Ordinance 2019-14, attached.")
    contact.get_by_label("Documents (optional)").set_input_files(
        files=[{"name": "ordinance.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    contact.get_by_role("button", name="Submit").click()
    expect(contact.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(contact.locator("#answer-sent")).to_contain_text("Your answer was sent")
    check_page(contact, "customer-23-contact-answer-sent")
    validation.refresh_from_db()
    assert validation.status == CustomerValidationRequest.Status.IN_REVIEW
    assert validation.info_response == "Ordinance 2019-14, attached."

    response = contact.goto(link)
    assert response is not None and response.status == 410
    expect(contact.get_by_role("heading", level=1)).to_have_text("This link was already used")
    expect(contact.locator("main")).not_to_contain_text(CUSTOMER_NAME)
    check_page(contact, "customer-24-contact-link-used")


def test_add_customer_works_without_javascript(new_page, gcc_partner):
    _, agent = gcc_partner
    page = new_page(java_script_enabled=False)
    sign_in(page, agent.email)
    page.goto(ADD_CUSTOMER_PATH)
    # The code menu is always shown, with what to do when it is empty.
    expect(page.locator("#gcc-validation-group")).to_be_visible()
    expect(page.locator("#gcc-no-code")).to_contain_text("No validation code is available yet.")
    expect(page.get_by_role("dialog")).to_have_count(0)
    screenshot(page, "customer-25-add-customer-no-js")

    page.get_by_role("link", name="What's this?").click()
    expect(page).to_have_url(re.compile(re.escape(HELP_PATH) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("GCC validation codes")
    expect(page.get_by_role("link", name="Submit a new request")).to_have_attribute(
        "href", "/customers/validations/new/"
    )
    screenshot(page, "customer-26-help-page-no-js")
