"""Irreversible actions ask first, with or without JavaScript: withdrawing a GCC validation
request (partner's and customer's) and revoking a reseller relationship request go through a
confirmation page whose form posts the action, with a Cancel link back.

Every confirmation page is screenshotted to test-artifacts/ and must pass axe-core with no
violation (`check_page`), on a desktop and on a phone.
"""

import pytest
from playwright.sync_api import Page, expect

from customers.invitations import services as invitation_services
from customers.invitations.models import ResellerInvitation
from customers.validations.models import CustomerValidationRequest
from notifications.models import OutboxMessage
from partners.models import Membership, PartnerValidationRequest
from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import check_page, screenshot, sign_in
from tests.factories import (
    CustomerValidationRequestFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnerValidationRequestFactory,
    ReviewerFactory,
)
from tests.helpers import invitation_sent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def check_desktop_and_phone(page: Page, name: str, *, javascript: bool) -> None:
    """axe at 1280 px and at 390 px. axe needs JavaScript: without it, screenshots only (the
    same page passed axe in the test's JavaScript run)."""
    check = check_page if javascript else screenshot
    suffix = "" if javascript else "-no-js"
    check(page, f"{name}-1280{suffix}")
    page.set_viewport_size(PHONE)
    check(page, f"{name}-390{suffix}")
    page.set_viewport_size(VIEWPORT)


def signed_in(new_page, email: str, *, javascript: bool) -> Page:
    page = new_page(java_script_enabled=javascript)
    sign_in(page, email)
    return page


@JAVASCRIPT
def test_partner_withdraws_its_request_after_confirming(new_page, javascript):
    # Given a partner's request in review by a reviewer
    organization = OrganizationFactory(legal_name="Contoso Government Solutions LLC")
    agent = MembershipFactory(organization=organization, role=Membership.Role.SALES_AGENT).user
    reviewer = ReviewerFactory()
    validation = PartnerValidationRequestFactory(
        organization=organization,
        status=PartnerValidationRequest.Status.IN_REVIEW,
        assigned_reviewer=reviewer,
    )
    page = signed_in(new_page, agent.email, javascript=javascript)
    page.goto(f"/gcc/validations/{validation.pk}/")

    # When the agent selects Withdraw: a question, nothing withdrawn yet
    page.get_by_role("link", name="Withdraw this request").click()
    expect(heading(page)).to_have_text(f"Withdraw request #{validation.pk}?")
    expect(page.locator("#confirm-consequence")).to_contain_text(
        "A withdrawn request can't be reopened; you can submit a new one."
    )
    check_desktop_and_phone(page, "confirm-partner-withdraw", javascript=javascript)
    assert PartnerValidationRequest.objects.get().status == validation.status

    # When they cancel: back on the request, still in review
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("#request-status")).to_have_text("Status: In review")

    # When they confirm
    page.get_by_role("link", name="Withdraw this request").click()
    page.get_by_role("button", name="Withdraw request").click()

    # Then it is withdrawn, and the reviewer working on it is told
    expect(page.locator("#request-status")).to_have_text("Status: Withdrawn")
    expect(page.get_by_role("status").first).to_contain_text("The request was withdrawn.")
    expect(page.get_by_role("link", name="Withdraw this request")).to_have_count(0)
    assert PartnerValidationRequest.objects.get().status == "withdrawn"
    assert list(
        OutboxMessage.objects.filter(template="emails/partners/validation_withdrawn").values_list(
            "to_email", flat=True
        )
    ) == [reviewer.email]


@JAVASCRIPT
def test_partner_withdraws_a_customer_validation_after_confirming(
    new_page, gcc_partner, javascript
):
    # Given a customer validation request waiting for a reviewer
    organization, agent = gcc_partner
    validation = CustomerValidationRequestFactory(organization=organization)
    page = signed_in(new_page, agent.email, javascript=javascript)
    page.goto(f"/customers/validations/{validation.pk}/")

    # When the agent selects Withdraw, then confirms
    page.get_by_role("link", name="Withdraw this request").click()
    expect(heading(page)).to_have_text(f"Withdraw request #{validation.pk}?")
    expect(page.locator("#confirm-subject")).to_contain_text(validation.organization_legal_name)
    check_desktop_and_phone(page, "confirm-customer-withdraw", javascript=javascript)
    assert CustomerValidationRequest.objects.get().status == "submitted"
    page.get_by_role("button", name="Withdraw request").click()

    # Then it is withdrawn; nobody reviewed it, so nobody is told
    expect(page.locator("#request-status")).to_have_text("Status: Withdrawn")
    assert CustomerValidationRequest.objects.get().status == "withdrawn"
    assert not OutboxMessage.objects.filter(template__endswith="_withdrawn").exists()


@JAVASCRIPT
def test_partner_revokes_from_the_list_and_from_the_request_after_confirming(
    new_page, gcc_partner, javascript
):
    # Given a sent request and a draft
    organization, agent = gcc_partner
    sent = invitation_sent(organization, agent)
    draft = invitation_services.invitation_create(organization=organization, created_by=agent)
    page = signed_in(new_page, agent.email, javascript=javascript)

    # -- From the list: a question, then back to the list ------------------------------------
    page.goto("/customers/relationship-requests/")
    page.get_by_role("link", name=f"Revoke request #{sent.pk}").click()
    expect(heading(page)).to_have_text(f"Revoke request #{sent.pk}?")
    expect(page.locator("#confirm-consequence")).to_contain_text(
        "Its link stops working at once; the customer can no longer accept."
    )
    check_desktop_and_phone(page, "confirm-revoke-sent", javascript=javascript)
    assert ResellerInvitation.objects.get(pk=sent.pk).status == "sent"
    page.get_by_role("button", name="Revoke request").click()
    expect(page.get_by_role("status").first).to_have_text(
        f"Request #{sent.pk} was revoked: its link no longer works."
    )
    expect(page.locator(f"#invitation-{sent.pk} .badge")).to_have_text("Revoked")

    # -- From the draft's page: Cancel goes back to it; confirming revokes it ---------------
    page.goto(f"/customers/relationship-requests/{draft.pk}/")
    page.get_by_role("link", name="Revoke this request").click()
    expect(heading(page)).to_have_text(f"Revoke request #{draft.pk}?")
    check_desktop_and_phone(page, "confirm-revoke-draft", javascript=javascript)
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("#invitation-status")).to_have_text("Status: Draft")
    page.get_by_role("link", name="Revoke this request").click()
    page.get_by_role("button", name="Revoke request").click()
    expect(page.locator("#invitation-status")).to_have_text("Status: Revoked")
    assert ResellerInvitation.objects.get(pk=draft.pk).status == "revoked"
