"""Two-step verification in Chromium: a reviewer's enrolment (QR code, code, recovery codes),
sign-in with a code, a lost phone and a recovery code, and a partner's Admin agent requiring
it for the organization. Every page is checked with axe, at 1280 px and at 390 px."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from partners.models import Membership
from reviews.models import AuditEvent
from tests.browser.helpers import LOGIN_PATH, MFA_VERIFY_PATH, check_page, sign_in
from tests.factories import TEST_PASSWORD, MembershipFactory, ReviewerFactory
from tests.mfa import authenticator_of, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SETUP_PATH = "/accounts/two-step/setup/"
NARROW = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}


def check_both_widths(page: Page, name: str) -> None:
    check_page(page, f"{name}-1280")
    page.set_viewport_size(NARROW)
    check_page(page, f"{name}-390")
    page.set_viewport_size(WIDE)


def password_only(page: Page, email: str) -> None:
    page.goto(LOGIN_PATH)
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def enrol(page: Page, user, name: str) -> list[str]:
    """On the setup page: the QR code and the key, the code, the recovery codes shown once."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    expect(page.locator("#mfa-secret")).not_to_be_empty()
    check_both_widths(page, f"{name}-setup")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label("6-digit code").fill(totp_code(device))
    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    check_both_widths(page, f"{name}-recovery-codes")
    page.get_by_role("link", name="I have saved these codes").click()
    return codes


def test_reviewer_enrols_signs_in_with_a_code_then_with_a_recovery_code(new_page):
    reviewer = ReviewerFactory(authenticator=False)
    page = new_page()

    # -- first sign-in: the setup, then the admin ----------------------------------------------
    password_only(page, reviewer.email)
    expect(page).to_have_url(re.compile(re.escape(SETUP_PATH)))
    codes = enrol(page, reviewer, "mfa-01-reviewer")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="GCC review queues")).to_be_visible()

    # -- next sign-in: the code ----------------------------------------------------------------
    page.get_by_role("button", name="Log out").click()
    password_only(page, reviewer.email)
    expect(page).to_have_url(re.compile(re.escape(MFA_VERIFY_PATH)))
    expect(page.get_by_text("Enter the 6-digit code from your authenticator app.")).to_be_visible()
    page.get_by_label("6-digit code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("That code is not right")
    check_both_widths(page, "mfa-02-wrong-code")
    page.wait_for_timeout(1100)  # the throttle after one wrong code: 1 s
    page.get_by_label("6-digit code").fill(totp_code(authenticator_of(reviewer)))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    # -- the phone is lost: a recovery code -----------------------------------------------------
    page.get_by_role("button", name="Log out").click()
    password_only(page, reviewer.email)
    page.get_by_role("link", name="Use a recovery code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Use a recovery code")
    check_both_widths(page, "mfa-03-recovery")
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step verification")
    expect(page.get_by_role("status").first).to_contain_text("You have 9 recovery codes left")
    check_both_widths(page, "mfa-04-recovered")

    # a new phone, from there
    page.get_by_role("link", name="Set up a new authenticator app").click()
    enrol(page, reviewer, "mfa-05-new-phone")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=True).count() == 1


def test_the_shared_sign_in_helper_passes_a_reviewer_through_the_code(new_page, reviewer):
    page = new_page()

    sign_in(page, reviewer.email, admin=True, via_form=True)

    expect(page.get_by_role("heading", name="GCC review queues")).to_be_visible()


def test_admin_agent_requires_it_and_a_member_then_sets_it_up(new_page, organization):
    admin_agent = MembershipFactory(
        organization=organization, role=Membership.Role.ADMIN_AGENT
    ).user
    sales_agent = MembershipFactory(
        organization=organization, role=Membership.Role.SALES_AGENT
    ).user
    admin = new_page()
    sign_in(admin, admin_agent.email, via_form=True)

    # the Admin agent must set it up for their own account first
    admin.get_by_role("link", name="Organization profile").click()
    expect(admin.locator("#mfa-own-first")).to_be_visible()
    check_both_widths(admin, "mfa-06-profile-own-first")
    admin.locator("#mfa-own-first").get_by_role("link").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Two-step verification")
    check_both_widths(admin, "mfa-07-settings-off")
    admin.get_by_role("link", name="Turn on two-step verification").click()
    enrol(admin, admin_agent, "mfa-08-partner")

    # then requires it for everyone
    admin.get_by_role("link", name="Organization profile").click()
    expect(admin.locator("#mfa-own-first")).to_have_count(0)
    admin.get_by_label("Require two-step verification for every member").check()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("status").first).to_contain_text("now required for every member")
    check_both_widths(admin, "mfa-09-profile-required")
    organization.refresh_from_db()
    assert organization.mfa_required
    assert AuditEvent.objects.filter(action="mfa_requirement_changed", actor=admin_agent).exists()

    # a member signing in next must set it up before anything else
    member = new_page()
    password_only(member, sales_agent.email)
    expect(member).to_have_url(re.compile(re.escape(SETUP_PATH)))
    expect(member.get_by_text("Your account must use two-step verification")).to_be_visible()
    member.goto("/customers/")
    expect(member).to_have_url(re.compile(re.escape(SETUP_PATH)))
    enrol(member, sales_agent, "mfa-10-member")
    expect(member.get_by_role("heading", level=1)).to_have_text("Customers")  # next, kept
    member.get_by_role("link", name="Organization profile").click()
    expect(member.locator("#mfa-requirement")).to_have_text(
        "Required for every member of your organization."
    )
    check_both_widths(member, "mfa-11-profile-member")
