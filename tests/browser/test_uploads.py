"""Uploads past the limits, in Chromium: the refusal pages a partner sees, checked by axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check_page, sign_in
from tests.factories import MembershipFactory, OrganizationFactory, ResellerQualificationFactory
from tests.helpers import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM_PATH = "/customers/validations/new/"


@pytest.fixture
def gcc_agent(db):
    organization = OrganizationFactory()
    ResellerQualificationFactory(organization=organization)
    return MembershipFactory(organization=organization).user


def test_a_request_larger_than_every_document_together_gets_a_page_saying_so(
    page, gcc_agent, settings, tmp_path
):
    # given: one document of at most 1 KB (so at most about 1 MB in one form)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CUSTOMER_DOCUMENT_MAX_BYTES = 1024
    settings.CUSTOMER_DOCUMENT_MAX_FILES = 1
    big = tmp_path / "scan.pdf"
    big.write_bytes(PDF + b"0" * (3 * 1024 * 1024))
    sign_in(page, gcc_agent.email)
    page.goto(FORM_PATH)

    # when: a 3 MB scan is sent
    page.get_by_label("Documents (optional)").set_input_files(str(big))
    page.get_by_role("button", name="Submit request").click()

    # then: the 413 page says the sizes and leads back to the form
    expect(page).to_have_title("Error: files too large · GCC Portal")
    expect(page.get_by_role("heading", level=1)).to_have_text("The files you sent are too large")
    expect(page.locator("main")).to_contain_text("the portal accepts at most 1.0 MB in one form")
    expect(page.locator("main")).to_contain_text("A form takes 1 document of at most 1.0 KB.")
    check_page(page, "upload-too-large")
    page.set_viewport_size({"width": 390, "height": 844})
    check_page(page, "upload-too-large-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Back to the form").click()
    expect(page.get_by_label("Documents (optional)")).to_be_visible()
