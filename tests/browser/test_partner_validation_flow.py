"""GCC partner validation in Chromium: the partner applies, a reviewer decides in the admin.

Every page visited is screenshotted to test-artifacts/ and must pass axe-core with no
violation (`check_page`).
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from partners.models import Membership, Organization, PartnerValidationRequest
from tests.browser.helpers import check_page, sign_in
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PartnerValidationRequestFactory,
    ReviewerFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPLY_PATH = "/gcc/validations/new/"
TENANT_LABEL = "Commercial tenant ID (Microsoft ID)"
CONTRACTS = "GSA Multiple Award Schedule; SEWP V"


def fill_validation_form(page: Page, *, tenant_id: str) -> None:
    """Fill what the form does not prefill (name and email are the signed-in user's)."""
    page.get_by_label(TENANT_LABEL).fill(tenant_id)
    page.get_by_label("Contact phone").fill("+1 202 555 0143")
    page.get_by_label("US federal agencies").check()
    page.get_by_label("US state governments").check()
    page.get_by_label("How you contract with them").fill(CONTRACTS)
    page.get_by_label(re.compile(r"I confirm that this information is accurate")).check()


def open_request_from_queue(admin: Page, validation: PartnerValidationRequest) -> None:
    """From the admin index: the queue, then the request's page. The index through the
    header's link, on every admin page: the queue has no nav sidebar linking to itself."""
    admin.locator("#site-name a").click()
    admin.get_by_role("link", name="Partner validation requests").first.click()
    admin.locator("#result_list").get_by_role(
        "link", name=validation.organization.legal_name
    ).click()
    expect(admin.locator("#decision-heading")).to_be_visible()


def expect_admin_message(admin: Page, text: str) -> None:
    expect(admin.locator(".messagelist")).to_contain_text(text)


def test_partner_applies_and_reviewer_approves(new_page):
    organization = OrganizationFactory(legal_name="Contoso Government Solutions LLC")
    agent = MembershipFactory(
        organization=organization,
        role=Membership.Role.ADMIN_AGENT,
        user__first_name="Avery",
        user__last_name="Admin",
    ).user
    reviewer = ReviewerFactory()

    # -- The partner's Admin agent signs in and goes to the form --------------------------
    partner = new_page()
    sign_in(partner, agent.email, check_as="01-partner-login")
    expect(partner.get_by_role("heading", level=1)).to_have_text(organization.legal_name)
    check_page(partner, "02-partner-dashboard")

    partner.get_by_role("link", name="Apply for GCC approval").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Apply for GCC approval")
    tenant = partner.get_by_label(TENANT_LABEL)
    expect(tenant).to_have_value(str(organization.commercial_tenant_id))
    # The Azure GCC warning is the field's own description, printed right under it.
    expect(tenant).to_have_accessible_description(
        re.compile(r"^Do not use an Azure GCC tenant ID\.")
    )
    expect(partner.get_by_label("Contact name")).to_have_value("Avery Admin")
    expect(partner.get_by_label("Contact email")).to_have_value(agent.email)
    check_page(partner, "03-validation-form")

    # -- A common mistake first: the Azure GCC tenant ID ----------------------------------
    fill_validation_form(partner, tenant_id=str(organization.azure_gcc_tenant_id))
    partner.get_by_role("button", name="Submit request").click()
    expect(partner.get_by_role("alert")).to_contain_text("Some answers need your attention")
    tenant = partner.get_by_label(TENANT_LABEL)
    expect(tenant).to_have_attribute("aria-invalid", "true")
    expect(tenant).to_have_accessible_description(
        re.compile(r"This is an Azure GCC tenant ID, not the commercial \(global\) one\.")
    )
    # The message sits next to the field and says what to enter instead.
    expect(partner.locator("#div_id_commercial_tenant_id .invalid-feedback")).to_contain_text(
        f"the Microsoft ID on your profile: {organization.commercial_tenant_id}"
    )
    # Every other answer is kept.
    expect(partner.get_by_label("Contact name")).to_have_value("Avery Admin")
    expect(partner.get_by_label("Contact phone")).to_have_value("+1 202 555 0143")
    expect(partner.get_by_label("US federal agencies")).to_be_checked()
    expect(partner.get_by_label("US state governments")).to_be_checked()
    expect(partner.get_by_label("US tribal governments")).not_to_be_checked()
    expect(partner.get_by_label("How you contract with them")).to_have_value(CONTRACTS)
    expect(partner.get_by_label(re.compile(r"I confirm"))).to_be_checked()
    check_page(partner, "04-validation-form-errors")
    assert not PartnerValidationRequest.objects.exists()

    # -- Fixed and submitted ---------------------------------------------------------------
    tenant.fill(str(organization.commercial_tenant_id))
    partner.get_by_role("button", name="Submit request").click()
    expect(partner).to_have_url(re.compile(r"/gcc/validations/\d+/$"))
    validation = PartnerValidationRequest.objects.get(organization=organization)
    expect(partner).to_have_url(re.compile(rf"/gcc/validations/{validation.pk}/$"))
    expect(partner.get_by_role("status").first).to_contain_text("request was submitted")
    expect(partner.locator("#request-status")).to_contain_text("Submitted")
    due = timezone.localtime(validation.due_at)
    assert (due.hour, due.minute) == (17, 0)
    expect(partner.locator("#due-at")).to_have_text(
        f"{date_format(due, 'DATETIME_FORMAT')} ({due.tzname()})"
    )
    timeline = partner.get_by_role("list", name="Timeline")
    expect(timeline.get_by_role("listitem")).to_have_count(1)
    expect(timeline).to_contain_text("Request submitted")
    expect(timeline).to_contain_text("Avery Admin")
    check_page(partner, "05-validation-detail-submitted")
    assert any(agent.email in message.to for message in mail.outbox)

    partner.get_by_role("link", name="GCC validation requests").click()
    expect(partner.get_by_role("table")).to_contain_text(f"Request #{validation.pk}")
    check_page(partner, "06-validation-list")

    partner.get_by_role("link", name="Dashboard").click()
    gcc_card = partner.get_by_role("region", name="Office 365 GCC approval")
    expect(gcc_card).to_contain_text(f"A decision is due by {date_format(due, 'DATETIME_FORMAT')}")
    expect(gcc_card.get_by_role("link", name="Follow your request")).to_be_visible()
    check_page(partner, "07-partner-dashboard-open-request")

    # -- A reviewer takes it from the queue and approves it -------------------------------
    admin = new_page()
    sign_in(admin, reviewer.email, admin=True, check_as="08-admin-login")
    admin.get_by_role("link", name="Partner validation requests").first.click()
    expect(admin.locator("#result_list")).to_contain_text(organization.legal_name)
    check_page(admin, "09-admin-queue")

    admin.locator("#result_list").get_by_role("link", name=organization.legal_name).click()
    expect(admin.locator("#decision-heading")).to_be_visible()
    check_page(admin, "10-admin-request-submitted")

    admin.get_by_role("button", name="Start review").click()
    expect_admin_message(admin, "Review started; the request is assigned to you.")
    check_page(admin, "11-admin-request-in-review")

    admin.get_by_role("link", name="Approve…").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Approve")
    check_page(admin, "12-admin-decide-approve")
    admin.get_by_label("Note to the partner (optional)").fill("Welcome to GCC.")
    admin.get_by_role("button", name="Approve").click()
    expect_admin_message(admin, "Approved. The partner now holds")
    check_page(admin, "13-admin-request-approved")
    validation.refresh_from_db()
    assert validation.status == PartnerValidationRequest.Status.APPROVED

    # -- The partner sees the decision ----------------------------------------------------
    partner.goto(f"/gcc/validations/{validation.pk}/")
    expect(partner.locator("#request-status")).to_contain_text("Approved")
    timeline = partner.get_by_role("list", name="Timeline")
    expect(timeline.get_by_role("listitem")).to_have_count(3)
    expect(timeline.get_by_role("listitem").nth(1)).to_contain_text("Review started")
    expect(timeline.get_by_role("listitem").nth(2)).to_contain_text("Approved")
    expect(timeline.get_by_role("listitem").nth(2)).to_contain_text("GCC review team")
    expect(timeline.get_by_role("listitem").nth(2)).to_contain_text("Welcome to GCC.")
    check_page(partner, "14-validation-detail-approved")

    partner.get_by_role("link", name="See your reseller qualifications").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Organization profile")
    expect(partner.locator("#reseller-qualifications")).to_contain_text(
        "Government Community Cloud (GCC)"
    )
    check_page(partner, "15-organization-profile")

    partner.get_by_role("link", name="Dashboard").click()
    gcc_card = partner.get_by_role("region", name="Office 365 GCC approval")
    expect(gcc_card).to_contain_text("Approved")
    expect(gcc_card.get_by_role("link", name="Apply for GCC approval")).to_have_count(0)
    check_page(partner, "16-partner-dashboard-approved")


def test_reviewer_rejects_only_with_a_reason(new_page, in_review_validation, admin_agent):
    validation = in_review_validation
    now = timezone.now()
    overdue = PartnerValidationRequestFactory(
        organization__legal_name="Fabrikam Federal Inc.",
        submitted_at=now - dt.timedelta(days=4),
        due_at=now - dt.timedelta(hours=2),
    )
    admin = new_page()
    sign_in(admin, validation.assigned_reviewer.email, admin=True)
    admin.get_by_role("link", name="Partner validation requests").first.click()
    # Soonest due first: the overdue request leads the queue, flagged.
    rows = admin.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(overdue.organization.legal_name)
    expect(rows.first.locator("td.field-overdue img")).to_have_attribute("alt", "True")
    expect(rows.nth(1).locator("td.field-overdue img")).to_have_attribute("alt", "False")
    check_page(admin, "17-admin-queue-with-overdue")
    open_request_from_queue(admin, validation)
    admin.get_by_role("link", name="Reject…").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Reject")

    admin.get_by_role("button", name="Reject").click()
    reason = admin.get_by_label("Reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(
        re.compile(r"^Give the reason for the rejection; the partner sees it\.")
    )
    check_page(admin, "18-admin-decide-reject-error")
    validation.refresh_from_db()
    assert validation.status == PartnerValidationRequest.Status.IN_REVIEW

    reason.fill("The tenant is not used for government customers.")
    admin.get_by_role("button", name="Reject").click()
    expect_admin_message(admin, "Rejected. The partner was told the reason.")

    partner = new_page()
    sign_in(partner, admin_agent.email)
    partner.goto(f"/gcc/validations/{validation.pk}/")
    expect(partner.locator("#request-status")).to_contain_text("Rejected")
    expect(partner.get_by_role("status")).to_contain_text(
        "Reason: The tenant is not used for government customers."
    )
    check_page(partner, "19-validation-detail-rejected")


def test_partner_answers_a_reviewers_question(new_page, in_review_validation, admin_agent):
    validation = in_review_validation
    admin = new_page()
    sign_in(admin, validation.assigned_reviewer.email, admin=True)
    open_request_from_queue(admin, validation)
    admin.get_by_role("link", name="Request information…").click()
    admin.get_by_label("What the partner must send").fill("Send your GSA Schedule number.")
    check_page(admin, "20-admin-decide-request-info")
    admin.get_by_role("button", name="Request information").click()
    expect_admin_message(admin, "Information requested.")

    partner = new_page()
    sign_in(partner, admin_agent.email)
    partner.goto(f"/gcc/validations/{validation.pk}/")
    expect(partner.locator("#request-status")).to_contain_text("Information requested")
    expect(partner.locator("#due-at")).to_have_text("Clock stopped until you answer")
    question = partner.get_by_role("region", name="The review team needs more information")
    expect(question).to_contain_text("Send your GSA Schedule number.")
    check_page(partner, "21-validation-detail-info-requested")

    partner.get_by_role("button", name="Send answer").click()
    answer = partner.get_by_label("Your answer")
    expect(answer).to_have_attribute("aria-invalid", "true")
    expect(answer).to_have_accessible_description("Enter the information the reviewer asked for.")
    check_page(partner, "22-validation-detail-answer-error")

    answer.fill("GS-35F-0001A")
    partner.get_by_role("button", name="Send answer").click()
    expect(partner.get_by_role("status").first).to_contain_text("Your answer was sent")
    expect(partner.locator("#request-status")).to_contain_text("In review")
    expect(partner.get_by_role("list", name="Timeline")).to_contain_text("GS-35F-0001A")


def test_helpdesk_agent_is_told_why_it_cannot_apply(page, helpdesk_agent):
    sign_in(page, helpdesk_agent.email)
    gcc_card = page.get_by_role("region", name="Office 365 GCC approval")
    expect(gcc_card).to_contain_text("Your role (Helpdesk agent) can't take GCC actions")
    expect(gcc_card.get_by_role("link", name="Apply for GCC approval")).to_have_count(0)
    check_page(page, "23-helpdesk-dashboard")

    page.get_by_role("link", name="GCC validation").click()
    expect(page.get_by_text("No GCC validation request yet.")).to_be_visible()
    expect(page.get_by_role("link", name="Apply for GCC approval")).to_have_count(0)
    check_page(page, "24-validation-list-empty")

    response = page.goto(APPLY_PATH)
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You can't do this")
    expect(page.get_by_role("alert")).to_contain_text("Your role (Helpdesk agent)")
    check_page(page, "25-helpdesk-403")


def test_organization_not_enrolled_in_csp_cannot_apply(page):
    organization = OrganizationFactory(csp_enrollment=Organization.CspEnrollment.PENDING)
    agent = MembershipFactory(organization=organization, role=Membership.Role.ADMIN_AGENT).user

    sign_in(page, agent.email)
    expect(page.get_by_role("region", name="Office 365 GCC approval")).to_contain_text(
        "not enrolled in the Cloud Solution Provider (CSP) program"
    )
    page.goto(APPLY_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You can't apply for GCC approval now"
    )
    expect(page.get_by_role("status")).to_contain_text("Complete CSP enrollment first")
    check_page(page, "26-cant-apply-not-enrolled")


def test_second_request_while_one_is_under_way_is_refused(page, admin_agent, submit_validation):
    validation = submit_validation(admin_agent)

    sign_in(page, admin_agent.email)
    page.goto(APPLY_PATH)
    expect(page.get_by_role("status")).to_contain_text("already has a GCC validation request")
    check_page(page, "27-cant-apply-request-under-way")
    page.get_by_role("link", name="Go to your request under way").click()
    expect(page).to_have_url(re.compile(rf"/gcc/validations/{validation.pk}/$"))


def test_a_lead_takes_one_request_and_gives_another_to_a_reviewer(new_page, lead):
    # Given two open requests nobody has, and another reviewer
    reviewer = ReviewerFactory(first_name="Riley", last_name="Reviewer")
    first = PartnerValidationRequestFactory(organization__legal_name="Adatum Gov Partners")
    second = PartnerValidationRequestFactory(organization__legal_name="Blue Yonder Federal")
    admin = new_page()
    sign_in(admin, lead.email, admin=True)

    # When the lead takes the first one from its page
    admin.get_by_role("link", name="Partner validation requests").first.click()
    admin.get_by_role("link", name="Unassigned").click()
    expect(admin.locator("#result_list tbody tr")).to_have_count(2)
    check_page(admin, "35-admin-queue-unassigned")
    open_request_from_queue(admin, first)
    expect(admin.locator("#assigned-reviewer")).to_have_text("Assigned to nobody yet.")
    check_page(admin, "36-admin-request-assignment")
    admin.get_by_role("button", name="Assign to me").click()

    # Then it is the lead's, which the queue's "Mine" shows
    expect_admin_message(admin, f"Assigned to {lead}.")
    expect(admin.locator("#assigned-reviewer")).to_have_text(f"Assigned to {lead}")
    admin.get_by_role("link", name="Partner validation requests").first.click()
    admin.get_by_role("link", name="Mine").click()
    rows = admin.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Adatum Gov Partners")

    # When the lead gives the second one to the other reviewer
    admin.get_by_role("link", name="All", exact=True).nth(1).click()
    open_request_from_queue(admin, second)
    admin.get_by_label("Give to").select_option(label=str(reviewer))
    admin.get_by_role("button", name="Assign", exact=True).click()

    # Then it is theirs
    expect_admin_message(admin, f"Assigned to {reviewer}.")
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.assigned_reviewer, second.assigned_reviewer) == (lead, reviewer)
