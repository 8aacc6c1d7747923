"""Partner validation, end to end in Chromium: the partner applies, a reviewer decides.

Every page visited is screenshotted to test-artifacts/ and must pass axe-core.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from partners.models import Membership, Organization, PartnerValidationRequest
from tests.factories import MembershipFactory, OrganizationFactory, ReviewerFactory

from .conftest import check_page, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

APPLY_PATH = "/gcc/validations/new/"


def fill_validation_form(page: Page, *, tenant_id: str) -> None:
    page.get_by_label("Commercial tenant ID (Microsoft ID)").fill(tenant_id)
    page.get_by_label("Contact phone").fill("+1 202 555 0143")
    page.get_by_label("US federal agencies").check()
    page.get_by_label("US state governments").check()
    page.get_by_label("How you contract with them").fill("GSA Multiple Award Schedule; SEWP V")
    page.get_by_label(re.compile(r"^I confirm that this information is accurate")).check()


def reviewer_opens_request(page: Page, validation: PartnerValidationRequest) -> None:
    """From the admin index: the queue, then the request's page."""
    page.get_by_role("link", name="Partner validation requests").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("partner validation request")
    page.get_by_role("link", name=validation.organization.legal_name).click()
    expect(page.locator("#decision-heading")).to_be_visible()


def test_partner_applies_and_reviewer_approves(new_page, live_server):
    organization = OrganizationFactory(legal_name="Contoso Government Solutions LLC")
    agent = MembershipFactory(
        organization=organization,
        role=Membership.Role.ADMIN_AGENT,
        user__first_name="Avery",
        user__last_name="Admin",
    ).user
    reviewer = ReviewerFactory()

    # -- The partner's Admin agent signs in and applies ------------------------------------
    partner = new_page()
    sign_in(partner, agent.email, check_as="01-partner-login")
    expect(partner.get_by_role("heading", level=1)).to_have_text(organization.legal_name)
    check_page(partner, "02-partner-dashboard")

    partner.get_by_role("link", name="Apply for GCC approval").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Apply for GCC approval")
    tenant = partner.get_by_label("Commercial tenant ID (Microsoft ID)")
    expect(tenant).to_have_value(str(organization.commercial_tenant_id))
    # The Azure GCC warning is part of the field's description, right under it.
    expect(tenant).to_have_accessible_description(
        re.compile(r"^Do not use an Azure GCC tenant ID\.")
    )
    expect(partner.get_by_label("Contact name")).to_have_value("Avery Admin")
    expect(partner.get_by_label("Contact email")).to_have_value(agent.email)
    check_page(partner, "03-validation-form")

    # A common mistake: the Azure GCC tenant ID. The message sits next to the field.
    fill_validation_form(partner, tenant_id=str(organization.azure_gcc_tenant_id))
    partner.get_by_role("button", name="Submit request").click()
    expect(partner.get_by_role("alert")).to_contain_text("Some answers need your attention")
    tenant = partner.get_by_label("Commercial tenant ID (Microsoft ID)")
    expect(tenant).to_have_attribute("aria-invalid", "true")
    expect(tenant).to_have_accessible_description(
        re.compile(r"This is your organization's Azure GCC tenant ID\.")
    )
    expect(partner.locator("#id_commercial_tenant_id ~ .invalid-feedback")).to_contain_text(
        str(organization.commercial_tenant_id)
    )
    # Every other answer is kept.
    expect(partner.get_by_label("Contact phone")).to_have_value("+1 202 555 0143")
    expect(partner.get_by_label("US federal agencies")).to_be_checked()
    expect(partner.get_by_label("US state governments")).to_be_checked()
    expect(partner.get_by_label("How you contract with them")).to_have_value(
        "GSA Multiple Award Schedule; SEWP V"
    )
    expect(partner.get_by_label(re.compile(r"^I confirm"))).to_be_checked()
    check_page(partner, "04-validation-form-errors")

    tenant.fill(str(organization.commercial_tenant_id))
    partner.get_by_role("button", name="Submit request").click()

    validation = PartnerValidationRequest.objects.get(organization=organization)
    expect(partner).to_have_url(re.compile(rf"/gcc/validations/{validation.pk}/$"))
    expect(partner.get_by_role("status").first).to_contain_text("request was submitted")
    expect(partner.locator("#request-status")).to_contain_text("Submitted")
    due = timezone.localtime(validation.due_at)
    expect(partner.locator("#due-at")).to_contain_text(f"{due:%B} {due.day}, {due.year}")
    expect(partner.locator("#due-at")).to_contain_text("5:00 p.m.")
    timeline = partner.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("Request submitted")
    expect(timeline).to_contain_text("Avery Admin")
    check_page(partner, "05-validation-detail-submitted")
    assert any(agent.email in message.to for message in mail.outbox)

    partner.get_by_role("link", name="GCC validation requests").click()
    expect(partner.get_by_role("table")).to_contain_text(f"Request #{validation.pk}")
    check_page(partner, "06-validation-list")

    # -- A reviewer takes it from the queue and approves it -------------------------------
    admin = new_page()
    sign_in(admin, reviewer.email, admin=True, check_as="10-admin-login")
    admin.get_by_role("link", name="Partner validation requests").first.click()
    expect(admin.get_by_role("table")).to_contain_text(organization.legal_name)
    check_page(admin, "11-admin-queue")

    admin.get_by_role("link", name=organization.legal_name).click()
    expect(admin.locator("#decision-heading")).to_be_visible()
    check_page(admin, "12-admin-request-submitted")
    admin.get_by_role("button", name="Start review").click()
    expect(admin.locator(".messagelist")).to_contain_text("Review started")
    check_page(admin, "13-admin-request-in-review")

    admin.get_by_role("link", name="Approve…").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Approve")
    check_page(admin, "14-admin-decide-approve")
    admin.get_by_label("Note to the partner (optional)").fill("Welcome to GCC.")
    admin.get_by_role("button", name="Approve").click()
    expect(admin.locator(".messagelist")).to_contain_text("Approved.")
    check_page(admin, "15-admin-request-approved")

    # -- The partner sees the decision ----------------------------------------------------
    partner.goto(f"/gcc/validations/{validation.pk}/")
    expect(partner.locator("#request-status")).to_contain_text("Approved")
    timeline = partner.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("Review started")
    expect(timeline).to_contain_text("Approved")
    expect(timeline).to_contain_text("GCC review team")
    expect(timeline).to_contain_text("Welcome to GCC.")
    check_page(partner, "07-validation-detail-approved")

    partner.get_by_role("link", name="See your reseller qualifications").click()
    expect(partner.locator("#reseller-qualifications")).to_contain_text(
        "Government_community_cloud"
    )
    check_page(partner, "08-organization-profile")

    partner.get_by_role("link", name="Dashboard").click()
    expect(partner.get_by_role("region", name="Office 365 GCC approval")).to_contain_text(
        "Approved"
    )
    check_page(partner, "09-partner-dashboard-approved")


def test_reviewer_rejects_only_with_a_reason(new_page, in_review_validation, admin_agent):
    validation = in_review_validation
    reviewer = validation.assigned_reviewer

    admin = new_page()
    sign_in(admin, reviewer.email, admin=True)
    reviewer_opens_request(admin, validation)
    admin.get_by_role("link", name="Reject…").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Reject")

    admin.get_by_role("button", name="Reject").click()
    reason = admin.get_by_label("Reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(admin.locator(".errorlist")).to_contain_text("Give the reason for the rejection")
    check_page(admin, "16-admin-decide-reject-error")
    validation.refresh_from_db()
    assert validation.status == PartnerValidationRequest.Status.IN_REVIEW

    reason.fill("The tenant is not used for government customers.")
    admin.get_by_role("button", name="Reject").click()
    expect(admin.locator(".messagelist")).to_contain_text("Rejected.")

    partner = new_page()
    sign_in(partner, admin_agent.email)
    partner.goto(f"/gcc/validations/{validation.pk}/")
    expect(partner.locator("#request-status")).to_contain_text("Rejected")
    expect(partner.get_by_role("status")).to_contain_text("not used for government customers")
    check_page(partner, "17-validation-detail-rejected")


def test_partner_answers_a_reviewers_question(new_page, in_review_validation, admin_agent):
    validation = in_review_validation
    reviewer = validation.assigned_reviewer

    admin = new_page()
    sign_in(admin, reviewer.email, admin=True)
    reviewer_opens_request(admin, validation)
    admin.get_by_role("link", name="Request information…").click()
    admin.get_by_label("What the partner must send").fill("Send your GSA Schedule number.")
    check_page(admin, "18-admin-decide-request-info")
    admin.get_by_role("button", name="Request information").click()
    expect(admin.locator(".messagelist")).to_contain_text("Information requested.")

    partner = new_page()
    sign_in(partner, admin_agent.email)
    partner.goto(f"/gcc/validations/{validation.pk}/")
    expect(partner.locator("#request-status")).to_contain_text("Information requested")
    expect(partner.locator("#due-at")).to_have_text("Clock stopped until you answer")
    check_page(partner, "19-validation-detail-info-requested")

    partner.get_by_role("button", name="Send answer").click()
    expect(partner.get_by_label("Your answer")).to_have_attribute("aria-invalid", "true")
    check_page(partner, "20-validation-detail-answer-error")

    partner.get_by_label("Your answer").fill("GS-35F-0001A")
    partner.get_by_role("button", name="Send answer").click()
    expect(partner.get_by_role("status").first).to_contain_text("Your answer was sent")
    expect(partner.locator("#request-status")).to_contain_text("In review")
    expect(partner.get_by_role("list", name="Timeline")).to_contain_text("GS-35F-0001A")


def test_helpdesk_agent_is_told_why_it_cannot_apply(page, helpdesk_agent):
    sign_in(page, helpdesk_agent.email)
    gcc_card = page.get_by_role("region", name="Office 365 GCC approval")
    expect(gcc_card).to_contain_text("can't take GCC actions")
    expect(gcc_card.get_by_role("link", name="Apply for GCC approval")).to_have_count(0)
    check_page(page, "21-helpdesk-dashboard")

    response = page.goto(APPLY_PATH)
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You can't do this")
    expect(page.get_by_role("alert")).to_contain_text("Your role (Helpdesk agent)")
    check_page(page, "22-helpdesk-403")


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
    check_page(page, "23-cant-apply-not-enrolled")


def test_second_request_while_one_is_under_way_is_refused(page, admin_agent, submit_validation):
    validation = submit_validation(admin_agent)

    sign_in(page, admin_agent.email)
    page.goto(APPLY_PATH)
    expect(page.get_by_role("status")).to_contain_text("already has a GCC validation request")
    page.get_by_role("link", name="Go to your request under way").click()
    expect(page).to_have_url(re.compile(rf"/gcc/validations/{validation.pk}/$"))
