"""The Content-Security-Policy in Chromium: the pages with scripts (Add customer, customer
validation request, the relationship request's draft email) still work with the policy in
force, the pages with inline styles allowed by hash (the review panel, the order table, the
admin's history, the 500 and 503 pages) keep them, and the browser reports no violation, in
its console or as a `securitypolicyviolation` event. An inline script is refused.

Every page visited is screenshotted to test-artifacts/ and must pass axe-core with no
violation (`check_page`).
"""

import re

import pytest
from django.db import OperationalError
from playwright.sync_api import Page, expect

from customers.invitations import services as invitation_services
from orders.catalogue import catalogue_load
from orders.models import Offer
from tests.browser.helpers import (
    ADD_CUSTOMER_PATH,
    CODE_LABEL,
    GCC_OPTION,
    check_page,
    field,
    screenshot,
    sign_in,
)
from tests.factories import (
    CustomerValidationRequestFactory,
    GccValidationFactory,
    ReviewerFactory,
    UserFactory,
)
from tests.helpers import customer_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects the violations the page reports, from before its first script runs (init scripts
# are injected by the browser itself, not subject to the page's policy).
VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}: ${event.sample}`
  );
});
"""


class PolicyWatch:
    """The page's console messages about the policy and its violation events.

    Chromium writes its "Refused to …" messages to the console's browser log, which
    Playwright's console event does not carry: they are read through the DevTools Log domain.
    """

    def __init__(self, page: Page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(VIOLATION_LISTENER)
        page.on("console", lambda message: self._console(message.text))
        session = page.context.new_cdp_session(page)
        session.on("Log.entryAdded", lambda event: self._console(event["entry"]["text"]))
        session.send("Log.enable")

    def _console(self, text: str) -> None:
        if "Content Security Policy" in text:
            self.console.append(text)

    def events(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")

    def assert_none(self) -> None:
        """Call before axe-core runs: its own injected styles are refused too."""
        assert self.console == [], self.console
        assert self.events() == []

    def goto(self, path: str):
        """Open `path`; its response carries the policy and, signed in, no-store."""
        response = self.page.goto(path)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, (path, policy)
        assert "unsafe-inline" not in policy
        return response


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_add_customer_scripts_work_under_the_policy(new_page, gcc_partner):
    organization, agent = gcc_partner
    GccValidationFactory(partner=organization)
    page = new_page(reduced_motion="reduce", bypass_csp=False)
    watch = PolicyWatch(page)
    sign_in(page, agent.email)

    response = watch.goto(ADD_CUSTOMER_PATH)
    assert "no-store" in response.headers["cache-control"]

    # customers.js: the GCC code menu appears with GCC only
    menu = field(page, CODE_LABEL)
    expect(menu).to_be_hidden()
    page.get_by_label(GCC_OPTION).check()
    expect(menu).to_be_visible()
    page.get_by_label("None", exact=True).check()
    expect(menu).to_be_hidden()
    page.get_by_label(GCC_OPTION).check()

    # customers.js: "What's this?" opens the native dialog, Close closes it
    page.get_by_role("link", name="What's this?").click()
    dialog = page.get_by_role("dialog", name="GCC validation codes")
    expect(dialog).to_be_visible()
    screenshot(page, "csp-01-add-customer-dialog", full_page=False)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    watch.assert_none()
    check_page(page, "csp-02-add-customer")


def test_customer_validation_form_script_works_under_the_policy(new_page, gcc_partner):
    _, agent = gcc_partner
    page = new_page(bypass_csp=False)
    watch = PolicyWatch(page)
    sign_in(page, agent.email)

    watch.goto("/customers/validations/new/")

    regulated = page.locator("#regulated-data-group")
    page.get_by_label("Private organization that handles regulated government data").check()
    expect(regulated).to_be_visible()
    page.locator('input[name="organization_type"][value="local"]').check()
    expect(regulated).to_be_hidden()
    watch.assert_none()
    check_page(page, "csp-03-customer-validation-form")


def test_relationship_request_scripts_work_under_the_policy(new_page, gcc_partner):
    organization, agent = gcc_partner
    invitation = invitation_services.invitation_create(organization=organization, created_by=agent)
    page = new_page(permissions=["clipboard-read", "clipboard-write"], bypass_csp=False)
    watch = PolicyWatch(page)
    sign_in(page, agent.email)

    watch.goto(f"/customers/relationship-requests/{invitation.pk}/")

    # invitations.js: the copy button is shown and copies the draft
    page.get_by_role("button", name="Copy to clipboard").click()
    expect(page.locator("#copy-status")).to_have_text(
        "✓ Copied to the clipboard: paste it into a new email to the customer."
    )
    subject = page.get_by_label("Subject")
    clipboard = page.evaluate("navigator.clipboard.readText()")
    assert clipboard.startswith(subject.input_value() + "\n\n")

    # invitations.js: the mailto: link follows the edited subject
    subject.fill("Our reseller request")
    mailto = page.get_by_role("link", name="Open in mail app")
    expect(mailto).to_have_attribute("href", re.compile(r"^mailto:\?subject=Our%20reseller%20"))
    watch.assert_none()
    check_page(page, "csp-04-relationship-request")


def test_inline_styles_allowed_by_hash_apply_and_nothing_is_refused(new_page, gcc_partner):
    organization, agent = gcc_partner
    catalogue_load(Offer)
    customer = customer_of(organization, gcc=True)
    validation = CustomerValidationRequestFactory(organization=organization)

    # the order table's column widths (style attributes)
    partner = new_page(bypass_csp=False)
    partner_watch = PolicyWatch(partner)
    sign_in(partner, agent.email)
    partner_watch.goto(f"/customers/{customer.pk}/subscriptions/add/")
    expect(partner.locator("#offer-table")).to_be_visible()
    partner_watch.assert_none()

    # the review panel (a <style> element) of a reviewer's change page
    reviewer = new_page(bypass_csp=False)
    reviewer_watch = PolicyWatch(reviewer)
    sign_in(reviewer, ReviewerFactory().email, admin=True)
    reviewer_watch.goto(f"/admin/customers/customervalidationrequest/{validation.pk}/change/")
    panel = reviewer.get_by_role("region", name="Decision")
    expect(panel).to_be_visible()
    assert panel.evaluate("(node) => getComputedStyle(node).borderTopStyle") == "solid"
    reviewer_watch.assert_none()
    check_page(reviewer, "csp-05-review-panel")

    # the admin's history of an organization (simple_history's style attribute)
    superuser = new_page(bypass_csp=False)
    superuser_watch = PolicyWatch(superuser)
    sign_in(superuser, UserFactory(is_staff=True, is_superuser=True).email, admin=True)
    superuser_watch.goto(f"/admin/partners/organization/{organization.pk}/history/")
    expect(superuser.locator("#change-history")).to_be_visible()
    superuser_watch.assert_none()


@pytest.mark.parametrize(
    ("exception", "status", "title"),
    [
        (ValueError, 500, "Something went wrong"),
        (OperationalError, 503, "Temporarily unavailable"),
    ],
    ids=["500", "503"],
)
def test_error_pages_keep_their_style_under_the_policy(
    new_page, gcc_partner, monkeypatch, exception, status, title
):
    _, agent = gcc_partner
    page = new_page(bypass_csp=False)
    watch = PolicyWatch(page)
    sign_in(page, agent.email)

    def broken(*args, **kwargs):
        raise exception("the dashboard failed")

    # the live server runs in this process: its dashboard fails from now on
    monkeypatch.setattr("partners.views.render", broken)
    response = watch.goto("/")

    assert response.status == status
    expect(page.locator("h1")).to_have_text(title)
    assert page.locator("main").evaluate("(node) => getComputedStyle(node).maxWidth") == "640px"
    watch.assert_none()
    check_page(page, f"csp-06-error-{status}")


def test_an_inline_script_is_refused_and_reported(new_page, gcc_partner):
    _, agent = gcc_partner
    page = new_page(bypass_csp=False)
    watch = PolicyWatch(page)
    sign_in(page, agent.email)
    watch.goto("/")

    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true;";
          document.body.appendChild(script);
        }"""
    )

    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__inlineRan") is None
    assert any(event.startswith("script-src-elem blocked inline") for event in watch.events())
    assert any("inline script" in text and "'script-src 'self''" in text for text in watch.console)
