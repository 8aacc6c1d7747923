"""Password reset and change, and the session timeout warning, in Chromium (axe on each page)."""

import re

import pytest
from playwright.sync_api import expect

from notifications.models import OutboxMessage
from tests.browser.helpers import LOGIN_PATH, check_page, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESET_PASSWORD = "a-brand-new-passphrase-2026"
CHANGED_PASSWORD = "yet-another-passphrase-2027"


def test_partner_resets_then_changes_the_password(page, gcc_partner, live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    _organization, agent = gcc_partner

    # -- Forgot your password? --------------------------------------------------------------
    page.goto(LOGIN_PATH)
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    check_page(page, "account-01-reset-request")
    page.get_by_label("Email address").fill(agent.email.upper())
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    check_page(page, "account-02-reset-sent")

    # -- The emailed link -------------------------------------------------------------------
    message = OutboxMessage.objects.get(template="emails/accounts/password_reset")
    (link,) = re.findall(r"https?://\S+", message.body_text)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    expect(page.get_by_text("at least 12 characters")).to_be_visible()
    page.get_by_label("New password", exact=False).first.fill("too-short")
    page.get_by_label("New password confirmation").fill("too-short")
    page.get_by_role("button", name="Set my password").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    check_page(page, "account-03-reset-new-password-errors")
    page.get_by_label("New password", exact=False).first.fill(RESET_PASSWORD)
    page.get_by_label("New password confirmation").fill(RESET_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password set")
    check_page(page, "account-04-reset-complete")

    # The link was single use
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    check_page(page, "account-05-reset-link-used")

    # -- Signed in with it, the partner changes it --------------------------------------------
    sign_in(page, agent.email, RESET_PASSWORD)
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change password")
    check_page(page, "account-06-change-password")
    page.get_by_label("Old password").fill(RESET_PASSWORD)
    page.get_by_label("New password", exact=False).first.fill(CHANGED_PASSWORD)
    page.get_by_label("New password confirmation").fill(CHANGED_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    check_page(page, "account-07-password-changed")

    agent.refresh_from_db()
    assert agent.check_password(CHANGED_PASSWORD)
    assert not agent.check_password(TEST_PASSWORD)


def test_the_timeout_warning_keeps_the_session_with_stay_signed_in(page, gcc_partner, settings):
    # Short limits: the warning shows at the script's first check after loading (5 s).
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 60
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 57
    _organization, agent = gcc_partner
    sign_in(page, agent.email)

    warning = page.get_by_role("alert").filter(has_text="you will be signed out at")
    expect(warning).to_be_visible(timeout=15_000)
    check_page(page, "account-08-timeout-warning", full_page=False)

    with page.expect_response(lambda response: "/accounts/session/" in response.url) as status:
        warning.get_by_role("button", name="Stay signed in").click()
    assert status.value.request.method == "POST"
    assert status.value.json()["seconds_left"] == 60
    expect(warning).to_have_count(0)
