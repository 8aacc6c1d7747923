"""Reseller relationship requests in Chromium: the partner's draft email (copy to clipboard,
mail app link, the link it must keep), Done, and the customer accepting through the
personalized link in a fresh browser; then the partner's Customers page and Account.

Every page visited is screenshotted to test-artifacts/ and must pass axe-core with no
violation (`check_page`).
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from customers.invitations import services
from customers.invitations.models import ResellerInvitation
from customers.invitations.views import _mailto
from customers.models import CustomerRelationship
from tests.browser.helpers import check_page, screenshot, sign_in
from tests.factories import (
    OrganizationFactory,
)
from tests.helpers import customer_of, invitation_sent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER_NAME = "Contoso Government Solutions LLC"
CUSTOMER_NAME = "City of Springfield"
CUSTOMER_DOMAIN = "springfield.gov"
REQUESTS_PATH = "/customers/relationship-requests/"
DETAIL_URL = re.compile(r"/customers/relationship-requests/(\d+)/$")
LINK_REMOVED = re.compile(r"^The personalized link was removed from the message\.")


@pytest.fixture
def gcc_customer_of_another_partner(db):
    """A GCC customer of the portal, managed by another partner (whose code validated it)."""
    other = OrganizationFactory(legal_name="Litware Federal Inc")
    return customer_of(other, gcc=True, company_name=CUSTOMER_NAME, primary_domain=CUSTOMER_DOMAIN)


def on_live_server(link: str, live_server) -> str:
    """The emailed link (PORTAL_BASE_URL) pointed at the test server instead."""
    parts = urlsplit(link)
    return f"{live_server.url}{parts.path}"


def confirm_by_email(page: Page, email: str, live_server, name: str) -> None:
    """The customer's second step: open the confirmation link mailed to `email`, Accept."""
    expect(heading(page)).to_have_text("Check your email")
    check_page(page, f"{name}-check-email")
    (message,) = [m for m in mail.outbox if m.to == [email] and "Confirm that" in m.subject]
    mail.outbox.remove(message)
    link = next(w for w in message.body.split() if "/reseller-relationship/confirm/" in w)
    page.goto(on_live_server(link, live_server))
    expect(heading(page)).to_have_text("Confirm the reseller relationship")
    check_page(page, f"{name}-confirm")
    page.get_by_role("button", name="Accept").click()


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def nav_customers(page: Page):
    return page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Customers", exact=True
    )


def test_partner_requests_a_relationship_and_the_gcc_customer_accepts(
    new_page, live_server, gcc_partner, gcc_customer_of_another_partner
):
    organization, agent = gcc_partner

    # -- Customers → Request a reseller relationship → the draft email ---------------------
    partner = new_page(permissions=["clipboard-read", "clipboard-write"])
    sign_in(partner, agent.email)
    nav_customers(partner).click()
    expect(heading(partner)).to_have_text("Customers")
    check_page(partner, "invitation-01-customers")

    partner.get_by_role("button", name="Request a reseller relationship").click()
    expect(partner).to_have_url(DETAIL_URL)
    expect(heading(partner)).to_have_text("Request a reseller relationship")
    invitation = ResellerInvitation.objects.get(organization=organization)
    link = partner.locator("#invitation-link").input_value()
    assert link == services.invitation_link(invitation)
    subject = partner.get_by_label("Subject")
    body = partner.get_by_label("Message")
    expect(subject).to_have_value(f"{PARTNER_NAME} asks to become your Microsoft reseller")
    draft_body = body.input_value()
    assert link in draft_body
    expect(partner.locator("#invitation-status")).to_have_text("Status: Draft")
    check_page(partner, "invitation-02-draft")

    # -- Copy to clipboard: read it back; the live region says so ---------------------------
    partner.get_by_role("button", name="Copy to clipboard").click()
    copied = partner.locator("#copy-status")
    expect(copied).to_have_text(
        "✓ Copied to the clipboard: paste it into a new email to the customer."
    )
    expect(copied).to_have_attribute("aria-live", "polite")
    clipboard = partner.evaluate("navigator.clipboard.readText()")
    assert clipboard == f"{subject.input_value()}\n\n{draft_body}"
    assert link in clipboard
    check_page(partner, "invitation-03-copied")

    # -- The mail app link follows the edits; Done refuses a message without the link -------
    without_link = draft_body.replace(link, "").replace("\n\n\n", "\n\n")
    body.fill(without_link)
    expect(copied).to_have_text("")  # the copy no longer matches the text
    expect(partner.get_by_role("link", name="Open in mail app")).to_have_attribute(
        "href", _mailto(subject=subject.input_value(), body=without_link)
    )
    partner.get_by_role("button", name="Done").click()
    expect(partner.locator("#form-errors")).to_contain_text("The request wasn't recorded as sent.")
    body = partner.get_by_label("Message")
    expect(body).to_have_value(without_link)
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(body).to_have_accessible_description(LINK_REMOVED)
    expect(partner.locator("#id_body_error")).to_contain_text(link)
    assert ResellerInvitation.objects.get().status == ResellerInvitation.Status.DRAFT
    check_page(partner, "invitation-04-link-removed")

    # -- Put it back → Done → the request is sent ------------------------------------------
    body.fill(draft_body)
    partner.get_by_role("button", name="Done").click()
    expect(partner.locator("#invitation-status")).to_have_text("Status: Sent")
    expect(partner.get_by_role("status").first).to_contain_text("The request is recorded as sent.")
    expect(partner.locator("#sent-body")).to_have_text(draft_body)
    expect(partner.locator("#expires-at")).to_be_visible()
    expect(partner.get_by_role("link", name="Revoke this request")).to_be_visible()
    check_page(partner, "invitation-05-sent")
    link = partner.locator("#invitation-link").input_value()

    partner.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Reseller relationship requests"
    ).click()
    row = partner.locator(f"#invitation-{invitation.pk}")
    expect(row.locator(".badge")).to_have_text("Sent")
    check_page(partner, "invitation-06-list-sent")

    # -- The customer opens the link in a fresh browser, without signing in -----------------
    customer = new_page()
    customer_url = on_live_server(link, live_server)
    customer.goto(customer_url)
    expect(heading(customer)).to_have_text("Reseller relationship request")
    expect(customer.locator("#invitation-context")).to_have_text(
        f"{PARTNER_NAME} asks to become your Microsoft Cloud Solution Provider reseller."
    )
    expect(customer.locator("#invitation-meaning")).to_contain_text(
        "Your Government Community Cloud (GCC) qualification stays as it is"
    )
    expect(customer.get_by_role("link", name="Customers")).to_have_count(0)
    check_page(customer, "invitation-07-customer-accept")

    customer.get_by_label("Organization name").fill(CUSTOMER_NAME)
    customer.get_by_label("Primary domain").fill(CUSTOMER_DOMAIN)
    customer.get_by_label("Your name").fill("Robin Clerk")
    customer.get_by_label("Your email").fill("robin.clerk@springfield.gov")
    customer.get_by_role("button", name="Continue").click()
    confirm_by_email(customer, "robin.clerk@springfield.gov", live_server, "invitation-07b")
    expect(heading(customer)).to_have_text("Request accepted")
    expect(customer.locator("#invitation-result")).to_have_text(
        f"{PARTNER_NAME} is now your reseller."
    )
    check_page(customer, "invitation-08-customer-accepted")
    (email,) = [message for message in mail.outbox if message.to == [agent.email]]
    assert email.subject == f"{CUSTOMER_NAME} accepted your reseller relationship request"

    # -- Back as the partner: the customer, with its GCC qualification ----------------------
    nav_customers(partner).click()
    row = partner.locator("#customer-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(CUSTOMER_NAME)
    expect(row.locator(".badge")).to_have_text("Government Community Cloud (GCC)")
    check_page(partner, "invitation-09-customers-with-customer")

    row.get_by_role("link", name=CUSTOMER_NAME).click()
    expect(heading(partner)).to_have_text(CUSTOMER_NAME)
    section = partner.get_by_role("region", name="Special qualifications")
    expect(section).to_contain_text("Government Community Cloud (GCC)")
    check_page(partner, "invitation-10-account-gcc")

    partner.goto(REQUESTS_PATH)
    row = partner.locator(f"#invitation-{invitation.pk}")
    expect(row.locator(".badge")).to_have_text("Accepted")
    expect(row.get_by_role("link", name=CUSTOMER_NAME)).to_be_visible()
    expect(row.get_by_role("button")).to_have_count(0)
    check_page(partner, "invitation-11-list-accepted")

    # -- The link again: already used, nothing more said ------------------------------------
    response = customer.goto(customer_url)
    assert response is not None and response.status == 410
    expect(heading(customer)).to_have_text("This link was already used")
    expect(customer.locator("main")).not_to_contain_text(PARTNER_NAME)
    check_page(customer, "invitation-12-link-used")


def test_revoked_expired_invalid_and_repeated_links_each_get_a_clear_page(
    new_page, live_server, gcc_partner, gcc_customer_of_another_partner
):
    organization, agent = gcc_partner
    revoked, repeated = invitation_sent(organization, agent), invitation_sent(organization, agent)
    CustomerRelationship.objects.create(
        organization=organization, customer=gcc_customer_of_another_partner
    )

    # -- The partner revokes one from the list ----------------------------------------------
    partner = new_page()
    sign_in(partner, agent.email)
    partner.goto(REQUESTS_PATH)
    check_page(partner, "invitation-13-list-two-sent")
    partner.get_by_role("link", name=f"Revoke request #{revoked.pk}").click()
    expect(heading(partner)).to_have_text(f"Revoke request #{revoked.pk}?")
    partner.get_by_role("button", name="Revoke request").click()
    expect(partner.get_by_role("status").first).to_have_text(
        f"Request #{revoked.pk} was revoked: its link no longer works."
    )
    expect(partner.locator(f"#invitation-{revoked.pk} .badge")).to_have_text("Revoked")
    check_page(partner, "invitation-14-list-revoked")

    customer = new_page()
    response = customer.goto(on_live_server(services.invitation_link(revoked), live_server))
    assert response is not None and response.status == 410
    expect(heading(customer)).to_have_text("This request was withdrawn")
    check_page(customer, "invitation-15-link-revoked")

    # -- A customer the partner already resells to: nothing changes -------------------------
    customer.goto(on_live_server(services.invitation_link(repeated), live_server))
    customer.get_by_label("Organization name").fill(CUSTOMER_NAME)
    customer.get_by_label("Primary domain").fill("not a domain")
    customer.get_by_role("button", name="Continue").click()
    domain = customer.get_by_label("Primary domain")
    expect(domain).to_have_attribute("aria-invalid", "true")
    expect(domain).to_have_accessible_description(
        re.compile(r"Enter a domain name such as contoso\.gov")
    )
    check_page(customer, "invitation-16-customer-accept-errors")
    domain.fill(CUSTOMER_DOMAIN)
    customer.get_by_label("Your name").fill("Robin Clerk")
    customer.get_by_label("Your email").fill("robin.clerk@springfield.gov")
    customer.get_by_role("button", name="Continue").click()
    confirm_by_email(customer, "robin.clerk@springfield.gov", live_server, "invitation-16b")
    expect(heading(customer)).to_have_text("Nothing changed")
    expect(customer.locator("#invitation-result")).to_have_text(
        f"{PARTNER_NAME} already is your reseller; nothing changed."
    )
    check_page(customer, "invitation-17-customer-already-reseller")
    assert (
        CustomerRelationship.objects.filter(customer=gcc_customer_of_another_partner).count() == 2
    )

    # -- Expired and tampered links -----------------------------------------------------------
    expired = invitation_sent(organization, agent)
    ResellerInvitation.objects.filter(pk=expired.pk).update(expires_at=expired.created_at)
    response = customer.goto(on_live_server(services.invitation_link(expired), live_server))
    assert response is not None and response.status == 410
    expect(heading(customer)).to_have_text("This link has expired")
    check_page(customer, "invitation-18-link-expired")

    response = customer.goto(f"{live_server.url}/reseller-relationship/not-a-real-token/")
    assert response is not None and response.status == 404
    expect(heading(customer)).to_have_text("This link isn't valid")
    check_page(customer, "invitation-19-link-invalid")


def test_draft_page_without_javascript_and_with_the_clipboard_refused(new_page, gcc_partner):
    organization, agent = gcc_partner
    invitation = services.invitation_create(organization=organization, created_by=agent)
    path = f"{REQUESTS_PATH}{invitation.pk}/"

    # -- No JavaScript: the mail app link carries the saved text; no copy button -----------
    page = new_page(java_script_enabled=False)
    sign_in(page, agent.email)
    page.goto(path)
    expect(page.get_by_role("link", name="Open in mail app")).to_have_attribute(
        "href", _mailto(subject=invitation.subject, body=invitation.body)
    )
    expect(page.get_by_role("button", name="Copy to clipboard")).to_have_count(0)
    # axe needs JavaScript: the same page passed it with JavaScript (invitation-02-draft).
    screenshot(page, "invitation-20-draft-no-js")

    # -- The browser refuses the clipboard: say how to copy by hand --------------------------
    refused = new_page()
    refused.add_init_script(
        "navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied'));"
    )
    sign_in(refused, agent.email)
    refused.goto(path)
    refused.get_by_role("button", name="Copy to clipboard").click()
    expect(refused.locator("#copy-status")).to_have_text(
        "Your browser didn't allow copying. Select the subject, then the message, and copy "
        "each with Ctrl+C (⌘C on a Mac)."
    )
    check_page(refused, "invitation-21-draft-copy-refused")
