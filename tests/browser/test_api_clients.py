"""The Admin agent's API clients page in Chromium: from the organization profile, create a
client, copy its token (shown once), call the API with it, revoke it after confirming. Each
page passes axe-core and is screenshotted to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    PHONE,
    admin_agent_signed_in,
    assert_fits_the_width,
    check_page,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_agent_creates_uses_and_revokes_an_api_client(new_page, live_server):
    _organization, _admin, page = admin_agent_signed_in(new_page)

    page.goto("/organization/")
    page.get_by_role("link", name="Manage API clients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API clients")
    expect(page.get_by_text("No API client yet.")).to_be_visible()
    check_page(page, "api-clients-empty")

    page.get_by_label("Name").fill("Billing sync")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create client").click()

    token = page.get_by_label("Token").input_value()
    assert token.startswith("gcp_")
    expect(page.locator("#client-list")).to_contain_text("Read and write")
    check_page(page, "api-clients-created")
    # On a phone, each client's details stack and its Revoke button is in view.
    page.set_viewport_size(PHONE)
    assert_fits_the_width(page)
    revoke = page.get_by_role("link", name="Revoke Billing sync")
    revoke.scroll_into_view_if_needed()
    expect(revoke).to_be_in_viewport(ratio=0.99)
    page.set_viewport_size({"width": 1280, "height": 900})
    api = page.request.get(
        f"{live_server.url}/v1/customers/all/validations",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status == 200

    page.goto("/organization/api-clients/")
    assert token not in page.content()
    page.get_by_role("link", name="Revoke Billing sync").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke Billing sync?")
    check_page(page, "api-client-revoke-confirm")
    page.get_by_role("button", name="Revoke client").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
        "Billing sync was revoked: its token no longer works."
    )
    check_page(page, "api-clients-revoked")
    refused = page.request.get(
        f"{live_server.url}/v1/customers/all/validations",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status == 401


def test_the_api_reference_page_loads_under_the_content_security_policy(new_page):
    page = new_page(bypass_csp=False)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto("/api/docs/")
    expect(page.get_by_text("GCC Portal API").first).to_be_visible()
    expect(page.get_by_text("/v1/customers/all/validations").first).to_be_visible()
    screenshot(page, "api-docs")
    assert refused == []
