"""The 429 page of a public page's limit, as a browser shows it: checked with axe-core."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from customers.invitations import services as invitation_services
from tests.browser.helpers import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_too_many_attempts_page_is_accessible(new_page, settings, gcc_enabled, sales_agent):
    settings.PUBLIC_EMAIL_RATE_PER_LINK = "1/h"
    invitation = invitation_services.invitation_create(
        organization=gcc_enabled, created_by=sales_agent
    )
    invitation = invitation_services.invitation_send(
        invitation_id=invitation.pk,
        organization=gcc_enabled,
        actor=sales_agent,
        subject=invitation.subject,
        body=invitation.body,
    )
    link = urlsplit(invitation_services.invitation_link(invitation)).path

    page = new_page()
    for attempt in range(2):
        page.goto(link)
        page.get_by_label("Organization name").fill("Springfield County")
        page.get_by_label("Primary domain").fill("springfield.gov")
        page.get_by_label("Your name").fill("Robin Clerk")
        page.get_by_label("Your email").fill(f"robin{attempt}@springfield.gov")
        page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts")
    expect(page.locator("#rate-limited")).to_contain_text(
        "You have tried this too often. Try again in"
    )
    check_page(page, "rate-limited-429")
    page.get_by_role("link", name="Back to the page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reseller relationship request")
