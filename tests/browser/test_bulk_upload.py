"""Bulk submission in Chromium: the template downloaded from the upload page, a CSV uploaded,
its preview, the submit and its result; each page checked by axe at desktop and phone
widths."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from customers.validations.models import CustomerValidationRequest
from partners.models import Membership
from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import PHONE, check_page, sign_in
from tests.factories import MembershipFactory, OrganizationFactory, ResellerQualificationFactory
from tests.helpers import BULK_COLUMNS, bulk_csv, bulk_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_agent(db):
    organization = OrganizationFactory(legal_name="Contoso Government Solutions LLC")
    ResellerQualificationFactory(organization=organization)
    return MembershipFactory(
        organization=organization,
        role=Membership.Role.ADMIN_AGENT,
        user__first_name="Ada",
        user__last_name="Admin",
    ).user


def check_both_widths(page, name: str) -> None:
    check_page(page, name)
    page.set_viewport_size(PHONE)
    check_page(page, f"{name}-390")
    page.set_viewport_size(VIEWPORT)


def test_download_the_template_upload_preview_and_submit(page, admin_agent, tmp_path):
    sign_in(page, admin_agent.email)
    page.goto("/customers/validations/")
    check_both_widths(page, "bulk-validation-list")
    page.get_by_role("link", name="Submit in bulk (CSV)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit requests in bulk")
    check_both_widths(page, "bulk-upload")

    # The template: the columns, in a file Excel reads as UTF-8.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template (CSV)").click()
    assert download.value.suggested_filename == "customer-validation-requests.csv"
    template = download.value.path().read_bytes().decode("utf-8")
    assert template.startswith("\ufeff")
    assert next(csv.reader(io.StringIO(template[1:]))) == BULK_COLUMNS

    # A file that is not the template is refused next to the field, focus on the summary.
    wrong = tmp_path / "customers.csv"
    wrong.write_text("name,domain\r\nCity,city.gov\r\n", encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(wrong))
    page.get_by_role("button", name="Upload and check").click()
    expect(page).to_have_title(re.compile(r"^Error: Submit requests in bulk"))
    expect(page.locator("#id_file_error")).to_contain_text("Unknown columns: name, domain.")
    check_both_widths(page, "bulk-upload-error")

    # Three rows: two ready, one whose contact is not at its domain.
    rows = [
        bulk_row(1, organization_legal_name="Springfield County"),
        bulk_row(
            2, organization_legal_name="Shelbyville Public Schools", organization_type="local"
        ),
        bulk_row(
            3,
            organization_legal_name="Capital City Water District",
            contact_email="robin@gmail.com",
        ),
    ]
    good = tmp_path / "springfield-customers.csv"
    good.write_bytes(("\ufeff" + bulk_csv(rows)).encode())
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the rows of springfield-customers.csv"
    )
    # The rows with problems first; every row a click away.
    expect(page.locator("#row-4")).to_contain_text(
        "Enter the customer contact's address at city3.gov"
    )
    expect(page.locator("#row-2")).to_have_count(0)
    page.locator("#bulk-rows-filter").get_by_role("link", name="All (3)").click()
    expect(page.locator("#row-2")).to_contain_text("Ready")
    assert CustomerValidationRequest.objects.count() == 0
    check_both_widths(page, "bulk-preview")

    page.get_by_role("button", name="Submit 2 requests").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Submitted from springfield-customers.csv"
    )
    expect(page.get_by_role("status").first).to_contain_text("2 requests were submitted.")
    assert CustomerValidationRequest.objects.count() == 2
    check_both_widths(page, "bulk-result")
    first = CustomerValidationRequest.objects.get(government_domain="city1.gov")
    page.locator("#bulk-rows-filter").get_by_role("link", name="Submitted (2)").click()
    page.locator("#row-2").get_by_role("link", name=f"Request #{first.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Springfield County")
